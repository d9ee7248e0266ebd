"""The core-domain endpoints: a walk through a school's week, bad input, and cross-tenant ids."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from httpx import AsyncClient

from tests.channels.http.helpers import API, Browser, create_org, error_code, signup


async def _school(make_client: Callable[[], AsyncClient], label: str) -> tuple[Browser, dict[str, str]]:
    """An organization with one of everything, built through the API by its admin."""
    admin = await signup(make_client(), f"{label}-admin")
    await create_org(admin, f"{label} school", country="ES")
    ids: dict[str, str] = {}
    ids["venue"] = (await admin.post("/venues", {"name": "Studio"})).json()["id"]
    teacher = await admin.post(
        "/teachers", {"full_name": "Lucía", "payment_type": "per_class", "rate_per_class": "40"}
    )
    ids["teacher"] = teacher.json()["id"]
    group = await admin.post(
        "/groups", {"name": "Salsa", "venue_id": ids["venue"], "teacher_id": ids["teacher"]}
    )
    ids["group"] = group.json()["id"]
    ids["group2"] = (await admin.post("/groups", {"name": "Bachata", "teacher_id": ids["teacher"]})).json()[
        "id"
    ]
    ids["student"] = (await admin.post("/students", {"full_name": "Ana García"})).json()["id"]
    enrolled = await admin.post(
        f"/groups/{ids['group']}/members", {"student_id": ids["student"], "start_date": "2026-09-01"}
    )
    assert enrolled.status_code == 201, enrolled.text
    day = (date.today() - timedelta(days=1)).isoformat()
    ids["session"] = (await admin.post("/sessions", {"group_id": ids["group"], "date": day})).json()["id"]
    later = (date.today() + timedelta(days=7)).isoformat()
    ids["next_session"] = (await admin.post("/sessions", {"group_id": ids["group"], "date": later})).json()[
        "id"
    ]
    lesson = await admin.post(
        "/private-sessions",
        {"teacher_id": ids["teacher"], "student_id": ids["student"], "date": day, "duration_minutes": 60},
    )
    ids["lesson"] = lesson.json()["id"]
    return admin, ids


def _id_requests(ids: dict[str, str]) -> list[tuple[str, str, dict[str, Any] | None]]:
    s, g, t, v = ids["student"], ids["group"], ids["teacher"], ids["venue"]
    return [
        ("GET", f"/students/{s}", None),
        ("PATCH", f"/students/{s}", {"notes": "x"}),
        ("GET", f"/students/{s}/guardians", None),
        ("POST", f"/students/{s}/guardians", {"full_name": "Mum"}),
        ("GET", f"/students/{s}/memberships", None),
        ("GET", f"/teachers/{t}", None),
        ("PATCH", f"/teachers/{t}", {"rate_per_class": "41"}),
        ("GET", f"/venues/{v}", None),
        ("PATCH", f"/venues/{v}", {"address": "x"}),
        ("GET", f"/groups/{g}", None),
        ("PATCH", f"/groups/{g}", {"capacity": 20}),
        ("GET", f"/groups/{g}/roster", None),
        ("GET", f"/groups/{g}/overview", None),
        ("GET", f"/sessions/{ids['session']}", None),
        ("GET", f"/sessions/{ids['session']}/attendance", None),
        (
            "POST",
            f"/sessions/{ids['session']}/attendance",
            {"marks": [{"student_id": s, "status": "present"}]},
        ),
        ("POST", f"/sessions/{ids['session']}/attendance/all-except", {"except_student_ids": []}),
        ("POST", f"/private-sessions/{ids['lesson']}/held", None),
        ("POST", f"/groups/{g}/members/{s}/move", {"to_group_id": ids["group2"], "on_date": "2026-10-01"}),
        ("POST", f"/groups/{ids['group2']}/members/{s}/leave", {"end_date": "2026-12-31"}),
        ("POST", f"/sessions/{ids['next_session']}/cancel", {"reason": "x"}),
        ("POST", f"/students/{s}/archive", None),
        ("POST", f"/groups/{g}/status", {"status": "closed"}),
        ("POST", f"/teachers/{t}/archive", None),
        ("POST", f"/venues/{v}/archive", None),
    ]


async def _send(browser: Browser, method: str, path: str, body: dict[str, Any] | None) -> int:
    if method == "GET":
        return (await browser.get(path)).status_code
    if method == "PATCH":
        return (await browser.patch(path, body)).status_code
    return (await browser.post(path, body)).status_code


async def test_another_orgs_ids_are_404_on_every_core_endpoint(
    make_client: Callable[[], AsyncClient],
) -> None:
    admin_a, ids_a = await _school(make_client, "a")
    admin_b, ids_b = await _school(make_client, "b")
    statuses = {f"{m} {p}": await _send(admin_a, m, p, b) for m, p, b in _id_requests(ids_b)}
    assert {k: v for k, v in statuses.items() if v != 404} == {}
    # Foreign ids inside bodies are just as unknown.
    foreign = [
        await admin_a.post("/sessions", {"group_id": ids_b["group"], "date": "2026-11-20"}),
        await admin_a.post(
            f"/groups/{ids_a['group']}/members", {"student_id": ids_b["student"], "start_date": "2026-09-01"}
        ),
        await admin_a.post("/groups", {"name": "X", "venue_id": ids_b["venue"]}),
        await admin_a.post(
            "/private-sessions",
            {
                "teacher_id": ids_b["teacher"],
                "student_id": ids_a["student"],
                "date": "2026-11-20",
                "duration_minutes": 30,
            },
        ),
    ]
    assert [r.status_code for r in foreign] == [404, 404, 404, 404]
    # Lists and searches of A never show B's rows (B's names are the same as A's on purpose).
    listed = set()
    for path in ("/students", "/teachers", "/venues", "/groups", "/private-sessions", "/registrations"):
        listed |= {row.get("id") or row.get("student_id") for row in (await admin_a.get(path)).json()}
    listed |= {
        s["id"]
        for s in (await admin_a.get("/sessions", params={"start": "2026-01-01", "end": "2027-12-31"})).json()
    }
    listed |= {m["id"] for m in (await admin_a.get("/students/search", params={"q": "Ana"})).json()}
    assert listed and not listed & set(ids_b.values())
    assert ids_a["student"] in listed  # control
    # Control: the rightful admin gets 2xx on every one of them, in order.
    own = [await _send(admin_b, m, p, b) for m, p, b in _id_requests(ids_b)]
    failing = [(code, m, p) for code, (m, p, _) in zip(own, _id_requests(ids_b), strict=True) if code >= 300]
    assert failing == []


async def test_a_school_week_through_the_api(make_client: Callable[[], AsyncClient]) -> None:
    admin, ids = await _school(make_client, "a")
    jose = (await admin.post("/students", {"full_name": "José Martínez", "phone": "612 345 678"})).json()
    assert jose["phone"] == "+34612345678"
    await admin.post(
        f"/groups/{ids['group']}/members", {"student_id": jose["id"], "start_date": "2026-09-01"}
    )
    found = (await admin.get("/students/search", params={"q": "jose"})).json()
    assert found[0]["name"] == "José Martínez"
    for kind, query, expected in (
        ("teachers", "lucia", "Lucía"),
        ("groups", "salsa", "Salsa"),
        ("venues", "studo", "Studio"),
    ):
        hits = (await admin.get(f"/{kind}/search", params={"q": query})).json()
        assert [m["name"] for m in hits] == [expected]
    assert (await admin.get("/groups/search", params={"q": ""})).status_code == 422

    r = await admin.post(
        f"/sessions/{ids['session']}/attendance/all-except", {"except_student_ids": [jose["id"]]}
    )
    assert r.status_code == 200 and r.json()["created"] == 2 and r.json()["session_marked_held"]
    marks = {
        m["full_name"]: m["status"]
        for m in (await admin.get(f"/sessions/{ids['session']}/attendance")).json()
    }
    assert marks == {"Ana García": "present", "José Martínez": "absent"}
    r = await admin.post(
        f"/sessions/{ids['session']}/attendance/override",
        {"student_id": jose["id"], "status": "excused", "reason": "doctor's note"},
    )
    assert r.json()["corrected"] == 1
    overview = (await admin.get(f"/groups/{ids['group']}/overview")).json()
    assert overview["sessions_held"] == 1 and overview["attendance_rate"] == "0.500"
    roster = (await admin.get(f"/groups/{ids['group']}/roster", params={"on": "2026-09-01"})).json()
    assert {e["full_name"] for e in roster} == {"Ana García", "José Martínez"}
    week = (await admin.get("/sessions")).json()
    assert isinstance(week, list)


async def test_bad_core_input_is_a_clear_4xx_and_writes_nothing(
    make_client: Callable[[], AsyncClient],
) -> None:
    admin, ids = await _school(make_client, "a")
    students_before = (await admin.get("/students")).json()
    sessions_before = (
        await admin.get("/sessions", params={"start": "2026-01-01", "end": "2027-12-31"})
    ).json()

    cases = [
        (await admin.post("/students", {"full_name": "X", "email": "not-an-email"}), 422),
        (await admin.post("/students", {"full_name": "X", "phone": "12"}), 422),
        (
            await admin.post(
                f"/groups/{ids['group']}/members", {"student_id": ids["student"], "start_date": "2026-10-01"}
            ),
            409,
        ),
        (
            await admin.post(
                "/private-sessions",
                {
                    "teacher_id": ids["teacher"],
                    "student_id": ids["student"],
                    "date": "2026-11-20",
                    "duration_minutes": 0,
                },
            ),
            422,
        ),
        (await admin.post("/teachers", {"full_name": "No Rate", "payment_type": "per_head"}), 422),
        (await admin.post(f"/groups/{ids['group']}/status", {"status": "archived"}), 422),
    ]
    # A session for a closed group, and marks for a cancelled session.
    await admin.post(f"/groups/{ids['group2']}/status", {"status": "closed"})
    cases.append((await admin.post("/sessions", {"group_id": ids["group2"], "date": "2026-11-20"}), 409))
    await admin.post(f"/sessions/{ids['session']}/cancel", {"reason": "storm"})
    cases.append(
        (
            await admin.post(
                f"/sessions/{ids['session']}/attendance",
                {"marks": [{"student_id": ids["student"], "status": "present"}]},
            ),
            409,
        )
    )
    visitor = (await admin.post("/students", {"full_name": "Visitor"})).json()
    fresh_day = (date.today() - timedelta(days=2)).isoformat()
    fresh = (await admin.post("/sessions", {"group_id": ids["group"], "date": fresh_day})).json()
    cases.append(
        (
            await admin.post(
                f"/sessions/{fresh['id']}/attendance",
                {"marks": [{"student_id": visitor["id"], "status": "present"}]},
            ),
            422,
        )
    )

    assert [r.status_code for r, _ in cases] == [expected for _, expected in cases]
    assert all(error_code(r) in {"invalid", "conflict"} and r.json()["error"]["message"] for r, _ in cases)
    assert len((await admin.get("/students")).json()) == len(students_before) + 1  # only the visitor
    assert (await admin.get(f"/sessions/{fresh['id']}/attendance")).json() == []
    after = (await admin.get("/sessions", params={"start": "2026-01-01", "end": "2027-12-31"})).json()
    assert len(after) == len(sessions_before) + 1  # only the fresh one


async def test_a_failed_move_changes_nothing(make_client: Callable[[], AsyncClient]) -> None:
    admin, ids = await _school(make_client, "a")
    await admin.post(f"/groups/{ids['group2']}/status", {"status": "closed"})
    r = await admin.post(
        f"/groups/{ids['group']}/members/{ids['student']}/move",
        {"to_group_id": ids["group2"], "on_date": "2026-10-01"},
    )
    assert r.status_code == 409
    memberships = (await admin.get(f"/students/{ids['student']}/memberships")).json()
    assert [(m["group_id"], m["end_date"]) for m in memberships] == [(ids["group"], None)]


async def test_a_teacher_cannot_create_students_or_override(make_client: Callable[[], AsyncClient]) -> None:
    from tests.channels.http.helpers import join

    admin, ids = await _school(make_client, "a")
    teacher = await signup(make_client(), "teacher")
    await join(admin, teacher, "teacher")
    assert (await teacher.post("/students", {"full_name": "Nope"})).status_code == 403
    r = await teacher.post(
        f"/sessions/{ids['session']}/attendance/override",
        {"student_id": ids["student"], "status": "present", "reason": "x"},
    )
    assert r.status_code == 403
    assert (await teacher.get("/students")).status_code == 200  # control: reading is allowed


async def test_the_public_form_creates_into_its_own_organization_only(
    make_client: Callable[[], AsyncClient],
) -> None:
    admin_a, _ = await _school(make_client, "a")
    admin_b, _ = await _school(make_client, "b")
    slug_a = (await admin_a.get("/org")).json()["slug"]
    anonymous = make_client()
    r = await anonymous.post(
        f"{API}/public/orgs/{slug_a}/registrations",
        json={"full_name": "Nora Blanco", "email": "nora@example.org", "organization_id": "ignored"},
    )
    assert r.status_code == 202 and r.json()["status"] == "received"
    assert [p["full_name"] for p in (await admin_a.get("/registrations")).json()] == ["Nora Blanco"]
    assert (await admin_b.get("/registrations")).json() == []
    r = await anonymous.post(f"{API}/public/orgs/no-such-school/registrations", json={"full_name": "X"})
    assert r.status_code == 404
    r = await anonymous.post(
        f"{API}/public/orgs/{slug_a}/registrations", json={"full_name": "X", "email": "bad"}
    )
    assert r.status_code == 422
    assert len((await admin_a.get("/registrations")).json()) == 1
    pending = (await admin_a.get("/registrations")).json()[0]
    r = await admin_b.post(f"/registrations/{pending['student_id']}/approve", {})
    assert r.status_code == 404  # another org cannot decide
    r = await admin_a.post(f"/registrations/{pending['student_id']}/approve", {})
    assert r.status_code == 200 and r.json()["status"] == "active"
