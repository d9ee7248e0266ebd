"""Reads narrowed the way people narrow them ("at risk in Jazz Beginners", "Alba Campos's classes missing
attendance", "cash received in October"): over the simulated school, each narrowed answer differs from the
whole school's, holds only the right rows and says whose they are; an unknown name is reported, never
widened; a teacher narrowing to someone else's group or classes is refused, and to their own, answered."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.attendance.models import AttendanceRecord
from domain.db import unit_of_work
from domain.demo.seed import seed_demo
from domain.embeddings import default_embedder
from domain.groups import memberships
from domain.groups.models import Group, StudentGroup
from domain.groups.service import active_on
from domain.notes import service as notes
from domain.payments import service as payments
from domain.payments.models import Payment, PaymentMethod, PaymentState
from domain.payments.schemas import PaymentIn
from domain.scheduling.models import GroupSlot
from domain.sessions.models import ClassSession
from domain.students import service as students
from domain.students.models import Student
from domain.students.schemas import StudentIn
from domain.teachers.models import Teacher
from domain.tenancy import TenantContext
from domain.venues.models import Venue
from tests.copilot.helpers import tenant_of
from tests.domain.studio import START, Studio, build_studio
from tools import runner
from tools.base import ToolContext, ToolOutput

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 18, tzinfo=UTC)
OCTOBER = {"start": "2026-10-01", "end": "2026-10-31"}


@dataclass
class Demo:
    session: AsyncSession
    admin: TenantContext
    teacher: TenantContext  # Martina Delgado's account

    async def ask(self, tool: str, args: dict[str, Any], *, as_teacher: bool = False) -> ToolOutput:
        who = self.teacher if as_teacher else self.admin
        ctx = ToolContext(session=self.session, tenant=who, today=TODAY, now=NOW)
        return (await runner.call(ctx, tool, args)).output

    async def id_of(self, model: type[Group] | type[Teacher] | type[Venue], name: str) -> uuid.UUID:
        column = Teacher.full_name if model is Teacher else model.name  # type: ignore[union-attr]
        found = await self.session.scalar(select(model.id).where(column == name))
        assert found is not None, name
        return found

    async def groups_of(self, teacher: str) -> set[str]:
        teacher_id = await self.id_of(Teacher, teacher)
        return set(
            (await self.session.scalars(select(Group.name).where(Group.teacher_id == teacher_id))).all()
        )

    async def members(self, *groups: str) -> set[str]:
        rows = await self.session.scalars(
            select(Student.full_name)
            .join(StudentGroup, StudentGroup.student_id == Student.id)
            .join(Group, Group.id == StudentGroup.group_id)
            .where(Group.name.in_(groups), active_on(TODAY))
        )
        return set(rows.all())


@pytest.fixture
async def demo(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[Demo]:
    await seed_demo(sessions, today=TODAY, size="small", seed=7)
    async with unit_of_work(sessions) as session:
        admin = await tenant_of(session, "demo-school", "admin@demo-school.example")
        teacher = await tenant_of(session, "demo-school", "teacher1@demo-school.example")
    async with unit_of_work(sessions, admin) as session:
        yield Demo(session, admin, teacher)


def _names(out: ToolOutput, key: str, name: str) -> set[str]:
    return {row[name] for row in out.data[key]}


async def test_dropout_risk_narrowed_to_a_group_or_a_teacher(demo: Demo) -> None:
    everyone = await demo.ask("dropout_risk", {"limit": 50})
    jazz = await demo.ask("dropout_risk", {"group": "jazz beginers", "limit": 50})  # fuzzy, like any name
    assert jazz.text.startswith(f"{len(jazz.data['at_risk'])} students in Jazz Beginners may be about")
    assert _names(jazz, "at_risk", "full_name") <= await demo.members("Jazz Beginners")
    assert jazz.data["students_checked"] == len(await demo.members("Jazz Beginners"))
    assert jazz.data["students_checked"] < everyone.data["students_checked"]
    martina = await demo.ask("dropout_risk", {"teacher": "Martina Delgado", "limit": 50})
    hers = await demo.members(*await demo.groups_of("Martina Delgado"))
    assert _names(martina, "at_risk", "full_name") <= hers
    assert martina.data["students_checked"] == len(hers) < everyone.data["students_checked"]
    assert "in Martina Delgado's groups" in martina.text
    unknown = await demo.ask("dropout_risk", {"group": "Flamenco Imperial"})
    assert (
        unknown.text == "I couldn't find a group called “Flamenco Imperial”."
        and "at_risk" not in unknown.data
    )


async def test_a_teacher_narrows_risk_to_their_own_groups_only(demo: Demo) -> None:
    other = sorted(await demo.groups_of("Liam Santos"))[0]
    refused = await demo.ask("dropout_risk", {"group": other}, as_teacher=True)
    assert refused.data == {"error": "forbidden"}
    not_her = await demo.ask("dropout_risk", {"teacher": "Liam Santos"}, as_teacher=True)
    assert not_her.data == {"error": "forbidden"}
    own = sorted(await demo.groups_of("Martina Delgado"))[0]
    mine = await demo.ask("dropout_risk", {"group": own, "limit": 50}, as_teacher=True)  # control
    assert mine.data["students_checked"] == len(await demo.members(own))
    assert _names(mine, "at_risk", "full_name") <= await demo.members(own)


async def test_missing_attendance_narrowed_by_teacher_group_and_venue(demo: Demo) -> None:
    everyone = await demo.ask("missing_attendance", {})
    assert len({s["teacher_name"] for s in everyone.data["sessions"]}) > 1
    alba = await demo.ask("missing_attendance", {"teacher": "Alba Campos"})
    assert alba.text.startswith("Missing attendance for Alba Campos's classes: ")
    assert {s["teacher_name"] for s in alba.data["sessions"]} == {"Alba Campos"}
    assert len(alba.data["sessions"]) < len(everyone.data["sessions"])
    group = alba.data["sessions"][0]["group_name"]
    one_group = await demo.ask("missing_attendance", {"group": group})
    assert {s["group_name"] for s in one_group.data["sessions"]} == {group}
    assert one_group.text.startswith(f"Missing attendance for {group}: ")
    sala_sur = await demo.id_of(Venue, "Sala Sur")
    there = await demo.ask("missing_attendance", {"venue": "sala sur"})
    ids = [uuid.UUID(s["session_id"]) for s in there.data["sessions"]]
    venues = set(
        (await demo.session.scalars(select(ClassSession.venue_id).where(ClassSession.id.in_(ids)))).all()
    )
    assert ids and venues == {sala_sur} and len(ids) < len(everyone.data["sessions"])
    unknown = await demo.ask("missing_attendance", {"teacher": "Víctor Suárez"})
    assert unknown.text == "I couldn't find a teacher called “Víctor Suárez”."


async def test_a_teacher_sees_missing_attendance_of_their_own_classes_only(demo: Demo) -> None:
    refused = await demo.ask("missing_attendance", {"teacher": "Alba Campos"}, as_teacher=True)
    assert refused.data == {"error": "forbidden"}
    own = await demo.ask("missing_attendance", {"teacher": "Martina Delgado"}, as_teacher=True)  # control
    assert "error" not in own.data and "Martina Delgado" in own.text.splitlines()[0]
    assert {s["teacher_name"] for s in own.data["sessions"]} <= {"Martina Delgado"}


async def test_attendance_of_a_student_in_one_group_and_at_a_venue(demo: Demo) -> None:
    group_id = await demo.id_of(Group, "Lindy Hop Advanced")
    in_two_groups = (
        select(StudentGroup.student_id)
        .where(
            StudentGroup.student_id.in_(
                select(StudentGroup.student_id).where(StudentGroup.group_id == group_id)
            )
        )
        .group_by(StudentGroup.student_id)
        .having(func.count(func.distinct(StudentGroup.group_id)) > 1)
    )
    student_id = await demo.session.scalar(in_two_groups.limit(1))
    assert student_id is not None
    student = await demo.session.get(Student, student_id)
    assert student is not None
    marks_in = (
        select(func.count())
        .select_from(AttendanceRecord)
        .join(ClassSession, ClassSession.id == AttendanceRecord.class_session_id)
        .where(AttendanceRecord.student_id == student_id, ClassSession.date >= date(2026, 10, 1))
    )
    since_october = {"start": "2026-10-01", "end": TODAY.isoformat()}
    overall = await demo.ask("attendance_summary", {"student": student.full_name} | since_october)
    in_group = await demo.ask(
        "attendance_summary", {"student": student.full_name, "group": "Lindy Hop Advanced"} | since_october
    )
    assert in_group.text.startswith(f"Attendance for {student.full_name} in Lindy Hop Advanced, ")
    assert in_group.data["marks"] == await demo.session.scalar(
        marks_in.where(ClassSession.group_id == group_id)
    )
    assert 0 < in_group.data["marks"] < overall.data["marks"] == await demo.session.scalar(marks_in)
    whole = await demo.ask("attendance_summary", OCTOBER)
    sala_sur = await demo.ask("attendance_summary", {"venue": "Sala Sur"} | OCTOBER)
    venue_id = await demo.id_of(Venue, "Sala Sur")
    there = await demo.session.scalar(
        select(func.count())
        .select_from(AttendanceRecord)
        .join(ClassSession, ClassSession.id == AttendanceRecord.class_session_id)
        .where(
            ClassSession.venue_id == venue_id,
            ClassSession.date.between(date(2026, 10, 1), date(2026, 10, 31)),
        )
    )
    assert sala_sur.text.startswith("Attendance for classes at Sala Sur, October 2026:")
    assert 0 < sala_sur.data["marks"] == there < whole.data["marks"]


async def test_group_health_at_a_venue(demo: Demo) -> None:
    everyone = await demo.ask("group_health", {})
    sala_sur = await demo.ask("group_health", {"venue": "Sala Sur"})
    venue_id = await demo.id_of(Venue, "Sala Sur")
    based_there = set((await demo.session.scalars(select(Group.id).where(Group.venue_id == venue_id))).all())
    shown = {uuid.UUID(g["group_id"]) for g in sala_sur.data["groups"]}
    assert shown and shown <= based_there and len(shown) < len(everyone.data["groups"])
    assert sala_sur.text.startswith("Group health at Sala Sur, ")
    assert (await demo.ask("group_health", {"venue": "Sala Oeste"})).text.startswith(
        "I couldn't find a venue"
    )


async def test_revenue_by_group_venue_and_method(demo: Demo) -> None:
    whole = (await demo.ask("revenue_summary", OCTOBER)).data
    jazz = await demo.ask("revenue_summary", {"group": "Jazz Beginners"} | OCTOBER)
    assert jazz.text.startswith("Revenue from the tuition of Jazz Beginners, October 2026: expected ")
    assert Decimal("0") < Decimal(jazz.data["expected"]) < Decimal(whole["expected"])
    assert Decimal(jazz.data["collected"]) <= Decimal(jazz.data["expected"])
    assert Decimal(jazz.data["received"]) < Decimal(whole["received"])
    venue = (await demo.ask("revenue_summary", {"venue": "Sala Sur"} | OCTOBER)).data
    assert Decimal(jazz.data["expected"]) <= Decimal(venue["expected"]) < Decimal(whole["expected"])
    cash = await demo.ask("revenue_summary", {"method": "cash"} | OCTOBER)
    cash_in = await demo.session.scalar(
        select(func.coalesce(func.sum(Payment.amount), 0)).where(
            Payment.method == PaymentMethod.CASH,
            Payment.state == PaymentState.RECORDED,
            Payment.received_on.between(date(2026, 10, 1), date(2026, 10, 31)),
        )
    )
    assert cash_in is not None and Decimal(cash.data["received"]) == cash_in < Decimal(whole["received"])
    assert cash.data["expected"] == whole["expected"] and cash.data["outstanding"] == whole["outstanding"]
    assert cash.text.startswith("Revenue paid in cash, October 2026: ")
    bad = await demo.ask("revenue_summary", {"method": "bitcoin"})
    assert bad.data == {"error": "invalid"}


async def test_teacher_load_of_one_teacher(demo: Demo) -> None:
    everyone = await demo.ask("teacher_load", OCTOBER)
    liam = await demo.ask("teacher_load", {"teacher": "liam santos"} | OCTOBER)
    assert [t["teacher_name"] for t in liam.data["teachers"]] == ["Liam Santos"]
    assert len(everyone.data["teachers"]) > 1
    assert liam.text.startswith("Teaching load of Liam Santos, October 2026:")
    refused = await demo.ask("teacher_load", {"teacher": "Liam Santos"}, as_teacher=True)
    assert refused.data == {"error": "forbidden"}
    own = await demo.ask("teacher_load", {"teacher": "Martina Delgado"}, as_teacher=True)  # control
    assert [t["teacher_name"] for t in own.data["teachers"]] == ["Martina Delgado"]


async def test_schedule_combines_teacher_venue_and_group(demo: Demo) -> None:
    week = {"date": "2026-11-16", "week": True}
    everyone = await demo.ask("schedule", week)
    martina_id = await demo.id_of(Teacher, "Martina Delgado")
    venue_id = await demo.id_of(Venue, "Sala Sur")
    hers_there = await demo.ask("schedule", week | {"teacher": "Martina Delgado", "venue": "Sala Sur"})
    rows = hers_there.data["sessions"]
    ids = [uuid.UUID(s["id"]) for s in rows]
    found = (
        await demo.session.execute(
            select(ClassSession.teacher_id, ClassSession.venue_id).where(ClassSession.id.in_(ids))
        )
    ).all()
    assert rows and set(found) == {(martina_id, venue_id)} and len(rows) < len(everyone.data["sessions"])
    assert (
        "Martina Delgado" in hers_there.text.splitlines()[0] and "Sala Sur" in hers_there.text.splitlines()[0]
    )
    group = sorted(await demo.groups_of("Martina Delgado"))[0]
    group_id = await demo.id_of(Group, group)
    one = await demo.ask("schedule", week | {"teacher": "Martina Delgado", "group": group})
    assert one.data["sessions"] and {s["group_id"] for s in one.data["sessions"]} == {str(group_id)}
    assert group in one.text.splitlines()[0]
    other = sorted(await demo.groups_of("Liam Santos"))[0]
    refused = await demo.ask("schedule", week | {"group": other}, as_teacher=True)
    assert refused.data == {"error": "forbidden"}
    mine = await demo.ask("schedule", week | {"group": group}, as_teacher=True)  # control
    assert mine.data["sessions"] == one.data["sessions"]
    unknown = await demo.ask("schedule", week | {"group": "Flamenco Imperial"})
    assert unknown.text == "I couldn't find a group called “Flamenco Imperial”."


async def _studio_with_tuition(session: AsyncSession) -> tuple[Studio, ToolContext]:
    """Ana and José in Lucía's Salsa, Lola in Marco's Bachata; this month's tuition made, Ana paid 30."""
    studio = await build_studio(session, names=("Ana García", "José Martínez"))
    admin, today = studio.admin, studio.admin.today()
    lola = await students.create_student(session, admin, data=StudentIn(full_name="Lola Bachatera"))
    studio.students["Lola"] = lola
    await memberships.enroll(session, admin, student_id=lola.id, group_id=studio.bachata.id, start_date=START)
    await payments.generate_tuition(session, admin, month=today, today=today)
    await payments.record_payment(
        session,
        admin,
        data=PaymentIn(student_id=studio.students["Ana"].id, amount=Decimal("30.00"), received_on=today),
    )
    return studio, ToolContext(session=session, tenant=admin, today=today, now=datetime.now(UTC))


