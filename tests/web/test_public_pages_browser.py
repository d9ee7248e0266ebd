"""The public pages in a real browser, on a phone and a desktop, in the school's language whatever the
browser's: a parent's upload link (too large, wrong type, a fake PDF the server refuses — nothing stored —
then a real receipt; an expired link; an old link to the API address lands on the page) and the
registration form (missing name, no contact, a bad email the server refuses — nothing stored — then
accepted; no such school). And the person's language in the app: the organization's locale until they
choose, the header switch stores the choice on their account, a new login on another device keeps it.
No request leaves the machine. Screenshots under artifacts/screenshots/ (looked at when written)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.async_api import Browser, FilePayload, Page, ViewportSize, expect
from sqlalchemy import func, select

from channels.embedded import DatabaseUrls
from domain.auth import service as auth
from domain.db import create_engine, session_factory, unit_of_work
from domain.orgs import service as orgs
from domain.orgs.models import OrganizationType
from domain.payments import receipts
from domain.payments.models import Receipt
from domain.students.models import Student, StudentStatus
from domain.students.schemas import StudentIn
from domain.students.service import new_student
from tests.web.pages_support import owner_query, watch_the_network
from tests.web.test_browser import PASSWORD, SHOTS, base_url, browser, chromium_path, web_database

__all__ = ["base_url", "browser", "chromium_path", "web_database"]  # the fixtures this module reuses
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1200, "height": 900}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@dataclass(frozen=True)
class School:
    org_id: uuid.UUID
    name: str
    slug: str
    admin_email: str
    student_id: uuid.UUID
    token: str


async def a_school(web_database: DatabaseUrls, *, locale: str) -> School:
    """A school of its own (its admin, one student, an upload link), so the demo's people are untouched."""
    tag = uuid.uuid4().hex[:6]
    engine = create_engine(web_database.app)
    try:
        async with unit_of_work(session_factory(engine)) as session:
            admin = await auth.signup(
                session, email=f"office-{tag}@school.example", password=PASSWORD, name="Ofi"
            )
            org, tenant = await orgs.create_organization(
                session,
                user_id=admin.id,
                name=f"Escuela Luna {tag}",
                slug=f"luna-{tag}",
                type=OrganizationType.SCHOOL,
                timezone="Europe/Madrid",
                locale=locale,
                country="ES",
            )
            student = await new_student(session, tenant, data=StudentIn(full_name="Lucía Pérez Gil"))
            _, token = await receipts.create_link(
                session, tenant, student_id=student.id, now=tenant.now(), ttl=timedelta(days=30)
            )
            return School(org.id, org.name, org.slug, admin.email, student.id, token)
    finally:
        await engine.dispose()


def csp_refusals(page: Page) -> list[str]:
    """What the Content-Security-Policy refused on this page (its scripts are files: nothing should be)."""
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    return refused


async def receipts_of(web_database: DatabaseUrls, student_id: uuid.UUID) -> int:
    rows = await owner_query(
        web_database, select(func.count()).select_from(Receipt).where(Receipt.student_id == student_id)
    )
    return int(rows[0][0])


async def pending_in(web_database: DatabaseUrls, org_id: uuid.UUID) -> list[str]:
    query = select(Student.full_name).where(
        Student.organization_id == org_id, Student.status == StudentStatus.PENDING
    )
    return [row[0] for row in await owner_query(web_database, query)]


