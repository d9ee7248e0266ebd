"""A teacher sees their own: the students of the groups they teach (a substitute, on that day), no contact
details unless the school allows it, no colleague's rate, no money but their own payout.

Route by route from the OpenAPI: every GET operation is called as a teacher, with path and query parameters
pointing at a colleague's group, class, student and teacher record, and its answer is searched for what a
teacher must not see. Positive controls: the same teacher sees their own, and the office sees it all.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from decimal import Decimal

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from domain.attendance import service as attendance
from domain.attendance.models import AttendanceStatus
from domain.attendance.schemas import Mark
from domain.auth.models import User
from domain.db import use_tenant
from domain.groups import memberships
from domain.payments import service as payments
from domain.payments.schemas import PaymentIn
from domain.private_lessons import service as private_lessons
from domain.private_lessons.schemas import PrivateSessionIn
from domain.sessions import service as sessions
from domain.sessions.models import ClassSession
from domain.sessions.schemas import SessionIn
from domain.students import service as students
from domain.students.schemas import GuardianIn, StudentIn, StudentUpdate
from tests.channels.http.helpers import Browser
from tests.conftest import REPORT
from tests.domain.studio import START, Studio, build_studio

API = "/api/v1"
NOW = datetime(2026, 11, 24, 20, tzinfo=UTC)
HIDDEN_STUDENT = "Beatriz Oculta"  # in a colleague's group only
# What a teacher must never read: a colleague's student, anyone's contact details, a colleague's rate,
# and money (tuition, payments).
SECRETS = ["Beatriz", "hidden.example", "contact.example", "600111222", "600333444", "45.00", "63.20"]
PUBLIC = re.compile(r"^/api/v1/(public/|auth/(signup|login)$)")


@dataclass
class Scene:
    studio: Studio
    hidden_id: uuid.UUID
    own_class: ClassSession
    colleague_class: ClassSession


async def scene(session: AsyncSession) -> Scene:
    studio = await build_studio(session, names=("Ana García", "José Martínez"))
    admin = studio.admin
    await use_tenant(session, admin)
    today = admin.today()
    hidden = await students.create_student(
        session,
        admin,
        data=StudentIn(full_name=HIDDEN_STUDENT, email="beatriz@hidden.example", phone="+34 600 111 222"),
    )
    await memberships.enroll(
        session, admin, student_id=hidden.id, group_id=studio.bachata.id, start_date=START
    )
    await students.update_student(
        session,
        admin,
        studio.students["Ana"].id,
        data=StudentUpdate(email="ana@contact.example", phone="+34 600 333 444"),
    )
    await students.add_guardian(
        session,
        admin,
        hidden.id,
        data=GuardianIn(full_name="Marta Oculta", email="marta@hidden.example", phone="+34 600 111 223"),
    )
    await private_lessons.create_private_session(
        session,
        admin,
        data=PrivateSessionIn(
            teacher_id=studio.marco.id,
            student_id=hidden.id,
            date=today,
            duration_minutes=45,
            notes="Beatriz prepares her solo",
        ),
    )
    own = await sessions.create_session(
        session, admin, data=SessionIn(group_id=studio.salsa.id, date=today, start_time=time(18))
    )
    theirs = await sessions.create_session(
        session, admin, data=SessionIn(group_id=studio.bachata.id, date=today, start_time=time(19))
    )
    await attendance.mark_attendance(
        session,
        admin,
        theirs.id,
        marks=[Mark(student_id=hidden.id, status=AttendanceStatus.ABSENT)],
        today=today,
        now=NOW,
    )
    await payments.record_payment(
        session,
        admin,
        data=PaymentIn(student_id=studio.students["Ana"].id, amount=Decimal("63.20"), received_on=today),
    )
    await session.flush()
    return Scene(studio, hidden.id, own, theirs)


async def logged_in(session: AsyncSession, client: AsyncClient, user_id: uuid.UUID | None) -> Browser:
    user = await session.get(User, user_id)
    assert user is not None
    browser = Browser(client, user.email)
    assert (await browser.login()).status_code == 200
    return browser


def colleague_params(s: Scene) -> dict[str, str]:
    return {
        "student_id": str(s.hidden_id),
        "group_id": str(s.studio.bachata.id),
        "session_id": str(s.colleague_class.id),
        "teacher_id": str(s.studio.marco.id),
        "venue_id": str(s.studio.venue.id),
    }


def get_operations(app: FastAPI) -> list[str]:
    return [
        path
        for path, ops in app.openapi()["paths"].items()
        if "get" in ops and path.startswith(API) and not PUBLIC.match(path)
    ]


def leaks(text: str, secrets: list[str]) -> list[str]:
    return [s for s in secrets if s in text.replace(" ", "") or s in text]


async def account_emails(session: AsyncSession, s: Scene) -> list[str]:
    """The office's and the colleague's login emails: contact details too."""
    users = [s.studio.admin.user_id, s.studio.staff.user_id]
    return [u.email for u in [await session.get(User, i) for i in users] if u is not None]


async def test_every_read_route_shows_a_teacher_only_their_own(
    session: AsyncSession, app: FastAPI, make_client: Callable[[], AsyncClient]
) -> None:
    s = await scene(session)
    teacher = await logged_in(session, make_client(), s.studio.teacher.user_id)
    params = colleague_params(s)
    query = {**params, "q": "Beatriz", "month": "2026-11", "on": s.colleague_class.date.isoformat()}
    secrets = SECRETS + await account_emails(session, s)
    found: dict[str, list[str]] = {}
    paths = get_operations(app)
    for path in paths:
        url = re.sub(r"\{(\w+)\}", lambda m: params.get(m.group(1), str(uuid.uuid4())), path)
        for asked in (url, url + "?" + "&".join(f"{k}={v}" for k, v in query.items())):
            r = await teacher.client.get(asked)
            assert r.status_code < 500, f"{asked}: {r.status_code} {r.text[:200]}"
            if r.status_code < 300 and (bad := leaks(r.text, secrets)):
                found[asked] = bad
    tools = [t["name"] for t in (await teacher.get("/tools")).json() if t["kind"] == "read"]
    about_colleague = {"group": "Bachata Improvers", "student": HIDDEN_STUDENT, "teacher": "Marco Bianchi"}
    for name in tools:  # the same reads through the tool catalogue (what the chat and Telegram use)
        for args in ({}, about_colleague):
            r = await teacher.post(f"/tools/{name}", args)
            assert r.status_code < 500, f"{name}: {r.status_code} {r.text[:200]}"
            if r.status_code < 300 and (bad := leaks(r.text, secrets)):
                found[f"POST /tools/{name} {args}"] = bad
    assert len(tools) >= 8
    assert found == {}, "\n".join(sorted({f"{k.split('?')[0]} {v}" for k, v in found.items()}))
    REPORT["teacher matrix"] = (
        f"{len(paths)} read routes x 2 (with and without filters) + {len(tools)} read tools x 2: 0 leaks"
    )


async def test_the_teacher_sees_their_own_and_the_office_sees_everything(
    session: AsyncSession, make_client: Callable[[], AsyncClient]
) -> None:
    s = await scene(session)
    teacher = await logged_in(session, make_client(), s.studio.teacher.user_id)
    roster = await teacher.get(f"/groups/{s.studio.salsa.id}/roster")
    assert roster.status_code == 200 and "Ana García" in roster.text
    listed = await teacher.get("/students")
    assert listed.status_code == 200 and "Ana García" in listed.text and "José Martínez" in listed.text
    marks = await teacher.get(f"/sessions/{s.own_class.id}/attendance")
    assert marks.status_code == 200
    own = await teacher.get(f"/teachers/{s.studio.lucia.id}")
    assert own.status_code == 200 and own.json()["rate_per_head"] == "6.50"
    colleagues = await teacher.get("/teachers")
    assert "Marco Bianchi" in colleagues.text and "45.00" not in colleagues.text
    pay = await teacher.get("/payouts/preview", params={"start": "2026-11-01", "end": "2026-11-30"})
    assert pay.status_code == 200 and "Lucía Romero" in pay.text and "Marco" not in pay.text

    assert (await teacher.get(f"/groups/{s.studio.bachata.id}/overview")).status_code == 403
    assert (await teacher.get(f"/groups/{s.studio.salsa.id}/overview")).status_code == 200
    assert (await teacher.get(f"/students/{s.hidden_id}/memberships")).status_code == 403
    assert (await teacher.get(f"/sessions/{s.colleague_class.id}/attendance")).status_code == 403
    assert (await teacher.get("/billing/settings")).status_code == 403

    office = await logged_in(session, make_client(), s.studio.admin.user_id)
    assert (await office.get(f"/groups/{s.studio.bachata.id}/overview")).status_code == 200
    assert (await office.get("/billing/settings")).status_code == 200
    everything = (await office.get("/students")).text
    assert HIDDEN_STUDENT in everything and "beatriz@hidden.example" in everything
    assert "Beatriz" in (await office.get(f"/sessions/{s.colleague_class.id}/attendance")).text
    assert "45.00" in (await office.get("/teachers")).text


async def test_contact_details_reach_teachers_only_when_the_school_allows_it(
    session: AsyncSession, make_client: Callable[[], AsyncClient]
) -> None:
    s = await scene(session)
    teacher = await logged_in(session, make_client(), s.studio.teacher.user_id)
    ana = f"/students/{s.studio.students['Ana'].id}"
    assert "ana@contact.example" not in (await teacher.get(ana)).text
    refused = await teacher.patch("/org", {"teachers_see_contacts": True})  # only an admin decides
    assert refused.status_code == 403 and "ana@contact.example" not in (await teacher.get(ana)).text
    staff = await logged_in(session, make_client(), s.studio.staff.user_id)
    assert (await staff.patch("/org", {"teachers_see_contacts": True})).status_code == 403
    office = await logged_in(session, make_client(), s.studio.admin.user_id)
    allowed = await office.patch("/org", {"teachers_see_contacts": True})
    assert allowed.status_code == 200, allowed.text
    assert "ana@contact.example" in (await teacher.get(ana)).text
    assert "beatriz@hidden.example" not in (await teacher.get("/students")).text  # still only their own