async def test_unpaid_narrowed_to_a_teachers_groups_and_to_those_owing_at_least_an_amount(
    session: AsyncSession,
) -> None:
    studio, ctx = await _studio_with_tuition(session)

    async def unpaid(args: dict[str, Any]) -> ToolOutput:
        return (await runner.call(ctx, "unpaid_students", args)).output

    everyone = await unpaid({})
    assert _names(everyone, "students", "full_name") == {"Ana García", "José Martínez", "Lola Bachatera"}
    marco = await unpaid({"teacher": "Marco Bianchi"})
    assert _names(marco, "students", "full_name") == {"Lola Bachatera"}
    assert marco.text.startswith("1 student in Marco Bianchi's groups hasn't paid ")
    owing = {s["full_name"]: Decimal(s["outstanding"]) for s in everyone.data["students"]}
    least = owing["Ana García"] + Decimal("0.01")  # Ana paid part: she owes less than the others
    big = await unpaid({"min_amount": str(least)})
    assert _names(big, "students", "full_name") == {"José Martínez", "Lola Bachatera"}
    assert big.text.startswith(f"2 students owing at least {least} EUR haven't paid ")
    both = await unpaid({"teacher": "lucia", "min_amount": str(least)})
    assert _names(both, "students", "full_name") == {"José Martínez"}
    unknown = await unpaid({"teacher": "Víctor Suárez"})
    assert unknown.text == "I couldn't find a teacher called “Víctor Suárez”."
    assert (await unpaid({"min_amount": "-5"})).data == {"error": "invalid"}
    teacher_ctx = ToolContext(session=session, tenant=studio.teacher, today=ctx.today, now=ctx.now)
    refused = await runner.call(teacher_ctx, "unpaid_students", {"teacher": "Lucía Romero"})
    assert refused.output.data == {"error": "forbidden"}  # money is the office's, narrowed or not
    staff_ctx = ToolContext(session=session, tenant=studio.staff, today=ctx.today, now=ctx.now)
    allowed = await runner.call(staff_ctx, "unpaid_students", {"teacher": "Lucía Romero"})  # control
    assert _names(allowed.output, "students", "full_name") == {"Ana García", "José Martínez"}


