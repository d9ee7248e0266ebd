"""The schedule page and the settings page in a real browser (Debian's Chromium, one per module; the app
served by uvicorn on the small demo), at desktop size in English and phone size in Spanish: add a weekly
class, change it from a date, generate, a substitute for one class, close a date and reopen it, the
public-holiday switch, a calendar link that serves ICS, remove the weekly class; the organization (a bad
time zone refused and nothing stored), fees, a member's role and removal, notifications and quiet hours,
a webhook, Telegram's t.me link with its QR code. Staff and teachers get no settings (the API refuses
them, the admin's same calls are the control) and a teacher no schedule. Nothing leaves the machine.
Screenshots under artifacts/screenshots/ (schedule-*.png, settings-*.png)."""

from __future__ import annotations

import re
import uuid
from datetime import time, timedelta
from decimal import Decimal

import pytest
from playwright.async_api import Browser, ViewportSize, expect
from sqlalchemy import select

from channels.embedded import DatabaseUrls
from domain.auth.models import User
from domain.groups.models import Group, GroupStatus
from domain.orgs.models import Organization, OrganizationMember
from domain.payments.models import BillingSettings
from domain.scheduling.models import Closure, GroupSlot
from domain.sessions.models import ClassSession
from domain.webhooks.models import WebhookEndpoint
from tests.web.pages_support import demo_admin, owner_query
from tests.web.schedule_settings_support import (
    BOT,
    DESKTOP,
    PHONE,
    STAFF,
    TEACHER,
    WORDS,
    a_page,
    an_open_day,
    base_url,
    browser,
    call,
)
from tests.web.test_browser import SHOTS, web_database

__all__ = ["base_url", "browser", "web_database"]  # the fixtures this module uses


