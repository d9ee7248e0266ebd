"""Every attendance mark as a table, streamed off a server-side cursor (the large demo has ~335k of them).

The office sees every mark; a teacher the marks of the classes they taught and of their groups' classes —
the rule of ``require_class_visible`` for one class, written as a WHERE clause for all of them.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime, time
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.attendance.models import AttendanceRecord
from domain.db import unit_of_work
from domain.exports.cells import Cell
from domain.exports.writers import Column, Table
from domain.groups.models import Group
from domain.sessions.models import ClassSession
from domain.students.models import Student
from domain.teachers.models import Teacher
from domain.teachers.service import visibility
from domain.tenancy import TenantContext
from domain.venues.models import Venue

BATCH = 2000

ATTENDANCE = Table(
    "attendance",
    (
        Column("date", "Date", "Fecha"),
        Column("start_time", "Start time", "Hora"),
        Column("group", "Group", "Grupo"),
        Column("teacher", "Teacher", "Profesor"),
        Column("venue", "Venue", "Sala"),
        Column("student", "Student", "Alumno"),
        Column("status", "Status", "Estado"),
        Column("is_guest", "Guest", "Invitado"),
        Column("marked_at", "Marked at", "Marcado"),
    ),
)


async def attendance_query(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    start: date | None = None,
    end: date | None = None,
    group_id: uuid.UUID | None = None,
    student_id: uuid.UUID | None = None,
) -> Select[*tuple[Any, ...]]:
    """The marks the caller may see, oldest class first, as one SELECT of the table's columns."""
    seen = await visibility(session, tenant)
    query: Select[*tuple[Any, ...]] = (
        select(
            ClassSession.date,
            ClassSession.start_time,
            Group.name,
            Teacher.full_name,
            Venue.name,
            Student.full_name,
            AttendanceRecord.status,
            AttendanceRecord.is_guest,
            AttendanceRecord.marked_at,
        )
        .select_from(AttendanceRecord)
        .join(ClassSession, ClassSession.id == AttendanceRecord.class_session_id)
        .join(Student, Student.id == AttendanceRecord.student_id)
        .join(Teacher, Teacher.id == ClassSession.teacher_id)
        .outerjoin(Group, Group.id == ClassSession.group_id)
        .outerjoin(Venue, Venue.id == ClassSession.venue_id)
        .order_by(ClassSession.date, ClassSession.start_time, ClassSession.id, Student.search_name)
    )
    if not seen.everything:
        query = query.where(
            or_(ClassSession.teacher_id == seen.teacher_id, Group.teacher_id == seen.teacher_id)
        )
    for condition, wanted in (
        (ClassSession.date >= start if start else None, start),
        (ClassSession.date <= end if end else None, end),
        (ClassSession.group_id == group_id, group_id),
        (AttendanceRecord.student_id == student_id, student_id),
    ):
        if wanted is not None and condition is not None:
            query = query.where(condition)
    return query


class AttendanceRow(BaseModel):
    """One mark, as the JSON list shows it (the same fields as the export's columns)."""

    date: date
    start_time: str | None
    group: str | None
    teacher: str
    venue: str | None
    student: str
    status: str
    is_guest: bool
    marked_at: datetime

    @classmethod
    def of(cls, cells: Sequence[Cell]) -> AttendanceRow:
        return cls.model_validate(dict(zip((c.key for c in ATTENDANCE.columns), cells, strict=True)))


async def count(session: AsyncSession, query: Select[*tuple[Any, ...]]) -> int:
    total = select(func.count()).select_from(query.order_by(None).subquery())
    return int(await session.scalar(total) or 0)


def attendance_cells(row: Sequence[Any]) -> list[Cell]:
    day, start, group, teacher, venue, student, status, guest, marked_at = row
    minutes = start.isoformat(timespec="minutes") if isinstance(start, time) else None
    return [day, minutes, group, teacher, venue, student, getattr(status, "value", status), guest, marked_at]


async def stream_attendance(
    sessions: async_sessionmaker[AsyncSession], tenant: TenantContext, query: Select[*tuple[Any, ...]]
) -> AsyncIterator[list[Cell]]:
    """Rows as the cursor hands them over, ``BATCH`` at a time, in a transaction of their own (the
    request's has ended by the time a streamed response is sent)."""
    async with unit_of_work(sessions, tenant) as session:
        result = await session.stream(query.execution_options(yield_per=BATCH))
        async for batch in result.partitions():
            for row in batch:
                yield attendance_cells(row)