async def test_notes_of_one_groups_students(session: AsyncSession) -> None:
    studio, ctx = await _studio_with_tuition(session)
    embedder = default_embedder()
    for name, body in (("Ana", "sprained her ankle, no jumps"), ("Lola", "ankle injury: careful with spins")):
        await notes.add_note(
            session, studio.admin, student_id=studio.students[name].id, body=body, embedder=embedder
        )

    async def search(tenant: TenantContext, args: dict[str, Any]) -> ToolOutput:
        asking = ToolContext(session=session, tenant=tenant, today=ctx.today, now=ctx.now)
        return (await runner.call(asking, "search_notes", {"query": "ankle injury"} | args)).output

    everyone = await search(studio.admin, {})
    assert _names(everyone, "notes", "student_name") == {"Ana García", "Lola Bachatera"}
    salsa = await search(studio.admin, {"group": "salsa"})
    assert _names(salsa, "notes", "student_name") == {"Ana García"}
    assert salsa.text.startswith("Notes about students of Salsa Beginners closest to “ankle injury”:")
    unknown = await search(studio.admin, {"group": "Flamenco Imperial"})
    assert unknown.text == "I couldn't find a group called “Flamenco Imperial”."
    refused = await search(studio.teacher, {"group": "Bachata Improvers"})  # Marco's group, not Lucía's
    assert refused.data == {"error": "forbidden"}
    own = await search(studio.teacher, {"group": "Salsa Beginners"})  # control
    assert _names(own, "notes", "student_name") == {"Ana García"}


