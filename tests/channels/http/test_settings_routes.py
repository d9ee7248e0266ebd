"""The settings page's routes: the organization (name, timezone, currency, locale, country, holidays) with
validation that stores nothing when a value is wrong, notification settings, webhooks and the Telegram
connect link with its QR code; admins only, each refusal paired with the admin doing the same."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import segno
from httpx import AsyncClient

from domain.settings import Settings
from tests.channels.http.helpers import Browser, create_org, error_code, join, signup

BOT = "cadence_school_bot"


@pytest.fixture
def settings() -> Settings:
    """The app's settings with a Telegram bot, so the link code comes with its t.me link."""
    return Settings(login_max_failures_per_account=5, login_max_failures_per_ip=30, telegram_bot_username=BOT)


async def office(make_client: Callable[[], AsyncClient]) -> tuple[Browser, Browser, Browser]:
    admin = await signup(make_client(), "admin")
    await create_org(admin, name="Salsa Sur", timezone="Europe/Madrid", country="ES")
    staff, teacher = await signup(make_client(), "staff"), await signup(make_client(), "teacher")
    await join(admin, staff, "staff")
    await join(admin, teacher, "teacher")
    return admin, staff, teacher


async def test_an_admin_changes_the_organization_and_a_wrong_value_stores_nothing(
    make_client: Callable[[], AsyncClient],
) -> None:
    admin, staff, teacher = await office(make_client)
    changed = await admin.patch(
        "/org",
        {
            "name": "Salsa Sur Madrid",
            "timezone": "Atlantic/Canary",
            "currency": "usd",
            "locale": "es-ES",
            "public_holidays": True,
            "holiday_region": "md",
        },
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["name"], body["timezone"], body["currency"], body["locale"]) == (
        "Salsa Sur Madrid",
        "Atlantic/Canary",
        "USD",
        "es_ES",
    )
    assert (body["public_holidays"], body["holiday_region"], body["country"]) == (True, "MD", "ES")

    for wrong, field in (
        ({"name": "Another name", "timezone": "Europe/Madird"}, "timezone"),
        ({"name": "Another name", "currency": "EUX"}, "currency"),
        ({"locale": "klingon"}, "locale"),
        ({"country": "XX"}, "country"),
        ({"holiday_region": "ZZ"}, "holiday_region"),
        ({"country": None}, "country"),  # public holidays are on: they need a country
    ):
        refused = await admin.patch("/org", wrong)
        assert refused.status_code == 422, (wrong, refused.text)
        assert refused.json()["error"]["details"]["field"] == field
    for malformed in ({"name": None}, {"timezone": 5}, {"schedule_horizon_weeks": 0}, {"slug": "x"}):
        assert (await admin.patch("/org", malformed)).status_code == 422, malformed
    assert (await admin.get("/org")).json() == body  # none of those stored anything

    moved = await admin.patch("/org", {"country": "PT", "public_holidays": False})
    assert (moved.json()["country"], moved.json()["holiday_region"]) == (
        "PT",
        None,
    )  # Madrid means nothing there

    for someone in (staff, teacher):
        refused = await someone.patch("/org", {"name": "Taken over"})
        assert refused.status_code == 403 and error_code(refused) == "forbidden"
    assert (await admin.get("/org")).json()["name"] == "Salsa Sur Madrid"


async def test_the_currency_stays_once_money_is_recorded_in_it(
    make_client: Callable[[], AsyncClient],
) -> None:
    admin, _, _ = await office(make_client)
    assert (await admin.patch("/org", {"currency": "GBP"})).status_code == 200  # nothing recorded yet
    student = (await admin.post("/students", {"full_name": "Ana García"})).json()
    charge = await admin.post(
        "/charges",
        {"student_id": student["id"], "description": "Costume", "amount": "30.00", "due_date": "2026-12-05"},
    )
    assert charge.status_code == 201, charge.text
    refused = await admin.patch("/org", {"currency": "EUR", "name": "Renamed"})
    assert refused.status_code == 409 and refused.json()["error"]["details"]["field"] == "currency"
    org = (await admin.get("/org")).json()
    assert (org["currency"], org["name"]) == ("GBP", "Salsa Sur")  # nothing stored
    assert (await admin.patch("/org", {"currency": "gbp", "name": "Renamed"})).status_code == 200  # same one


