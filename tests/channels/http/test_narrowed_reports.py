"""The REST reports take the same narrowing as the tools: /billing/unpaid by group, teacher and least amount
owed, /sessions/missing-attendance by group and venue. Bad values are a 4xx in the error envelope, an
unknown id a 404 (never the whole school), and a teacher naming a colleague's group a 403 (with the
control: their own group answers)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta

from httpx import AsyncClient

from tests.channels.http.helpers import Browser, create_org, error_code, join, signup

THIS_MONTH = date.today().replace(day=1)
LAST_MONTH = (THIS_MONTH - timedelta(days=1)).replace(day=1)


async def _school(make_client: Callable[[], AsyncClient]) -> tuple[Browser, Browser, dict[str, str]]:
    """Ana in Lucía's Salsa at Centro, Lola in Marco's Bachata at Norte; last month one class each,
    unmarked; this month's tuition made and Ana paid 30 of it. The teacher's account is Lucía's."""
    admin = await signup(make_client(), "admin")
    await create_org(admin, country="ES")
    teacher = await signup(make_client(), "lucia")
    await join(admin, teacher, "teacher")
    lucia_user = (await teacher.get("/auth/me")).json()["user"]["id"]
    ids: dict[str, str] = {}
    for key, name in (("centro", "Centro"), ("norte", "Norte")):
        ids[key] = (await admin.post("/venues", {"name": name})).json()["id"]
    for key, name, user in (("lucia", "Lucía Romero", lucia_user), ("marco", "Marco Bianchi", None)):
        body = {"full_name": name, "payment_type": "per_class", "rate_per_class": "40", "user_id": user}
        ids[key] = (await admin.post("/teachers", body)).json()["id"]
    groups = (("salsa", "Salsa", "lucia", "centro"), ("bachata", "Bachata", "marco", "norte"))
    for key, name, teacher_key, venue in groups:
        body = {"name": name, "teacher_id": ids[teacher_key], "venue_id": ids[venue]}
        ids[key] = (await admin.post("/groups", body)).json()["id"]
    for key, name, group in (("ana", "Ana García", "salsa"), ("lola", "Lola Bachatera", "bachata")):
        ids[key] = (await admin.post("/students", {"full_name": name})).json()["id"]
        joined = {"student_id": ids[key], "start_date": LAST_MONTH.isoformat()}
        assert (await admin.post(f"/groups/{ids[group]}/members", joined)).status_code == 201
        day = (LAST_MONTH + timedelta(days=2)).isoformat()
        assert (await admin.post("/sessions", {"group_id": ids[group], "date": day})).status_code == 201
    assert (await admin.post(f"/billing/tuition/{THIS_MONTH:%Y-%m}")).json()["created"] == 2
    paid = {"student_id": ids["ana"], "amount": "30.00", "received_on": THIS_MONTH.isoformat()}
    assert (await admin.post("/payments", paid)).status_code == 201
    return admin, teacher, ids


def _names(body: dict[str, object], key: str, name: str) -> set[str]:
    rows = body[key]
    assert isinstance(rows, list)
    return {row[name] for row in rows}


async def test_unpaid_narrowed_over_http(make_client: Callable[[], AsyncClient]) -> None:
    admin, _, ids = await _school(make_client)
    everyone = (await admin.get("/billing/unpaid")).json()
    assert _names(everyone, "students", "full_name") == {"Ana García", "Lola Bachatera"}
    marco = await admin.get("/billing/unpaid", params={"teacher_id": ids["marco"]})
    assert _names(marco.json(), "students", "full_name") == {"Lola Bachatera"}
    salsa = await admin.get("/billing/unpaid", params={"group_id": ids["salsa"]})
    assert _names(salsa.json(), "students", "full_name") == {"Ana García"}
    owing_more = await admin.get("/billing/unpaid", params={"min_amount": "20"})
    assert _names(owing_more.json(), "students", "full_name") == {"Lola Bachatera"}  # Ana owes 15
    for bad in ({"min_amount": "lots"}, {"min_amount": "-1"}, {"teacher_id": "marco"}, {"group_id": "1"}):
        refused = await admin.get("/billing/unpaid", params=bad)
        assert refused.status_code == 422 and error_code(refused) == "invalid", (bad, refused.text)
    unknown = await admin.get("/billing/unpaid", params={"teacher_id": str(uuid.uuid4())})
    assert unknown.status_code == 404 and error_code(unknown) == "not_found"


async def test_missing_attendance_narrowed_over_http(make_client: Callable[[], AsyncClient]) -> None:
    admin, teacher, ids = await _school(make_client)
    everyone = (await admin.get("/sessions/missing-attendance")).json()
    assert _names(everyone, "sessions", "group_name") == {"Salsa", "Bachata"}
    norte = (await admin.get("/sessions/missing-attendance", params={"venue_id": ids["norte"]})).json()
    assert _names(norte, "sessions", "group_name") == {"Bachata"}
    salsa = (await admin.get("/sessions/missing-attendance", params={"group_id": ids["salsa"]})).json()
    assert _names(salsa, "sessions", "group_name") == {"Salsa"}
    bad = await admin.get("/sessions/missing-attendance", params={"venue_id": "norte"})
    assert bad.status_code == 422 and error_code(bad) == "invalid"
    unknown = await admin.get("/sessions/missing-attendance", params={"group_id": str(uuid.uuid4())})
    assert unknown.status_code == 404 and error_code(unknown) == "not_found"
    colleagues = await teacher.get("/sessions/missing-attendance", params={"group_id": ids["bachata"]})
    assert colleagues.status_code == 403 and error_code(colleagues) == "forbidden"
    colleague = await teacher.get("/sessions/missing-attendance", params={"teacher_id": ids["marco"]})
    assert colleague.status_code == 403
    own = await teacher.get("/sessions/missing-attendance", params={"group_id": ids["salsa"]})  # control
    assert own.status_code == 200 and _names(own.json(), "sessions", "group_name") == {"Salsa"}