async def test_unpaid_narrowed_to_the_groups_meeting_at_a_venue(demo: Demo) -> None:
    everyone = await demo.ask("unpaid_students", {})
    norte = await demo.ask("unpaid_students", {"venue": "studio norte"})  # fuzzy, like any name
    venue_id = await demo.id_of(Venue, "Studio Norte")
    november, november_end = date(2026, 11, 1), date(2026, 11, 30)
    slot_there = select(GroupSlot.group_id).where(
        GroupSlot.venue_id == venue_id,
        GroupSlot.valid_from <= november_end,
        or_(GroupSlot.valid_until.is_(None), GroupSlot.valid_until >= november),
    )
    members_there = set(
        (
            await demo.session.scalars(
                select(Student.full_name)
                .join(StudentGroup, StudentGroup.student_id == Student.id)
                .join(Group, Group.id == StudentGroup.group_id)
                .where(
                    or_(Group.venue_id == venue_id, Group.id.in_(slot_there)),
                    StudentGroup.start_date <= november_end,
                    or_(StudentGroup.end_date.is_(None), StudentGroup.end_date >= november),
                )
            )
        ).all()
    )
    shown = _names(norte, "students", "full_name")
    whole = _names(everyone, "students", "full_name")
    assert shown and shown == whole & members_there and len(shown) < len(whole)
    count = len(shown)
    assert norte.text.startswith(f"{count} student{'' if count == 1 else 's'} at Studio Norte ha")
    unknown = await demo.ask("unpaid_students", {"venue": "Sala Oeste"})
    assert unknown.text == "I couldn't find a venue called “Sala Oeste”." and "students" not in unknown.data