async def test_one_schools_settings_leave_another_school_alone(
    make_client: Callable[[], AsyncClient],
) -> None:
    first, second = await signup(make_client(), "first"), await signup(make_client(), "second")
    await create_org(first, name="Primera", timezone="Europe/Madrid")
    await create_org(second, name="Segunda", timezone="Europe/Madrid")
    assert (await second.patch("/org", {"name": "Segunda Escuela", "currency": "GBP"})).status_code == 200
    mine = (await first.get("/org")).json()
    assert (mine["name"], mine["currency"]) == ("Primera", "EUR")
    assert (await second.get("/org")).json()["name"] == "Segunda Escuela"  # the change did happen


async def test_notification_settings_and_webhooks_are_the_admins(
    make_client: Callable[[], AsyncClient],
) -> None:
    admin, staff, teacher = await office(make_client)
    assert (await admin.get("/notifications/settings")).status_code == 200
    quiet = await admin.patch("/notifications/settings", {"quiet_start": "22:00", "quiet_end": "08:30"})
    assert quiet.status_code == 200 and quiet.json()["quiet_end"] == "08:30:00"
    kinds = await admin.get("/notifications/kinds")
    assert kinds.status_code == 200 and {"admin_digest", "payment_reminder", "webhook"} <= set(kinds.json())
    for someone in (staff, teacher):
        assert (await someone.get("/notifications/kinds")).status_code == 403
        assert (await someone.get("/notifications/settings")).status_code == 403
        assert (await someone.patch("/notifications/settings", {"agenda_hour": 6})).status_code == 403
        assert (await someone.get("/webhooks")).status_code == 403
        assert (await someone.post("/webhooks", {"url": "https://example.com/hook"})).status_code == 403

    made = await admin.post(
        "/webhooks", {"url": "https://example.com/hook", "event_types": ["session.cancelled"]}
    )
    assert made.status_code == 201 and made.json()["secret"]
    listed = (await admin.get("/webhooks")).json()
    assert [w["url"] for w in listed] == ["https://example.com/hook"]
    assert (await staff.delete(f"/webhooks/{made.json()['id']}")).status_code == 403
    off = await admin.delete(f"/webhooks/{made.json()['id']}")
    assert off.status_code == 200 and off.json()["disabled_at"] is not None


async def test_the_telegram_link_code_comes_with_a_deep_link_and_its_qr_code(
    make_client: Callable[[], AsyncClient],
) -> None:
    admin, _, teacher = await office(make_client)
    for person in (admin, teacher):  # connecting one's own Telegram is everyone's
        made = await person.post("/telegram/link-code")
        assert made.status_code == 201, made.text
        code, link, svg = made.json()["code"], made.json()["link"], made.json()["qr_svg"]
        assert link == f"https://t.me/{BOT}?start={code}"
        assert svg.startswith("<svg") and "<path" in svg and "http" not in svg  # drawn here, loads nothing
        # the picture is exactly the QR code of that link (segno draws the same matrix for the same text)
        expected = segno.make(link, error="m").svg_inline(
            scale=4, border=2, title="QR", dark="#1f1633", light="#ffffff"
        )
        assert svg == expected


async def test_the_office_gets_the_registration_forms_address_and_qr_code_and_a_teacher_does_not(
    make_client: Callable[[], AsyncClient], settings: Settings
) -> None:
    admin, staff, teacher = await office(make_client)
    slug = (await admin.get("/org")).json()["slug"]
    for person in (admin, staff):  # the office hands it to families
        shown = await person.get("/org/registration-link")
        assert shown.status_code == 200, shown.text
        url, svg = shown.json()["url"], shown.json()["qr_svg"]
        assert url == f"{settings.public_base_url}/join/{slug}"  # where Cadence is served
        assert svg == segno.make(url, error="m").svg_inline(
            scale=4, border=2, title="QR", dark="#1f1633", light="#ffffff"
        )
        form = await person.client.get(f"/join/{slug}")  # the address is the form's page
        assert form.status_code == 200 and "text/html" in form.headers["content-type"]
    refused = await teacher.get("/org/registration-link")
    assert refused.status_code == 403 and error_code(refused) == "forbidden"

    other = await signup(make_client(), "other-admin")  # another school's office gets its own address
    await create_org(other, name="Tango Norte", timezone="Europe/Madrid", country="ES")
    theirs = (await other.get("/org/registration-link")).json()["url"]
    assert theirs.endswith(f"/join/{(await other.get('/org')).json()['slug']}") and slug not in theirs