async def test_a_parent_uploads_a_receipt_in_the_schools_spanish_on_a_phone(
    browser: Browser, base_url: str, web_database: DatabaseUrls
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    school = await a_school(web_database, locale="es_ES")
    context = await browser.new_context(
        viewport=PHONE, locale="en-GB"
    )  # an English phone: the school's language
    outside = watch_the_network(context, base_url)
    page = await context.new_page()
    refused = csp_refusals(page)
    await page.goto(f"{base_url}/upload/{school.token}")
    await expect(page.locator("h1")).to_have_text("Subir el justificante de la transferencia")
    await expect(page.locator("#about")).to_have_text(f"Para Lucía en {school.name}.")
    await expect(page.locator("#rules")).to_contain_text("de hasta 10 MB")
    file = page.locator("input[type=file]")
    send = page.get_by_role("button", name="Enviar")

    await send.click()
    await expect(page.locator("#state")).to_have_text("Elige primero un archivo.")
    await file.set_input_files(
        FilePayload(name="huge.pdf", mimeType="application/pdf", buffer=b"0" * (10 * 1024 * 1024 + 1))
    )
    await send.click()
    await expect(page.locator("#state")).to_have_text("El archivo es demasiado grande: el límite es 10 MB.")
    await file.set_input_files(FilePayload(name="notes.txt", mimeType="text/plain", buffer=b"hola"))
    await send.click()
    await expect(page.locator("#state")).to_have_text(
        "Ese tipo de archivo no se acepta: envía un JPEG, PNG o PDF."
    )
    await file.set_input_files(
        FilePayload(name="fake.pdf", mimeType="application/pdf", buffer=b"MZ" + b"\0" * 99)
    )
    await send.click()  # passes the page's checks; the server reads the bytes and refuses them
    await expect(page.locator("#state")).to_have_text(
        "Ese tipo de archivo no se acepta: envía un JPEG, PNG o PDF."
    )
    await page.screenshot(path=str(SHOTS / "upload-refused-es-phone.png"), full_page=True)
    assert await receipts_of(web_database, school.student_id) == 0  # nothing stored on bad input

    await file.set_input_files(FilePayload(name="transferencia.pdf", mimeType="application/pdf", buffer=PDF))
    await send.click()
    await expect(page.locator("#state")).to_have_text(
        f"¡Gracias! {school.name} ha recibido el justificante y lo revisará."
    )
    await page.screenshot(path=str(SHOTS / "upload-done-es-phone.png"), full_page=True)
    assert await receipts_of(web_database, school.student_id) == 1

    await page.select_option("#lang", "en")  # the family may read it in English
    await expect(page.locator("#state")).to_have_text(
        f"Thank you! {school.name} has your receipt and will check it."
    )
    await page.goto(f"{base_url}/api/v1/public/receipts/{school.token}")  # a link sent before the page
    await expect(page).to_have_url(f"{base_url}/upload/{school.token}")
    await expect(page.locator("h1")).to_have_text("Subir el justificante de la transferencia")
    assert outside == [] and refused == []
    await context.close()


async def test_a_parent_uploads_in_english_and_an_expired_link_says_so(
    browser: Browser, base_url: str, web_database: DatabaseUrls
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    school = await a_school(web_database, locale="en")
    context = await browser.new_context(viewport=DESKTOP, locale="es-ES")
    outside = watch_the_network(context, base_url)
    page = await context.new_page()
    refused = csp_refusals(page)
    await page.goto(f"{base_url}/upload/{school.token}")
    await expect(page.locator("h1")).to_have_text("Upload a transfer receipt")
    await page.locator("input[type=file]").set_input_files(
        FilePayload(name="receipt.pdf", mimeType="application/pdf", buffer=PDF)
    )
    await page.get_by_role("button", name="Send").click()
    await expect(page.locator("#state")).to_have_text(
        f"Thank you! {school.name} has your receipt and will check it."
    )
    await page.screenshot(path=str(SHOTS / "upload-done-desktop.png"))
    assert await receipts_of(web_database, school.student_id) == 1

    await page.goto(f"{base_url}/upload/an-old-or-made-up-token")
    await expect(page.locator("#state")).to_contain_text(
        "no es válido"
    )  # no school known: the browser's language
    await expect(page.locator("#upload")).to_be_hidden()
    await page.screenshot(path=str(SHOTS / "upload-expired-desktop.png"))
    assert outside == [] and refused == []
    await context.close()


@pytest.mark.parametrize(("viewport", "locale"), [(PHONE, "es_ES"), (DESKTOP, "en")])
async def test_the_registration_form_in_the_schools_language(
    browser: Browser, base_url: str, web_database: DatabaseUrls, viewport: ViewportSize, locale: str
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    school = await a_school(web_database, locale=locale)
    spanish = locale.startswith("es")
    context = await browser.new_context(viewport=viewport, locale="en-GB" if spanish else "es-ES")
    outside = watch_the_network(context, base_url)
    page = await context.new_page()
    refused = csp_refusals(page)
    await page.goto(f"{base_url}/join/{school.slug}")
    title = f"Inscribirse en {school.name}" if spanish else f"Join {school.name}"
    await expect(page.locator("h1")).to_have_text(title)
    send = page.get_by_role("button", name="Enviar" if spanish else "Send")
    state = page.locator("#state")

    await send.click()
    await expect(state).to_have_text(
        "Revisa: Nombre completo del alumno." if spanish else "Please check: Student's full name."
    )
    await page.fill("input[name=full_name]", "Marta Ruiz Sol")
    await send.click()
    await expect(state).to_contain_text(
        "un correo o un teléfono" if spanish else "an email or a phone number"
    )
    await page.fill(
        "input[name=email]", "marta@"
    )  # the browser lets it through (novalidate); the server does not
    await send.click()
    await expect(state).to_have_text("Revisa: Correo electrónico." if spanish else "Please check: Email.")
    await expect(page.locator("input[name=email]")).to_have_attribute("aria-invalid", "")
    await page.screenshot(path=str(SHOTS / f"join-refused-{locale}.png"), full_page=True)
    assert await pending_in(web_database, school.org_id) == []  # nothing stored on bad input

    await page.fill("input[name=email]", "marta.ruiz@correo.example")
    await page.fill("input[name=guardian_name]", "Ana Sol")
    await send.click()
    done = "ha recibido tu solicitud" if spanish else "has your request and will contact you soon"
    await expect(state).to_contain_text(done)
    await expect(page.locator("#join")).to_be_hidden()
    await page.screenshot(path=str(SHOTS / f"join-done-{locale}.png"), full_page=True)
    assert await pending_in(web_database, school.org_id) == ["Marta Ruiz Sol"]

    await page.goto(f"{base_url}/join/no-such-school-{uuid.uuid4().hex[:6]}")
    await expect(state).to_contain_text(
        "No hay ningún formulario" if not spanish else "There is no registration form"
    )
    assert outside == [] and refused == []
    await context.close()


async def test_the_app_speaks_the_schools_language_until_the_person_chooses(
    browser: Browser, base_url: str, web_database: DatabaseUrls
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    school = await a_school(web_database, locale="es_ES")
    phone = await browser.new_context(viewport=PHONE, locale="en-GB")  # the browser says English
    outside = watch_the_network(phone, base_url)
    page = await phone.new_page()
    await page.goto(f"{base_url}/app/login")
    await page.fill("input[name=email]", school.admin_email)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url("**/app/chat")
    await page.goto(f"{base_url}/app/students")
    await expect(page.locator("header nav")).to_contain_text("Alumnos")  # the school's Spanish
    await page.select_option("header #lang", "en")
    await expect(page.locator("header nav")).to_contain_text("Students")
    await page.screenshot(path=str(SHOTS / "language-chosen-en-phone.png"))

    desktop = await browser.new_context(viewport=DESKTOP, locale="es-ES")  # another device, a Spanish browser
    outside += watch_the_network(desktop, base_url)
    other = await desktop.new_page()
    await other.goto(f"{base_url}/app/login")
    await other.fill("input[name=email]", school.admin_email)
    await other.fill("input[name=password]", PASSWORD)
    await other.click("button[type=submit]")
    await other.wait_for_url("**/app/chat")
    await other.goto(f"{base_url}/app/groups")
    await expect(other.locator("header nav")).to_contain_text("Groups")  # her choice, kept on her account
    await expect(other.locator("header #lang")).to_have_value("en")

    assert outside == []
    await phone.close()
    await desktop.close()
