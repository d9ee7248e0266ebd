"""Attendance per group, teacher, student or venue, per week or month, with the trend.

A mark counts in the period of its class's date. The office sees every class; a teacher sees the
classes they taught (their own and those they stood in for), as every attendance figure does.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, literal, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from domain.attendance.models import AttendanceRecord, AttendanceStatus
from domain.groups.models import Group
from domain.reports.periods import bucket, check, rate
from domain.reports.schemas import AttendanceBy, AttendancePoint, AttendanceReport, AttendanceRow, Every
from domain.sessions.models import ClassSession
from domain.sessions.narrowing import narrowing
from domain.students.models import Student
from domain.teachers.models import Teacher
from domain.teachers.service import visibility
from domain.tenancy import TenantContext
from domain.venues.models import Venue

CAME = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


async def classes_seen(session: AsyncSession, tenant: TenantContext) -> ColumnElement[bool]:
    """Every class for the office; the classes a teacher taught for a teacher."""
    seen = await visibility(session, tenant)
    return true() if seen.everything else ClassSession.teacher_id == seen.teacher_id


async def attendance_report(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    start: date,
    end: date,
    by: AttendanceBy = "group",
    every: Every = "month",
    group_id: uuid.UUID | None = None,
    teacher_id: uuid.UUID | None = None,
    venue_id: uuid.UUID | None = None,
) -> AttendanceReport:
    check(start, end)
    await narrowing(session, tenant, group_id=group_id, teacher_id=teacher_id, venue_id=venue_id)
    where = [ClassSession.date.between(start, end), await classes_seen(session, tenant)]
    for column, value in (
        (ClassSession.group_id, group_id),
        (ClassSession.teacher_id, teacher_id),
        (ClassSession.venue_id, venue_id),
    ):
        if value is not None:
            where.append(column == value)
    columns: dict[str, tuple[Any, Any]] = {  # the key's column and its name's expression
        "group": (ClassSession.group_id, func.coalesce(Group.name, literal("Private"))),
        "teacher": (ClassSession.teacher_id, Teacher.full_name),
        "student": (AttendanceRecord.student_id, Student.full_name),
        "venue": (ClassSession.venue_id, func.coalesce(Venue.name, literal("No venue"))),
    }
    key, name = columns[by]
    period = bucket(every, ClassSession.date).label("period")
    status = AttendanceRecord.status
    query = (
        select(
            period,
            key.label("key_id"),
            name.label("name"),
            func.count().label("marks"),
            func.count().filter(status.in_(CAME)).label("attended"),
            func.count().filter(status == AttendanceStatus.ABSENT).label("absent"),
            func.count().filter(status == AttendanceStatus.EXCUSED).label("excused"),
        )
        .select_from(AttendanceRecord)
        .join(ClassSession, ClassSession.id == AttendanceRecord.class_session_id)
        .where(*where)
        .group_by(period, key, name)
        .order_by(period, name, key)
    )
    joins = {
        "group": (Group, Group.id == ClassSession.group_id),
        "teacher": (Teacher, Teacher.id == ClassSession.teacher_id),
        "student": (Student, Student.id == AttendanceRecord.student_id),
        "venue": (Venue, Venue.id == ClassSession.venue_id),
    }
    table, on = joins[by]
    query = query.outerjoin(table, on)
    # Built without validation: the values are the database's own, typed by the query; a student report
    # over months has tens of thousands of rows, and validating each cost a third of the time.
    rows = [
        AttendanceRow.model_construct(
            period=r.period,
            key_id=r.key_id,
            name=r.name,
            marks=r.marks,
            attended=r.attended,
            absent=r.absent,
            excused=r.excused,
            rate=rate(r.attended, r.marks),
        )
        for r in await session.execute(query)
    ]
    trend: dict[date, tuple[int, int]] = {}
    for row in rows:
        marks, came = trend.get(row.period, (0, 0))
        trend[row.period] = (marks + row.marks, came + row.attended)
    points = [
        AttendancePoint(period=p, marks=m, attended=a, rate=rate(a, m)) for p, (m, a) in sorted(trend.items())
    ]
    rates = [p.rate for p in points if p.rate is not None]
    return AttendanceReport(
        start=start,
        end=end,
        by=by,
        every=every,
        rows=rows,
        trend=points,
        change=rates[-1] - rates[0] if len(rates) > 1 else None,
    )
