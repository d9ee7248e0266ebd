"""The office pages in a real browser (Debian's Chromium, the app served by uvicorn on the small demo),
in English and in Spanish, at desktop and phone size: find a student with a typo, open, edit, saved; add
one and enrol them; record a payment and see its allocation; upload an MT940 statement, confirm a proposal
and ignore a fee; approve a payout; mark attendance and cancel a class; the Spanish UI with money and dates
the Spanish way; a teacher's navigation; settings (invite, API key, Connect Telegram); /docs offline. No
request leaves the machine. Screenshots under artifacts/screenshots/ (looked at when written)."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from playwright.async_api import Browser, BrowserContext, FilePayload, ViewportSize, expect
from sqlalchemy import func, select

from channels.embedded import DatabaseUrls
from domain.attendance.models import AttendanceRecord
from domain.groups.models import Group
from domain.payments.models import Payment
from domain.payouts.models import TeacherPayout
from domain.sessions.models import ClassSession
from domain.students.models import Student
from tests.web.pages_support import (
    a_student_in_a_group,
    demo_admin,
    log_in_as,
    mt940_paying,
    owner_query,
    someone_who_owes,
    two_classes_today,
    watch_the_network,
)
from tests.web.test_browser import SHOTS, base_url, browser, chromium_path, web_database

__all__ = ["base_url", "browser", "chromium_path", "web_database"]  # the fixtures this module reuses
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1200, "height": 900}


@pytest.fixture
async def context(browser: Browser, base_url: str) -> AsyncIterator[BrowserContext]:
    """An English browser whose every request is checked: none may leave 127.0.0.1."""
    made = await browser.new_context(viewport=DESKTOP, locale="en-GB")
    yield made
    await made.close()


async def test_find_a_student_with_a_typo_open_edit_and_add_one(
    context: BrowserContext, base_url: str, web_database: DatabaseUrls
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    outside = watch_the_network(context, base_url)
    name, student_id = await a_student_in_a_group(web_database)
    first, last = name.split(" ", 1)
    typo = f"{first} {last[:-2]}{last[-1]}"  # a letter dropped near the end
    page = await context.new_page()
    await log_in_as(page, base_url)

    await page.goto(f"{base_url}/app/students")
    await expect(page.locator("#where")).to_contain_text("of")  # "1–25 of N"
    await page.fill("#q", typo)
    await expect(page.locator("#where")).to_contain_text("found")  # the search answered, not the list
    result = page.locator("#content a", has_text=name)
    await expect(result.first).to_be_visible()
    await page.screenshot(path=str(SHOTS / "students-search-typo.png"))
    await result.first.click()
    await page.wait_for_url(f"**/app/student?id={student_id}")
    await expect(page.locator("#name")).to_have_text(name)
    await expect(page.locator("#groups .membership").first).to_be_visible()
    await expect(page.locator("#money .big")).to_contain_text("Owes")

    await page.get_by_role("button", name="Edit").click()
    await page.fill("#edit-form input[name=phone]", "+34 611 222 333")
    await page.locator("#edit-form").get_by_role("button", name="Save").click()
    await expect(page.locator("#who-state")).to_have_text("Saved.")
    await expect(page.locator("#contact")).to_contain_text("611")
    phone = await owner_query(web_database, select(Student.phone).where(Student.id == uuid.UUID(student_id)))
    assert "611" in str(phone[0][0]).replace(" ", "")
    await page.screenshot(path=str(SHOTS / "student-page.png"), full_page=True)

    await page.goto(f"{base_url}/app/students")
    await page.get_by_role("button", name="Add student").click()
    new_name = f"Nerea Prueba {uuid.uuid4().hex[:4]}"
    await page.fill("#new input[name=full_name]", new_name)
    await page.locator("#new").get_by_role("button", name="Save").click()
    await page.wait_for_url("**/app/student?id=*")
    await expect(page.locator("#who-state")).to_have_text("Student added.")
    await expect(page.locator("#groups")).to_contain_text("In no group.")
    group = await page.locator("#enrol select option").first.text_content()
    await page.locator("#enrol").get_by_role("button", name="Enrol").click()
    await expect(page.locator("#enrol .state")).to_contain_text(f"Enrolled in {group}")
    await expect(page.locator("#groups .membership")).to_have_count(1)
    membership = page.locator("#groups .membership").first
    target = await membership.locator("form.move option").first.text_content()
    target_id = await membership.locator("form.move option").first.get_attribute("value")
    tomorrow = await page.evaluate("addDays(schoolToday(), 1)")
    await membership.locator("form.move input[name=on_date]").fill(tomorrow)
    await membership.get_by_role("button", name="Move").click()
    await expect(page.locator("#enrol .state")).to_contain_text(f"Moved from {group} to {target}")
    await expect(page.locator("#groups .membership")).to_have_count(2)  # both kept, with their dates
    moved = page.locator(f"#groups .membership[data-group='{target_id}']")
    await moved.locator("form.leave input[name=end_date]").fill(
        await page.evaluate("addDays(schoolToday(), 30)")
    )
    await moved.get_by_role("button", name="Leave").click()
    await expect(page.locator("#enrol .state")).to_have_text(f"Left {target}.")
    await page.screenshot(path=str(SHOTS / "student-moved-and-left.png"))

    await page.fill("#sibling input[name=sibling]", name)  # the student found with a typo is her sister
    await page.get_by_role("button", name="Join the family").click()
    await expect(page.locator("#family .body")).to_contain_text(f"Siblings: {name}")
    await page.locator("#family .body a", has_text=name).click()
    await page.wait_for_url(f"**/app/student?id={student_id}")
    await expect(page.locator("#family .body")).to_contain_text(new_name)
    assert outside == []


async def test_record_a_payment_in_spanish_on_a_phone(
    browser: Browser, base_url: str, web_database: DatabaseUrls
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = await browser.new_context(viewport=PHONE, locale="es-ES")
    outside = watch_the_network(context, base_url)
    page = await context.new_page()
    await log_in_as(page, base_url)
    name, student_id = await a_student_in_a_group(web_database)
    await page.goto(f"{base_url}/app/student?id={student_id}")
    await expect(page.locator("header nav")).to_contain_text("Alumnos")
    await expect(page.locator("#money .big")).to_contain_text("€")
    owes = await page.locator("#money .big").text_content()
    assert owes is not None and owes.startswith("Debe ") and "," in owes  # "Debe 45,00 €"
    await page.screenshot(path=str(SHOTS / "student-page-es-phone.png"), full_page=True)

    await page.get_by_role("link", name="Registrar un pago").click()
    await page.wait_for_url("**/app/payments?student=*")
    await expect(page.locator("#pay input[name=student]")).to_have_value(name)
    await page.fill("#pay input[name=amount]", "1234,5")
    await page.get_by_role("button", name="Registrar", exact=True).click()
    await expect(page.locator("#pay .state")).to_have_text(f"Registrado 1.234,50 € de {name}.")
    await expect(page.locator("#allocation")).to_contain_text("Cómo se ha aplicado")
    await page.screenshot(path=str(SHOTS / "payment-recorded-es-phone.png"), full_page=True)
    recorded = await owner_query(
        web_database,
        select(func.count()).where(
            Payment.student_id == uuid.UUID(student_id), Payment.amount == Decimal("1234.50")
        ),
    )
    assert recorded[0][0] == 1
    await expect(page.locator("#unpaid h2")).to_have_text("Sin pagar este mes")
    assert outside == []
    await context.close()


async def test_mark_attendance_in_spanish_and_cancel_a_class(
    browser: Browser, base_url: str, web_database: DatabaseUrls
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    group_name, session_id, other_id = await two_classes_today(web_database)
    context = await browser.new_context(viewport=PHONE, locale="es-ES")
    outside = watch_the_network(context, base_url)
    page = await context.new_page()
    await log_in_as(page, base_url)
    await page.goto(f"{base_url}/app/today")
    card = page.locator(f".card[data-session='{session_id}']")  # the class made here
    await expect(card).to_contain_text(group_name)
    row = card.locator(".row").first
    await expect(row).to_contain_text("sin marcar todavía")
    student = (await row.locator(".name").text_content() or "").split("sin marcar")[0].strip()
    await row.get_by_text("Tarde").click()
    await card.get_by_role("button", name="Guardar").click()
    await expect(card.locator(".state")).to_have_text(f"1 cambiado: {student} sin marcar → tarde")
    marks = await owner_query(
        web_database, select(AttendanceRecord.status).where(AttendanceRecord.class_session_id == session_id)
    )
    assert [m[0].value for m in marks] == ["late"]
    await page.evaluate("window.scrollTo(0, 0)")
    await page.screenshot(path=str(SHOTS / "today-saved-es-phone.png"), full_page=True)

    other = page.locator(f".card[data-session='{other_id}']")
    await other.locator("summary").click()
    await other.locator("form.cancel input[name=reason]").fill("Profesora enferma")
    await other.get_by_role("button", name="Cancelar la clase").click()
    await expect(other.locator(".outcome")).to_have_text("Cancelada: Profesora enferma")
    await expect(other.locator(".status")).to_have_text("cancelada")
    status_of_other = select(ClassSession.status).where(ClassSession.id == other_id)
    cancelled = await owner_query(web_database, status_of_other)
    assert cancelled[0][0].value == "cancelled"
    assert outside == []
    await context.close()


async def test_settings_a_teachers_navigation_and_offline_docs(
    context: BrowserContext, browser: Browser, base_url: str
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    outside = watch_the_network(context, base_url)
    page = await context.new_page()
    await log_in_as(page, base_url)
    await page.goto(f"{base_url}/app/settings")
    colleague = f"new-{uuid.uuid4().hex[:6]}@demo-school.example"
    await page.fill("#invite input[name=email]", colleague)
    await page.select_option("#invite select[name=role]", "staff")
    await page.locator("#invite").get_by_role("button", name="Invite").click()
    await expect(page.locator("#invite .state")).to_contain_text("Invitation sent to")
    accept_url = (await page.locator("#invite-link").text_content() or "").strip()
    assert accept_url.startswith(f"{base_url}/invitations/accept?token=")
    await page.fill("#new-key input[name=name]", "Accounting export")
    await page.get_by_role("button", name="Create key").click()
    await expect(page.locator("#new-key-value")).to_contain_text("cad_")
    await page.get_by_role("button", name="Connect Telegram").click()
    await expect(page.locator("#link-command")).to_contain_text("/start ")
    await page.screenshot(path=str(SHOTS / "settings.png"), full_page=True)

    newcomer_context = await browser.new_context(viewport=PHONE, locale="es-ES")
    newcomer = await newcomer_context.new_page()
    await newcomer.goto(accept_url)  # the colleague opens the link, creates their account and joins
    await expect(newcomer.locator("h1")).to_have_text("Te han invitado")
    await newcomer.fill("input[name=name]", "Nueva Compañera")
    await newcomer.fill("input[name=email]", colleague)
    await newcomer.fill("input[name=password]", "a-long-enough-password-2026")
    await newcomer.get_by_role("button", name="Crear cuenta y unirme").click()
    await newcomer.wait_for_url("**/app/today")
    await expect(newcomer.locator("header nav")).to_contain_text("Pagos")  # staff: the office's pages
    await expect(newcomer.locator("header nav").get_by_role("link", name="Ajustes")).to_have_count(0)
    await newcomer_context.close()

    await page.goto(f"{base_url}/docs")
    await expect(page.locator(".swagger-ui .title")).to_contain_text("Cadence", timeout=20_000)
    await page.screenshot(path=str(SHOTS / "docs-offline.png"))
    assert outside == []

    teacher_context = await browser.new_context(viewport=PHONE)
    teacher = await teacher_context.new_page()
    await log_in_as(teacher, base_url, "teacher1@demo-school.example")
    nav = teacher.locator("header nav")
    await expect(nav).to_contain_text("Today")
    for hidden in ("Payments", "Settings"):
        await expect(nav.get_by_role("link", name=hidden)).to_have_count(0)
    await teacher.goto(f"{base_url}/app/payments")  # typed by hand: the API refuses, the page says so
    await expect(teacher.locator(".error").first).to_be_visible()
    await teacher.goto(f"{base_url}/app/students")  # their own students, without the office's buttons
    await expect(teacher.locator("#add")).to_be_hidden()
    await teacher.locator("#content a").first.click()
    await expect(teacher.locator("#attendance tbody tr").first).to_be_visible()
    for office_only in ("#money", "#enrol", "#edit", "#archive"):
        await expect(teacher.locator(office_only)).to_be_hidden()
    await teacher.goto(f"{base_url}/app/settings")
    await expect(teacher.get_by_role("button", name="Connect Telegram")).to_be_visible()
    await expect(teacher.locator("#people")).to_be_hidden()
    await teacher_context.close()


async def test_students_in_spanish_on_a_phone_search_open_edit(
    browser: Browser, base_url: str, web_database: DatabaseUrls
) -> None:
    name, student_id = await a_student_in_a_group(web_database, skip=1)
    first, last = name.split(" ", 1)
    context = await browser.new_context(viewport=PHONE, locale="es-ES")
    outside = watch_the_network(context, base_url)
    page = await context.new_page()
    await log_in_as(page, base_url)
    await page.goto(f"{base_url}/app/students")
    await expect(page.locator("h1")).to_have_text("Alumnos")
    await page.fill("#q", f"{first.lower()} {last[:-2]}{last[-1]}")
    await expect(page.locator("#where")).to_contain_text("encontrado")
    await page.locator("#content a", has_text=name).first.click()
    await page.wait_for_url(f"**/app/student?id={student_id}")
    await page.get_by_role("button", name="Editar").click()
    await page.fill("#edit-form input[name=email]", "familia@example.org")
    await page.locator("#edit-form").get_by_role("button", name="Guardar").click()
    await expect(page.locator("#who-state")).to_have_text("Guardado.")
    await expect(page.locator("#attendance h2")).to_have_text("Asistencia")
    await page.screenshot(path=str(SHOTS / "student-edited-es-phone.png"))
    email = await owner_query(web_database, select(Student.email).where(Student.id == uuid.UUID(student_id)))
    assert email[0][0] == "familia@example.org"
    assert outside == []
    await context.close()


async def test_record_a_payment_reconcile_an_mt940_and_approve_a_payout(
    context: BrowserContext, base_url: str, web_database: DatabaseUrls
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    outside = watch_the_network(context, base_url)
    page = await context.new_page()
    page.on("dialog", lambda dialog: dialog.accept("not a school payment"))  # a reason; the approval
    await log_in_as(page, base_url)

    payer, payer_id, _ = await someone_who_owes(web_database, skip=1)
    await page.goto(f"{base_url}/app/payments")
    await page.fill("#pay input[name=student]", payer)
    await page.fill("#pay input[name=amount]", "10")
    await page.select_option("#pay select[name=method]", "cash")
    await page.get_by_role("button", name="Record", exact=True).click()
    await expect(page.locator("#pay .state")).to_have_text(f"Recorded €10.00 from {payer}.")
    await expect(page.locator("#allocation table")).to_contain_text("€10.00")

    name, student_id, owed = await someone_who_owes(web_database)
    first, _, _ = await someone_who_owes(web_database, skip=2)
    second, second_id, _ = await someone_who_owes(web_database, skip=3)
    today = (await demo_admin(web_database)).today()
    statement: FilePayload = {
        "name": "statement.sta",
        "mimeType": "text/plain",
        "buffer": mt940_paying(name, owed, today, for_two=(first, second, Decimal("90.00"))),
    }
    await page.locator("#statement input[type=file]").set_input_files(files=[statement])
    await page.select_option("#statement select[name=format]", "mt940")
    await page.get_by_role("button", name="Upload").click()
    await expect(page.locator("#statement .state")).to_have_text("4 new lines of 4.")
    line = page.locator("#bank .line", has_text=name.upper())
    proposal = line.locator(".candidates li").first
    await expect(proposal).to_contain_text(name)
    await expect(proposal.locator(".confidence")).to_contain_text("%")
    await expect(proposal.locator(".reasons")).not_to_be_empty()
    await page.locator("#bank").screenshot(path=str(SHOTS / "reconciliation-proposals.png"))
    await line.get_by_role("button", name="Confirm").click()
    await expect(line.locator(".state")).to_have_text(f"Recorded as {name}'s payment.")
    await expect(page.locator("#bank .line", has_text="BANCO")).to_have_count(0)  # a fee is no payment
    stranger = page.locator("#bank .line", has_text="INMOBILIARIA ZETA")
    await stranger.get_by_role("button", name="Ignore").click()
    await expect(stranger.locator(".state")).to_have_text("Ignored.")
    family = page.locator("#bank .line", has_text="FAMILIA")  # one transfer for two students: split it
    await family.locator("details.split summary").click()
    await family.locator(f"details.split input[name='{second_id}']").fill("50")
    first_input = family.locator("details.split label", has_text=first).locator("input")
    await first_input.fill("40")
    await family.get_by_role("button", name="Split", exact=True).click()
    await expect(family.locator(".state")).to_have_text("Split into 2 payments.")
    await expect(page.locator("#trail")).to_contain_text("Transfer split")
    await expect(page.locator("#trail")).to_contain_text("Transfer matched")
    await expect(page.locator("#trail")).to_contain_text("Transfer ignored")
    await page.locator("#bank").screenshot(path=str(SHOTS / "reconciliation-decided.png"))
    paid = await owner_query(
        web_database,
        select(func.count()).where(Payment.student_id == uuid.UUID(student_id), Payment.amount == owed),
    )
    assert paid[0][0] >= 1
    cash = await owner_query(
        web_database, select(func.count()).where(Payment.student_id == uuid.UUID(payer_id))
    )
    assert cash[0][0] >= 1

    await page.goto(f"{base_url}/app/payouts")
    card = page.locator(".payout", has=page.locator("button.approve")).first
    teacher = await card.get_attribute("data-teacher")
    await card.locator("summary").click()
    await expect(card.locator("tbody tr").first).to_be_visible()
    await card.get_by_role("button", name="Approve").click()
    await expect(card.locator(".state")).to_have_text("Approved and locked.")
    await card.get_by_role("button", name="Mark paid").click()
    await expect(card.locator(".state")).to_contain_text("Marked paid (")
    await page.evaluate("window.scrollTo(0, 0)")
    await page.screenshot(path=str(SHOTS / "payout-approved.png"), full_page=True)
    approved = await owner_query(
        web_database, select(func.count()).where(TeacherPayout.teacher_id == uuid.UUID(str(teacher)))
    )
    assert approved[0][0] == 1
    of_teacher = select(TeacherPayout.status).where(TeacherPayout.teacher_id == uuid.UUID(str(teacher)))
    assert [s.value for (s,) in await owner_query(web_database, of_teacher)] == ["paid"]
    assert outside == []


async def test_groups_show_teacher_schedule_capacity_and_the_roster_on_any_date(
    browser: Browser, base_url: str, web_database: DatabaseUrls
) -> None:
    context = await browser.new_context(viewport=PHONE, locale="en-GB")
    outside = watch_the_network(context, base_url)
    page = await context.new_page()
    await log_in_as(page, base_url)
    await page.goto(f"{base_url}/app/groups")
    group = page.locator("details.group").first
    await expect(group.locator(".count")).to_have_text(re.compile(r"^\d+( / \d+)?"))
    enrolled = int((await group.locator(".count").text_content() or "0").split()[0])
    assert enrolled > 0
    await group.locator("summary").click()
    await expect(group).to_contain_text("Weekly schedule")
    await expect(group.locator("li")).to_have_count(enrolled)
    last = page.locator("details.group").last  # the office sets a capacity: this group is now full
    group_id = await last.get_attribute("data-group")
    size = int((await last.locator(".count").text_content() or "0").split()[0])
    await last.locator("summary").click()
    await last.locator("form.edit-group input[name=capacity]").fill(str(size))
    await last.get_by_role("button", name="Save").click()
    again = page.locator(f"details.group[data-group='{group_id}']")
    await expect(again.locator("form.edit-group .state")).to_have_text("Saved.")
    await expect(again.locator(".count")).to_have_text(f"{size} / {size} full")
    capacity = await owner_query(
        web_database, select(Group.capacity).where(Group.id == uuid.UUID(str(group_id)))
    )
    assert capacity[0][0] == size
    await page.screenshot(path=str(SHOTS / "groups-phone.png"), full_page=True)
    await page.fill("#on", "2001-01-01")  # long before the school: nobody enrolled that day
    await page.locator("#on").dispatch_event("change")
    await expect(page.locator("details.group .count").first).to_have_text(re.compile(r"^0\b"))
    assert outside == []
    await context.close()