@pytest.mark.parametrize(
    ("viewport", "lang", "email", "which", "shot"),
    [
        (DESKTOP, "en", STAFF, 0, "schedule-desktop-en"),
        (PHONE, "es", "admin@demo-school.example", -1, "schedule-phone-es"),
    ],
)
async def test_the_office_keeps_the_schedule(
    browser: Browser,
    base_url: str,
    web_database: DatabaseUrls,
    viewport: ViewportSize,
    lang: str,
    email: str,
    which: int,
    shot: str,
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    words = WORDS[lang]
    school = await demo_admin(web_database)
    groups = await owner_query(  # the owner sees every organization: the demo school's, by hand
        web_database,
        select(Group.id, Group.name, Group.teacher_id)
        .where(Group.organization_id == school.org_id, Group.status == GroupStatus.ACTIVE)
        .where(Group.teacher_id.is_not(None))
        .order_by(Group.name),
    )
    group_id, group_name, regular = groups[which]
    today = school.today()
    page, outside = await a_page(browser, base_url, viewport, lang, email)
    tomorrow = await an_open_day(page, today + timedelta(days=1))  # "tomorrow": the next day with classes
    await expect(page.locator("header nav").get_by_role("link", name=words["nav"])).to_be_visible()
    await page.goto(f"{base_url}/app/schedule")
    await page.select_option("#group", str(group_id))

    # A weekly class on that day's weekday at an hour nobody uses, then moved a quarter of an hour later.
    add = page.locator("#add-slot")
    await add.locator("select[name=weekday]").select_option(str(tomorrow.weekday()))
    await add.locator("input[name=start_time]").fill("06:00")
    await add.locator("input[name=end_time]").fill("06:45")
    await add.locator("button[type=submit]").click()
    await expect(add.locator(".state")).to_contain_text(words["added"])
    slot = page.locator("#slots li.slot", has_text="06:00")
    await expect(slot).to_have_count(1)
    await slot.locator("summary").click()
    await slot.locator("form.change-slot input[name=start_time]").fill("06:15")
    await slot.locator("form.change-slot button[type=submit]").click()
    await expect(page.locator("#slot-state")).to_contain_text(words["changed"])
    slot = page.locator("#slots li.slot", has_text="06:15")
    await expect(slot).to_have_count(1)

    # Generate three weeks; that day's class gets a substitute.
    generate = page.locator("#generate")
    await generate.locator("input[name=until]").fill((today + timedelta(days=22)).isoformat())
    await generate.locator("button[type=submit]").click()
    await expect(generate.locator(".state")).to_contain_text(words["created"])
    await page.fill("#week-day", tomorrow.isoformat())
    row = page.locator("#week .row.class", has_text="06:15").filter(has_text=group_name)
    await expect(row).to_have_count(1)
    teachers = await row.locator("select[name=teacher_id] option").evaluate_all(
        "os => os.map(o => o.value).filter(Boolean)"
    )
    substitute = next(t for t in teachers if t != str(regular))
    await row.locator("select[name=teacher_id]").select_option(substitute)
    await row.locator("button[type=submit]").click()
    await expect(page.locator("#week-state")).to_contain_text(words["teaches"])
    taught_by = await owner_query(
        web_database,
        select(ClassSession.teacher_id).where(
            ClassSession.group_id == group_id,
            ClassSession.date == tomorrow,
            ClassSession.start_time == time(6, 15),
        ),
    )
    assert [str(t) for (t,) in taught_by] == [substitute]

    # A closure two days ahead cancels that day's classes; reopening withdraws it (its row stays).
    reason = f"Feria {uuid.uuid4().hex[:4]}"
    closure = page.locator("#add-closure")
    await closure.locator("input[name=start_date]").fill((tomorrow + timedelta(days=2)).isoformat())
    await closure.locator("input[name=reason]").fill(reason)
    await closure.locator("button[type=submit]").click()
    await expect(closure.locator(".state")).to_contain_text(words["closed"])
    listed = page.locator("#closures tr", has_text=reason)
    await expect(listed).to_have_count(1)
    await page.screenshot(path=str(SHOTS / f"{shot}.png"), full_page=True)
    await listed.locator("button.reopen").click()
    await expect(closure.locator(".state")).to_contain_text(words["reopened"])
    withdrawn = await owner_query(web_database, select(Closure.withdrawn_at).where(Closure.reason == reason))
    assert len(withdrawn) == 1 and withdrawn[0][0] is not None

    # The school's calendar link serves the classes as ICS.
    feed = page.locator("#new-feed")
    await feed.locator("select[name=target]").select_option("school:")
    await feed.locator("button[type=submit]").click()
    url = (await page.locator("#feed-url").text_content() or "").strip()
    assert url.startswith(f"{base_url}/api/v1/public/calendar/cal_")
    ics = await page.request.get(url)
    assert ics.ok and "text/calendar" in ics.headers["content-type"] and "BEGIN:VEVENT" in await ics.text()

    # Removed from the day after on: that day's class stays, the later ones are cancelled.
    await slot.locator("summary").click()
    await slot.locator("form.end-slot input[name=from_date]").fill((tomorrow + timedelta(days=1)).isoformat())
    await slot.locator("form.end-slot button[type=submit]").click()
    await expect(page.locator("#slot-state")).to_contain_text(words["removed"])
    states = await owner_query(
        web_database,
        select(ClassSession.date, ClassSession.status)
        .where(ClassSession.group_id == group_id, ClassSession.start_time == time(6, 15))
        .order_by(ClassSession.date),
    )
    # (a later date may be a public holiday the demo school skips: it has no class to cancel)
    assert states[0][0] == tomorrow and states[0][1].value == "scheduled"
    assert len(states) >= 2 and all(d > tomorrow and s.value == "cancelled" for d, s in states[1:])
    assert (
        await owner_query(
            web_database,
            select(GroupSlot.valid_until).where(
                GroupSlot.group_id == group_id, GroupSlot.start_time == time(6, 15)
            ),
        )
    )[0][0] == tomorrow
    await page.screenshot(path=str(SHOTS / f"{shot}-week.png"))
    assert (
        await page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    )  # nothing sticks out
    assert outside == []


async def test_public_holidays_switch_on_the_schedule_page(
    browser: Browser, base_url: str, web_database: DatabaseUrls
) -> None:
    page, outside = await a_page(browser, base_url, DESKTOP, "en", "admin@demo-school.example")
    await page.goto(f"{base_url}/app/schedule")
    switch = page.locator("#holiday-switch")
    await expect(page.locator("#holiday-state")).to_contain_text(
        "ES"
    )  # loaded: the form shows what is stored
    await switch.locator("input[name=holiday_region]").fill("md")
    await switch.locator("button[type=submit]").click()
    await expect(switch.locator(".state")).to_have_text("Saved.")
    await expect(page.locator("#holiday-state")).to_contain_text("ES-MD")
    [(region,)] = await owner_query(
        web_database, select(Organization.holiday_region).where(Organization.slug == "demo-school")
    )
    assert region == "MD"
    await switch.locator("input[name=holiday_region]").fill(
        "Atlantis"
    )  # no such region: refused, nothing stored
    await switch.locator("button[type=submit]").click()
    await expect(switch.locator(".state")).to_contain_text("not a holiday region")
    assert (
        await owner_query(
            web_database, select(Organization.holiday_region).where(Organization.slug == "demo-school")
        )
    )[0][0] == "MD"
    await page.locator("#holidays").scroll_into_view_if_needed()
    await page.screenshot(path=str(SHOTS / "schedule-holidays.png"))
    assert outside == []


@pytest.mark.parametrize(
    ("viewport", "lang", "member", "shot"),
    [(DESKTOP, "en", 3, "settings-desktop-en"), (PHONE, "es", 4, "settings-phone-es")],
)
async def test_an_admin_keeps_the_settings(
    browser: Browser,
    base_url: str,
    web_database: DatabaseUrls,
    viewport: ViewportSize,
    lang: str,
    member: int,
    shot: str,
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    words = WORDS[lang]
    page, outside = await a_page(browser, base_url, viewport, lang, "admin@demo-school.example")
    await page.goto(f"{base_url}/app/settings")
    await page.wait_for_load_state("networkidle")  # every section loaded: typing now is not overwritten
    await expect(page.locator("#org-form input[name=name]")).not_to_have_value("")
    demo = Organization.slug == "demo-school"

    org = page.locator("#org-form")
    new_name = f"Demo School {uuid.uuid4().hex[:4]}"
    await org.locator("input[name=name]").fill(new_name)
    await org.locator("input[name=timezone]").fill(
        "Europe/Madird"
    )  # a typo: refused, and the name not saved either
    await org.locator("button[type=submit]").click()
    await expect(org.locator(".state")).to_contain_text("Europe/Madird")
    assert (await owner_query(web_database, select(Organization.name).where(demo)))[0][0] != new_name
    await org.locator("input[name=timezone]").fill("Europe/Madrid")
    await org.locator("button[type=submit]").click()
    await expect(org.locator(".state")).to_have_text(words["saved"])
    assert (await owner_query(web_database, select(Organization.name, Organization.timezone).where(demo)))[
        0
    ] == (new_name, "Europe/Madrid")

    fee = "47,50" if lang == "es" else "47.50"
    billing = page.locator("#billing-form")
    await billing.locator("input[name=default_monthly_fee]").fill(fee)
    await billing.locator("button[type=submit]").click()
    await expect(billing.locator(".state")).to_contain_text("47,50 €" if lang == "es" else "€47.50")
    latest = await owner_query(
        web_database,
        select(BillingSettings.default_monthly_fee).order_by(BillingSettings.created_at.desc()).limit(1),
    )
    assert latest[0][0] == Decimal("47.50")

    colleague = f"teacher{member}@demo-school.example"
    [(member_id,)] = await owner_query(
        web_database,
        select(OrganizationMember.id)
        .join(User, User.id == OrganizationMember.user_id)
        .join(Organization, Organization.id == OrganizationMember.organization_id)
        .where(demo, User.email == colleague),
    )
    await page.locator(f"select.member-role[data-id='{member_id}']").select_option("staff")
    await expect(page.locator("#members-state")).to_contain_text("staff" if lang == "en" else "oficina")
    await page.locator(f"button.remove-member[data-id='{member_id}']").click()
    await expect(page.locator(f"select.member-role[data-id='{member_id}']")).to_have_count(0)
    [(removed_at, now_role)] = await owner_query(
        web_database,
        select(OrganizationMember.removed_at, OrganizationMember.role).where(
            OrganizationMember.id == member_id
        ),
    )
    assert removed_at is not None and now_role.value == "staff"

    notify = page.locator("#notify-form")
    await notify.locator("input[name=kind][value=admin_digest]").uncheck()
    await notify.locator("input[name=quiet_start]").fill("22:00")
    await notify.locator("input[name=quiet_end]").fill("08:00")
    await notify.locator("button[type=submit]").click()
    await expect(notify.locator(".state")).to_have_text(words["quiet"])
    prefs = await page.evaluate("json('/notifications/settings')")
    assert "admin_digest" in prefs["disabled_kinds"] and prefs["quiet_start"] == "22:00:00"

    hooks = page.locator("#new-webhook")
    address = f"https://hooks.example.com/{uuid.uuid4().hex[:6]}"
    await hooks.locator("input[name=url]").fill(address)
    await hooks.locator("input[name=event_types]").fill("session.cancelled, payment.recorded")
    await hooks.locator("button[type=submit]").click()
    await expect(page.locator("#webhook-secret")).not_to_be_empty()
    listed = page.locator("#webhooks tr", has_text=address)
    await listed.locator("button.disable").click()
    await expect(page.locator("#webhooks tr", has_text=address).locator("button.disable")).to_have_count(0)
    [(disabled_at,)] = await owner_query(
        web_database, select(WebhookEndpoint.disabled_at).where(WebhookEndpoint.url == address)
    )
    assert disabled_at is not None  # nothing will be sent to it: the test never reaches the network

    # The registration form's address for families, where Cadence is served, with its QR code; it opens
    # the school's form.
    registration = page.locator("#registration-url")
    join_url = await registration.get_attribute("href")
    assert join_url is not None and join_url.endswith("/join/demo-school")
    await expect(registration).to_have_text(join_url)
    await expect(page.locator("#registration-qr svg")).to_be_visible()
    form = await page.request.get(join_url.replace(join_url.split("/join/")[0], base_url))
    assert form.ok and "text/html" in form.headers["content-type"]

    await page.locator("#connect").click()
    link = page.locator("#telegram-link")
    href = await link.get_attribute("href")
    assert href is not None and href.startswith(f"https://t.me/{BOT}?start=")
    await expect(page.locator("#telegram-qr svg")).to_be_visible()
    assert (await page.locator("#link-command").text_content() or "").endswith(href.split("start=")[1])
    await page.locator("#telegram").scroll_into_view_if_needed()
    await page.screenshot(path=str(SHOTS / f"{shot}-telegram.png"))
    await page.screenshot(path=str(SHOTS / f"{shot}.png"), full_page=True)
    assert (
        await page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    )  # nothing sticks out
    assert outside == []  # the QR code is drawn by our server: no image came from anywhere else


async def test_staff_and_teachers_get_no_settings_and_a_teacher_no_schedule(
    browser: Browser, base_url: str, web_database: DatabaseUrls
) -> None:
    admin, _ = await a_page(browser, base_url, DESKTOP, "en", "admin@demo-school.example")
    staff, outside = await a_page(browser, base_url, PHONE, "en", STAFF)
    nav = staff.locator("header nav")
    await expect(nav.get_by_role("link", name="Schedule")).to_be_visible()
    await expect(nav.get_by_role("link", name="Settings")).to_have_count(0)
    await staff.goto(f"{base_url}/app/settings")  # typed by hand: their own Telegram only
    await expect(staff.locator("#admins-only")).to_be_visible()
    join_link = staff.locator("#registration-url")  # the office hands the registration form out
    await expect(join_link).to_have_attribute("href", re.compile(r"/join/demo-school$"))
    for section in ("#organization", "#billing", "#people", "#notifications", "#keys", "#webhooks"):
        await expect(staff.locator(section)).to_be_hidden()
    await staff.screenshot(path=str(SHOTS / "settings-staff-phone.png"), full_page=True)

    teacher, teacher_outside = await a_page(browser, base_url, PHONE, "es", TEACHER)
    await expect(teacher.locator("header nav").get_by_role("link", name="Horario")).to_have_count(0)
    await teacher.goto(f"{base_url}/app/schedule")
    await expect(teacher.locator("main")).to_contain_text("El horario lo lleva la oficina.")
    await teacher.goto(f"{base_url}/app/settings")  # their own things: Telegram, and their classes' calendar
    await teacher.locator("#make-my-feed").click()
    my_link = (await teacher.locator("#my-feed-url").text_content() or "").strip()
    ics = await teacher.request.get(my_link)
    assert ics.ok and "BEGIN:VEVENT" in await ics.text()
    await expect(teacher.locator("#organization")).to_be_hidden()
    await expect(teacher.locator("#registration")).to_be_hidden()  # the office's to hand out
    await teacher.screenshot(path=str(SHOTS / "settings-teacher-phone-es.png"), full_page=True)

    # The API refuses them what the admin may do (the control: the admin's own calls go through), and a
    # refusal stores nothing (the admin reads the values the others tried to change as they were).
    for method, path, mine, theirs in (
        ("PATCH", "/org", {"teachers_see_contacts": False}, {"teachers_see_contacts": True}),
        ("PATCH", "/notifications/settings", {"agenda_hour": 7}, {"agenda_hour": 5}),
        ("GET", "/notifications/settings", None, None),
        ("GET", "/webhooks", None, None),
    ):
        assert await call(admin, method, path, mine) == 200, path
        assert await call(staff, method, path, theirs) == 403, path
        assert await call(teacher, method, path, theirs) == 403, path
    assert (await admin.evaluate("json('/org')"))["teachers_see_contacts"] is False
    assert (await admin.evaluate("json('/notifications/settings')"))["agenda_hour"] == 7
    today = (await demo_admin(web_database)).today()
    closure = {"start_date": (today + timedelta(days=300)).isoformat(), "reason": "Teacher tries"}
    assert await call(teacher, "POST", "/closures", closure) == 403
    assert await call(staff, "POST", "/closures", closure | {"reason": "Office may"}) == 201
    assert outside == [] and teacher_outside == []
