"""The REST routes the student page adds: family (siblings), attendance history, notes, reminders.
Each "cannot" has its positive control; bad input is a 4xx that stores nothing; another school's ids
are not found."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, time
from decimal import Decimal

from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.attendance import service as attendance
from domain.attendance.models import AttendanceStatus
from domain.attendance.schemas import Mark
from domain.audit.models import AuditEntry
from domain.auth.models import User
from domain.db import use_tenant
from domain.events.models import DomainEvent
from domain.groups import memberships
from domain.notes.models import StudentNote
from domain.payments import service as payments
from domain.payments.schemas import ChargeIn
from domain.sessions import service as sessions
from domain.sessions.schemas import SessionIn
from domain.students import service as students
from domain.students.models import Student
from domain.students.schemas import StudentUpdate
from tests.channels.http.helpers import Browser, error_code
from tests.domain.studio import START, Studio, build_studio

NOW = datetime(2026, 11, 24, 20, tzinfo=UTC)


async def as_user(session: AsyncSession, client: AsyncClient, user_id: uuid.UUID | None) -> Browser:
    user = await session.get(User, user_id)
    assert user is not None
    browser = Browser(client, user.email)
    assert (await browser.login()).status_code == 200
    return browser


async def family_of(session: AsyncSession, studio: Studio, student_id: uuid.UUID) -> uuid.UUID | None:
    await use_tenant(session, studio.admin)  # a refused request rolled back the tenant with it
    student = await session.get(Student, student_id, populate_existing=True)
    assert student is not None
    return student.family_id


async def audits(session: AsyncSession, studio: Studio, action: str) -> int:
    await use_tenant(session, studio.admin)
    return int(await session.scalar(select(func.count()).where(AuditEntry.action == action)) or 0)


async def test_office_sets_and_changes_a_family_and_a_teacher_cannot(
    session: AsyncSession, make_client: Callable[[], AsyncClient]
) -> None:
    studio = await build_studio(session)
    ana, jose, sofia = (studio.students[n].id for n in ("Ana", "José", "Sofía"))
    teacher = await as_user(session, make_client(), studio.teacher.user_id)
    refused = await teacher.put(f"/students/{ana}/family", {"sibling_id": str(jose)})
    assert refused.status_code == 403, refused.text
    assert await family_of(session, studio, ana) is None

    staff = await as_user(session, make_client(), studio.staff.user_id)  # positive control
    joined = await staff.put(f"/students/{ana}/family", {"sibling_id": str(jose)})
    assert joined.status_code == 200, joined.text
    assert [s["full_name"] for s in joined.json()["siblings"]] == ["José Martínez"]
    assert await family_of(session, studio, ana) == await family_of(session, studio, jose) is not None
    third = await staff.put(f"/students/{sofia}/family", {"sibling_id": str(ana)})
    assert [s["full_name"] for s in third.json()["siblings"]] == ["Ana García", "José Martínez"]
    seen = await teacher.get(f"/students/{jose}/family")  # a teacher reads their own students' family
    assert seen.status_code == 200 and len(seen.json()["siblings"]) == 2

    left = await staff.put(f"/students/{sofia}/family", {"sibling_id": None})
    assert left.json() == {"family_id": None, "siblings": []}
    assert (
        await family_of(session, studio, sofia) is None and await family_of(session, studio, ana) is not None
    )
    assert await audits(session, studio, "student.family_changed") == 3


async def test_bad_family_input_is_refused_and_stores_nothing(
    session: AsyncSession, make_client: Callable[[], AsyncClient]
) -> None:
    studio = await build_studio(session)
    other = await build_studio(session, names=("Elena Otra",))
    await use_tenant(session, studio.admin)
    ana = studio.students["Ana"].id
    admin = await as_user(session, make_client(), studio.admin.user_id)
    cases = [
        ({"sibling_id": str(ana)}, 422),  # herself
        ({"sibling_id": "not-an-id"}, 422),
        ({}, 422),
        ({"sibling_id": str(other.students["Elena"].id)}, 404),  # another school's student
        ({"sibling_id": str(uuid.uuid4())}, 404),
    ]
    for body, expected in cases:
        r = await admin.put(f"/students/{ana}/family", body)
        assert r.status_code == expected, (body, r.text)
        assert "error" in r.json()
    assert await family_of(session, studio, ana) is None
    ok = await admin.put(f"/students/{ana}/family", {"sibling_id": str(studio.students["José"].id)})
    assert ok.status_code == 200  # positive control: the same call with a sibling of this school


async def test_api_key_scopes_hold_on_the_new_routes(
    session: AsyncSession, make_client: Callable[[], AsyncClient]
) -> None:
    studio = await build_studio(session)
    ana, jose = studio.students["Ana"].id, studio.students["José"].id
    admin = await as_user(session, make_client(), studio.admin.user_id)
    keys = {}
    for scope in ("read", "write"):
        made = await admin.post("/org/api-keys", {"name": f"{scope} key", "scopes": [scope]})
        assert made.status_code == 201, made.text
        keys[scope] = {"Authorization": f"Bearer {made.json()['key']}"}
    client = make_client()
    body = {"sibling_id": str(jose)}
    read_put = await client.put(f"/api/v1/students/{ana}/family", json=body, headers=keys["read"])
    assert read_put.status_code == 403 and error_code(read_put) == "insufficient_scope"
    read_note = await client.post(f"/api/v1/students/{ana}/notes", json={"body": "x"}, headers=keys["read"])
    assert read_note.status_code == 403
    assert (await client.get(f"/api/v1/students/{ana}/family", headers=keys["read"])).status_code == 200
    write_put = await client.put(f"/api/v1/students/{ana}/family", json=body, headers=keys["write"])
    assert write_put.status_code == 200, write_put.text


async def test_attendance_history_newest_first_and_a_teacher_sees_only_their_classes(
    session: AsyncSession, make_client: Callable[[], AsyncClient]
) -> None:
    studio = await build_studio(session)
    admin_t = studio.admin
    ana = studio.students["Ana"].id
    await memberships.enroll(session, admin_t, student_id=ana, group_id=studio.bachata.id, start_date=START)
    days = [admin_t.today().replace(day=2), admin_t.today().replace(day=3)]
    salsa = await sessions.create_session(
        session, admin_t, data=SessionIn(group_id=studio.salsa.id, date=days[0], start_time=time(18))
    )
    bachata = await sessions.create_session(
        session, admin_t, data=SessionIn(group_id=studio.bachata.id, date=days[1], start_time=time(19))
    )
    for class_, status in ((salsa, AttendanceStatus.LATE), (bachata, AttendanceStatus.ABSENT)):
        await attendance.mark_attendance(
            session, admin_t, class_.id, marks=[Mark(student_id=ana, status=status)], today=days[1], now=NOW
        )
    await session.flush()

    office = await as_user(session, make_client(), studio.staff.user_id)
    history = (await office.get(f"/students/{ana}/attendance")).json()
    assert [(h["group_name"], h["status"]) for h in history] == [
        ("Bachata Improvers", "absent"),
        ("Salsa Beginners", "late"),
    ]
    lucia = await as_user(session, make_client(), studio.teacher.user_id)  # teaches Salsa, not Bachata
    own = (await lucia.get(f"/students/{ana}/attendance")).json()
    assert [h["group_name"] for h in own] == ["Salsa Beginners"]
    assert (await office.get(f"/students/{ana}/attendance?limit=0")).status_code == 422


async def test_notes_are_added_and_listed_and_empty_ones_refused(
    session: AsyncSession, make_client: Callable[[], AsyncClient]
) -> None:
    studio = await build_studio(session)
    ana = studio.students["Ana"].id
    lucia = await as_user(session, make_client(), studio.teacher.user_id)
    added = await lucia.post(f"/students/{ana}/notes", {"body": "Knee hurts, go easy on jumps"})
    assert added.status_code == 201, added.text
    for bad in ({"body": "   "}, {"body": ""}, {}):
        assert (await lucia.post(f"/students/{ana}/notes", bad)).status_code == 422
    listed = (await lucia.get(f"/students/{ana}/notes")).json()
    assert [n["body"] for n in listed] == ["Knee hurts, go easy on jumps"]
    await use_tenant(session, studio.admin)
    count = await session.scalar(select(func.count()).select_from(StudentNote))
    assert count == 1


async def test_a_reminder_is_queued_by_the_office_only_when_something_is_owed(
    session: AsyncSession, make_client: Callable[[], AsyncClient]
) -> None:
    studio = await build_studio(session)
    ana, jose = studio.students["Ana"].id, studio.students["José"].id
    for student in (ana, jose):
        await students.update_student(
            session, studio.admin, student, data=StudentUpdate(email="x@example.org")
        )
    await payments.add_charge(
        session,
        studio.admin,
        data=ChargeIn(student_id=ana, amount=Decimal("45.00"), description="Costume", due_date=START),
    )
    await session.flush()

    async def queued() -> int:
        await use_tenant(session, studio.admin)
        where = DomainEvent.type == "payment.reminder_requested"
        return int(await session.scalar(select(func.count()).where(where)) or 0)

    lucia = await as_user(session, make_client(), studio.teacher.user_id)
    assert (await lucia.post(f"/students/{ana}/reminders")).status_code == 403
    staff = await as_user(session, make_client(), studio.staff.user_id)
    nothing_owed = await staff.post(f"/students/{jose}/reminders")
    assert nothing_owed.status_code == 409
    assert await queued() == 0
    sent = await staff.post(f"/students/{ana}/reminders")
    assert sent.status_code == 202, sent.text
    assert sent.json()["outstanding"] == "45.00" and sent.json()["to_email"] == "x@example.org"
    assert await queued() == 1


async def test_the_list_page_sorts_pages_and_finds_a_name_with_a_typo(
    session: AsyncSession, make_client: Callable[[], AsyncClient]
) -> None:
    studio = await build_studio(session, names=("Ana García", "José Martínez", "Sofía López", "Bea Ruiz"))
    await students.archive_student(session, studio.admin, studio.students["Bea"].id, now=NOW)
    await session.flush()
    staff = await as_user(session, make_client(), studio.staff.user_id)

    first = (await staff.get("/students/browse?limit=2")).json()
    assert first["total"] == 3  # the archived student is not in the everyday list
    assert [s["full_name"] for s in first["rows"]] == ["Ana García", "José Martínez"]
    second = (await staff.get("/students/browse?limit=2&offset=2")).json()
    assert [s["full_name"] for s in second["rows"]] == ["Sofía López"]
    backwards = (await staff.get("/students/browse?sort=-name")).json()
    assert [s["full_name"] for s in backwards["rows"]] == ["Sofía López", "José Martínez", "Ana García"]
    with_archived = (await staff.get("/students/browse?include_archived=true")).json()
    assert with_archived["total"] == 4

    found = (await staff.get("/students/browse", params={"q": "jose martines"})).json()
    assert found["rows"][0]["full_name"] == "José Martínez"
    for bad in ("sort=age", "limit=0", "limit=201", "offset=-1"):
        assert (await staff.get(f"/students/browse?{bad}")).status_code == 422, bad

    other = await build_studio(session, names=("Elena Otra",))
    elena = await as_user(session, make_client(), other.staff.user_id)
    assert [s["full_name"] for s in (await elena.get("/students/browse")).json()["rows"]] == ["Elena Otra"]


async def test_the_audit_trail_is_the_offices_to_read(
    session: AsyncSession, make_client: Callable[[], AsyncClient]
) -> None:
    studio = await build_studio(session)
    ana, jose = studio.students["Ana"].id, studio.students["José"].id
    staff = await as_user(session, make_client(), studio.staff.user_id)
    assert (await staff.put(f"/students/{ana}/family", {"sibling_id": str(jose)})).status_code == 200
    lucia = await as_user(session, make_client(), studio.teacher.user_id)
    assert (await lucia.get("/audit")).status_code == 403
    rows = (await staff.get(f"/audit?entity_type=student&entity_id={ana}")).json()
    assert [r["action"] for r in rows] == ["student.family_changed"]
    assert rows[0]["by"] and rows[0]["after"]["family_id"]
    assert (await staff.get("/audit?entity_type=bank_line")).json() == []
    assert (await staff.get("/audit?limit=501")).status_code == 422