def _classes_per_teacher(load: ToolOutput) -> dict[str, int]:
    return {t["teacher_name"]: t["held"] + t["scheduled"] + t["cancelled"] for t in load.data["teachers"]}


async def test_teacher_load_narrowed_to_the_classes_held_at_a_venue(demo: Demo) -> None:
    everyone = await demo.ask("teacher_load", OCTOBER)
    centro = await demo.ask("teacher_load", {"venue": "studio centro"} | OCTOBER)
    venue_id = await demo.id_of(Venue, "Studio Centro")
    held_there = dict(
        (
            await demo.session.execute(
                select(Teacher.full_name, func.count())
                .join(ClassSession, ClassSession.teacher_id == Teacher.id)
                .where(
                    ClassSession.venue_id == venue_id,
                    ClassSession.date.between(date(2026, 10, 1), date(2026, 10, 31)),
                )
                .group_by(Teacher.full_name)
            )
        ).all()
    )
    shown = _classes_per_teacher(centro)
    assert shown and shown == held_there
    whole = _classes_per_teacher(everyone)
    assert shown != whole and sum(shown.values()) < sum(whole.values())
    assert centro.text.startswith("Teaching load at Studio Centro, October 2026:")
    name = sorted(shown)[0]
    one = await demo.ask("teacher_load", {"teacher": name, "venue": "Studio Centro"} | OCTOBER)
    assert one.text.startswith(f"Teaching load of {name} at Studio Centro, October 2026:")
    assert [t["teacher_name"] for t in one.data["teachers"]] == [name]
    mine = await demo.ask("teacher_load", {"venue": "Studio Centro"} | OCTOBER, as_teacher=True)
    assert {t["teacher_name"] for t in mine.data["teachers"]} <= {"Martina Delgado"}
    unknown = await demo.ask("teacher_load", {"venue": "Sala Oeste"} | OCTOBER)
    assert unknown.text == "I couldn't find a venue called “Sala Oeste”." and "teachers" not in unknown.data
