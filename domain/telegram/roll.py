"""What the roll in Telegram reads: a person's classes of the day, and one class's roster with the marks
already recorded. Writing the roll is not here: it goes through the `mark_attendance` tool's pending
action, the one guarded path for attendance written from a chat.

Who may take a class's roll is the attendance service's rule (its teacher — a substitute on the day
they stand in is that session's teacher — or the office), checked here before anything is shown.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.attendance.models import AttendanceRecord, AttendanceStatus
from domain.attendance.service import enrolled_on
from domain.errors import Conflict
from domain.groups.models import Group
from domain.sessions.models import ClassSession, SessionStatus
from domain.sessions.service import get_session, list_sessions, require_session_teacher_or_office
from domain.students.models import Student
from domain.tenancy import TenantContext


@dataclass(frozen=True)
class DayClass:
    session_id: uuid.UUID
    day: date
    start: time | None
    name: str  # the group's name, or "" for a one-off class


@dataclass(frozen=True)
class RollStudent:
    student_id: uuid.UUID
    full_name: str
    sort_key: str


@dataclass(frozen=True)
class ClassRoll:
    """One class as its roll shows it: the students enrolled that day, in name order, and the marks
    recorded so far (a student without one is not in ``recorded``)."""

    day_class: DayClass
    students: list[RollStudent]
    recorded: dict[uuid.UUID, AttendanceStatus]


async def _names(session: AsyncSession, group_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not group_ids:
        return {}
    rows = await session.execute(select(Group.id, Group.name).where(Group.id.in_(group_ids)))
    return {i: name for i, name in rows}


async def classes_on(session: AsyncSession, tenant: TenantContext, day: date) -> list[DayClass]:
    """The classes of ``day`` the person can take the roll of, in time order: a teacher's own (those
    they stand in for included), everyone's for the office. Cancelled classes have no roll."""
    found = [
        s
        for s in await list_sessions(session, tenant, start=day, end=day)
        if s.status is not SessionStatus.CANCELLED
    ]
    names = await _names(session, {s.group_id for s in found if s.group_id})
    return [
        DayClass(s.id, s.date, s.start_time, names.get(s.group_id, "") if s.group_id else "") for s in found
    ]


async def class_roll(session: AsyncSession, tenant: TenantContext, session_id: uuid.UUID) -> ClassRoll:
    """The roster and marks of one class, for its teacher or the office (403 otherwise, 404 if unknown)."""
    class_session: ClassSession = await get_session(session, tenant, session_id)
    await require_session_teacher_or_office(session, tenant, class_session, "take the roll")
    if class_session.status is SessionStatus.CANCELLED:
        raise Conflict("This class was cancelled; it has no roll.")
    enrolled = await enrolled_on(session, class_session)
    students: list[RollStudent] = []
    if enrolled:
        rows = await session.execute(
            select(Student.id, Student.full_name, Student.search_name)
            .where(Student.id.in_(enrolled))
            .order_by(Student.search_name, Student.id)
        )
        students = [RollStudent(i, name, key) for i, name, key in rows]
    marks = await session.execute(
        select(AttendanceRecord.student_id, AttendanceRecord.status).where(
            AttendanceRecord.class_session_id == session_id
        )
    )
    names = await _names(session, {class_session.group_id} if class_session.group_id else set())
    day_class = DayClass(
        class_session.id,
        class_session.date,
        class_session.start_time,
        names.get(class_session.group_id, "") if class_session.group_id else "",
    )
    return ClassRoll(day_class, students, {i: status for i, status in marks})
