"""Bad input gets a clear 4xx in the error envelope and stores nothing: NUL bytes, control characters and
text-direction overrides, times with an offset, numbers where dates belong, impossible dates of birth."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from httpx import AsyncClient, Response

from tests.channels.http.helpers import API, Browser, create_org, error_code, signup


@dataclass
class Office:
    admin: Browser
    org: dict[str, Any]
    ids: dict[str, str]


@pytest.fixture
async def office(make_client: Callable[[], AsyncClient]) -> Office:
    admin = await signup(make_client(), "admin")
    org = await create_org(admin)
    ids: dict[str, str] = {}
    for key, path, body in [
        ("venue", "/venues", {"name": "Studio Centro"}),
        (
            "teacher",
            "/teachers",
            {"full_name": "Lucía Romero", "payment_type": "per_class", "rate_per_class": "40"},
        ),
        ("group", "/groups", {"name": "Salsa", "teacher_id": "{teacher}"}),
        ("student", "/students", {"full_name": "Ana García"}),
    ]:
        r = await admin.post(path, _fill(body, ids))
        assert r.status_code == 201, r.text
        ids[key] = r.json()["id"]
    return Office(admin, org, ids)


def refused(r: Response) -> None:
    """A 422 in the error envelope."""
    assert r.status_code == 422, r.text
    assert error_code(r) == "invalid"


NUL = "\u0000"
# (what, method, path, body, where to look to see nothing was stored)
NUL_CASES: list[tuple[str, str, str, dict[str, Any], str | None]] = [
    ("student name", "POST", "/students", {"full_name": f"Ana{NUL}"}, "/students"),
    ("student notes", "POST", "/students", {"full_name": "Eva", "notes": f"a{NUL}b"}, "/students"),
    ("student update", "PATCH", "/students/{student}", {"notes": f"a{NUL}"}, "/students/{student}"),
    (
        "guardian",
        "POST",
        "/students/{student}/guardians",
        {"full_name": f"M{NUL}"},
        "/students/{student}/guardians",
    ),
    (
        "teacher",
        "POST",
        "/teachers",
        {"full_name": f"T{NUL}", "payment_type": "per_class", "rate_per_class": "40"},
        "/teachers",
    ),
    ("venue", "POST", "/venues", {"name": f"V{NUL}"}, "/venues"),
    ("group", "POST", "/groups", {"name": f"G{NUL}"}, "/groups"),
    (
        "session notes",
        "POST",
        "/sessions",
        {"group_id": "{group}", "date": "2026-09-07", "notes": NUL},
        "/sessions",
    ),
    (
        "charge",
        "POST",
        "/charges",
        {"student_id": "{student}", "description": f"C{NUL}", "amount": "10", "due_date": "2026-09-10"},
        "/students/{student}/charges",
    ),
    (
        "closure",
        "POST",
        "/closures",
        {"start_date": "2026-12-24", "reason": f"X{NUL}"},
        "/closures?since=2026-01-01",
    ),
    ("api key", "POST", "/org/api-keys", {"name": f"k{NUL}"}, "/org/api-keys"),
    (
        "invitation",
        "POST",
        "/org/invitations",
        {"email": f"a{NUL}@b.example", "role": "staff"},
        "/org/invitations",
    ),
    ("webhook", "POST", "/webhooks", {"url": "https://example.com/h", "description": NUL}, "/webhooks"),
    ("chat", "POST", "/chat/messages", {"text": f"who{NUL}"}, None),
]


def _fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**ids) if "{" in value else value
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize(
    ("what", "method", "path", "body", "listing"), NUL_CASES, ids=[c[0] for c in NUL_CASES]
)
async def test_a_nul_byte_in_a_text_field_is_refused_and_nothing_is_stored(
    office: Office, what: str, method: str, path: str, body: dict[str, Any], listing: str | None
) -> None:
    admin, ids = office.admin, office.ids
    before = (await admin.get(_fill(listing, ids))).json() if listing else None
    r = await admin.client.request(
        method, API + _fill(path, ids), json=_fill(body, ids), headers={"X-CSRF-Token": admin.csrf}
    )
    refused(r)
    if listing:
        assert (await admin.get(_fill(listing, ids))).json() == before


async def test_a_nul_byte_on_the_public_forms_and_login_is_refused(
    office: Office, client: AsyncClient
) -> None:
    slug = office.org["slug"]
    for field in ("full_name", "message", "email", "guardian_name"):
        body = {"full_name": "Ana", field: f"x{NUL}"}
        refused(await client.post(f"{API}/public/orgs/{slug}/registrations", json=body))
    assert (await office.admin.get("/registrations")).json() == []
    refused(await client.post(f"{API}/auth/login", json={"email": f"a{NUL}@b.example", "password": "x" * 12}))
    refused(
        await client.post(
            f"{API}/auth/signup", json={"email": "a@b.example", "password": "x" * 12, "name": NUL}
        )
    )
    # The control: the same form without the NUL arrives.
    r = await client.post(
        f"{API}/public/orgs/{slug}/registrations", json={"full_name": "Ana", "message": "Hi"}
    )
    assert r.status_code == 202, r.text
    assert len((await office.admin.get("/registrations")).json()) == 1


async def test_a_nul_byte_in_a_search_or_the_public_slug_is_no_server_error(
    office: Office, client: AsyncClient
) -> None:
    for path in ("/students/search", "/groups/search", "/teachers/search", "/venues/search"):
        r = await office.admin.get(path, params={"q": f"a{NUL}"})
        assert r.status_code in (200, 422), (path, r.text)  # finds nothing, or is refused
    r = await client.post(f"{API}/public/orgs/a%00b/registrations", json={"full_name": "Ana"})
    assert r.status_code in (404, 422), r.text


@pytest.mark.parametrize(
    "name",
    [
        "Ana\u202egpj.exe",
        "Ana\u2066x\u2069",
        "Ana\u0007",
        "Ana\u0085",
        "Ana\nGarcía",
        "Ana\tGarcía",
        "Ana\u009b",
    ],
)
async def test_names_refuse_control_characters_and_direction_overrides(office: Office, name: str) -> None:
    refused(await office.admin.post("/students", {"full_name": name}))
    refused(await office.admin.post("/venues", {"name": name}))
    refused(await office.admin.patch(f"/groups/{office.ids['group']}", {"name": name}))
    teacher = {"full_name": name, "payment_type": "per_class", "rate_per_class": "40"}
    refused(await office.admin.post("/teachers", teacher))


async def test_multi_line_notes_keep_tabs_and_newlines_but_refuse_other_controls(office: Office) -> None:
    r = await office.admin.post("/students", {"full_name": "José Núñez", "notes": "Line one\r\n\tLine two"})
    assert r.status_code == 201, r.text
    assert r.json()["notes"] == "Line one\r\n\tLine two"
    refused(await office.admin.post("/students", {"full_name": "Eva", "notes": "bell\u0007"}))
    refused(await office.admin.post("/students", {"full_name": "Eva", "notes": "swap \u202edrow"}))


async def test_a_receipt_file_name_with_a_direction_override_is_refused(office: Office) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

    async def upload(name: str) -> Response:
        return await office.admin.client.post(
            f"{API}/receipts",
            data={"student_id": office.ids["student"]},
            files={"file": (name, png, "image/png")},
            headers={"X-CSRF-Token": office.admin.csrf},
        )

    refused(await upload("receipt\u202egnp.exe"))
    refused(await upload("receipt\u2067.png"))
    assert (await office.admin.get("/receipts/pending")).json() == []


@pytest.mark.parametrize("time", ["10:00:00Z", "10:00+02:00", "10:00:00.000-05:00", "36000", "10"])
async def test_times_with_an_offset_or_not_a_clock_time_are_refused(office: Office, time: str) -> None:
    admin, ids = office.admin, office.ids
    refused(
        await admin.post(
            f"/groups/{ids['group']}/slots",
            {"weekday": 0, "start_time": time, "end_time": "23:00", "valid_from": "2026-09-01"},
        )
    )
    assert (await admin.get(f"/groups/{ids['group']}/slots")).json() == []
    refused(
        await admin.post("/sessions", {"group_id": ids["group"], "date": "2026-09-07", "start_time": time})
    )
    assert (await admin.get("/sessions", params={"start": "2026-09-01", "end": "2026-09-30"})).json() == []
    refused(await admin.patch("/notifications/settings", {"quiet_start": time}))


async def test_plain_local_times_are_accepted(office: Office) -> None:
    admin, ids = office.admin, office.ids
    r = await admin.post(
        f"/groups/{ids['group']}/slots",
        {"weekday": 0, "start_time": "19:00", "end_time": "20:30:00", "valid_from": "2026-09-01"},
    )
    assert r.status_code == 201, r.text
    assert (r.json()["start_time"], r.json()["end_time"]) == ("19:00:00", "20:30:00")
    r = await admin.post("/sessions", {"group_id": ids["group"], "date": "2026-09-07", "start_time": "10:00"})
    assert r.status_code == 201, r.text


def test_the_openapi_describes_times_as_plain_local_clock_times(app: Any) -> None:
    schemas = app.openapi()["components"]["schemas"]
    for model, field in [
        ("SessionIn", "start_time"),
        ("SlotIn", "start_time"),
        ("PreferencesPatch", "quiet_start"),
    ]:
        prop = schemas[model]["properties"][field]
        variants = prop.get("anyOf", [prop])
        time = next(v for v in variants if v.get("type") == "string")
        assert time.get("format") != "time", "JSON Schema's format time demands an offset we refuse"
        pattern = re.compile(time["pattern"])
        assert pattern.search("10:00") and pattern.search("23:59:59")
        assert not any(pattern.search(t) for t in ("10:00Z", "10:00+02:00", "24:00", "10:00:00.5"))


async def test_a_number_is_not_a_date(office: Office) -> None:
    admin = office.admin
    refused(await admin.post("/closures", {"start_date": 0, "reason": "Numbers"}))
    refused(await admin.post("/closures", {"start_date": "0", "reason": "Numbers"}))
    refused(await admin.post("/closures", {"start_date": "2026-12-24T10:00:00", "reason": "A time"}))
    assert (await admin.get("/closures", params={"since": "1960-01-01"})).json() == []
    approve = {"teacher_id": office.ids["teacher"], "period_start": 0, "period_end": "2026-09-30"}
    refused(await admin.post("/payouts", approve))
    refused(await admin.post("/org/api-keys", {"name": "agent", "expires_at": 0}))  # 0 was 1970: born expired
    r = await admin.post("/closures", {"start_date": "2026-12-24", "reason": "Christmas"})
    assert r.status_code == 201, r.text


async def test_booleans_and_counts_are_not_coerced_from_other_types(office: Office) -> None:
    admin = office.admin
    settings = {
        "default_monthly_fee": "50",
        "due_day": 5,
        "multi_group_discount_percent": "0",
        "sibling_discount_percent": "0",
        "prorate_first_month": True,
        "per_head_rule": "present_and_late",
    }
    r = await admin.put("/billing/settings", settings)
    assert r.status_code == 200, r.text
    refused(await admin.put("/billing/settings", {**settings, "prorate_first_month": "no"}))
    refused(await admin.put("/billing/settings", {**settings, "prorate_first_month": 0}))
    refused(await admin.put("/billing/settings", {**settings, "due_day": True}))
    refused(await admin.post("/groups", {"name": "Bachata", "capacity": True}))
    assert (await admin.get("/billing/settings")).json()["prorate_first_month"] is True


@pytest.mark.parametrize("born", ["1899-12-31", "2999-01-01", "0001-01-01"])
async def test_impossible_dates_of_birth_are_refused(office: Office, client: AsyncClient, born: str) -> None:
    refused(await office.admin.post("/students", {"full_name": "Eva", "date_of_birth": born}))
    refused(await office.admin.patch(f"/students/{office.ids['student']}", {"date_of_birth": born}))
    slug = office.org["slug"]
    refused(
        await client.post(
            f"{API}/public/orgs/{slug}/registrations", json={"full_name": "E", "date_of_birth": born}
        )
    )
    r = await office.admin.post("/students", {"full_name": "Eva", "date_of_birth": "2015-05-01"})
    assert r.status_code == 201, r.text


async def test_tool_arguments_refuse_nul_and_direction_overrides(office: Office) -> None:
    """Tool calls (REST, MCP, the copilot) carry free text too: a note with a NUL was a 500."""
    admin = office.admin
    for text in (f"Knee{NUL}injury", "Knee \u202einjury", "bell\u0007"):
        refused(await admin.post("/tools/add_note", {"student": "Ana García", "text": text}))
    r = await admin.post("/tools/add_note", {"student": "Ana García", "text": "Knee injury;\nno jumps"})
    assert r.status_code == 200, r.text
    assert r.json()["pending_action"] is not None


async def test_a_page_offset_past_any_school_is_refused(office: Office) -> None:
    """Found by schemathesis: OFFSET beyond PostgreSQL's bigint was a 500."""
    refused(await office.admin.get("/students", params={"offset": 10**24}))
    r = await office.admin.get("/students", params={"offset": 1})
    assert r.status_code == 200 and r.json() == []  # one student: the second page is empty


@pytest.mark.parametrize(
    "path",
    [
        "/schedule/week?day=9999-12-31",
        "/schedule/week?day=0001-01-01",
        "/sessions?start=0",
        "/sessions?start=9999-12-31&end=9999-12-31",
        "/closures?since=1",
        "/payouts/preview?start=9999-12-01&end=9999-12-31",
        "/groups/{group}/roster?on=9999-12-31",
    ],
)
async def test_date_query_parameters_are_iso_dates_in_a_school_calendar(office: Office, path: str) -> None:
    """A week around 9999-12-31 overflowed Python's dates (500); a number was read as 1970."""
    refused(await office.admin.get(_fill(path, office.ids)))
    control = await office.admin.get(_fill(path.split("?")[0], office.ids))
    assert control.status_code == 200, control.text  # the same list without the odd date
