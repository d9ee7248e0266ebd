"""Attendance per group, teacher, student or venue, per week or month, with the trend.

A mark counts in the period of its class's date. The office sees every class; a teacher sees the
classes they taught (their own and those they stood in for), as every attendance figure does.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import ColumnElement, Numeric, Text, cast, func, literal, select, true
from sqlalchemy.dialects.postgresql import aggregate_order_by
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
ROWS = TypeAdapter(list[AttendanceRow])


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
    # Counted per (period, key) on the ids alone, then named, and handed over as one JSON array that
    # pydantic's validator reads straight into the rows (``validate_json``, in Rust). A student report
    # over months has tens of thousands of rows; fetched row by row, each value converted by the driver
    # and each row built in a Python loop (``model_construct``), the rows were most of its time. The
    # rate is worked out by PostgreSQL: numeric division rounded half up to four places, as
    # ``periods.rate`` does, which the tests against independent SQL hold it to.
    keys: dict[str, Any] = {
        "group": ClassSession.group_id,
        "teacher": ClassSession.teacher_id,
        "student": AttendanceRecord.student_id,
        "venue": ClassSession.venue_id,
    }
    period = bucket(every, ClassSession.date).label("period")
    status = AttendanceRecord.status
    counted = (
        select(
            period,
            keys[by].label("key_id"),
            func.count().label("marks"),
            func.count().filter(status.in_(CAME)).label("attended"),
            func.count().filter(status == AttendanceStatus.ABSENT).label("absent"),
            func.count().filter(status == AttendanceStatus.EXCUSED).label("excused"),
        )
        .select_from(AttendanceRecord)
        .join(ClassSession, ClassSession.id == AttendanceRecord.class_session_id)
        .where(*where)
        .group_by(period, keys[by])
        .subquery("counted")
    )
    names: dict[str, tuple[Any, Any]] = {  # the table a key names, and its name's expression
        "group": (Group, func.coalesce(Group.name, literal("Private"))),
        "teacher": (Teacher, Teacher.full_name),
        "student": (Student, Student.full_name),
        "venue": (Venue, func.coalesce(Venue.name, literal("No venue"))),
    }
    table, name = names[by]
    c = counted.c
    as_json = func.json_build_object(
        *("period", c.period, "key_id", c.key_id, "name", name),
        *("marks", c.marks, "attended", c.attended, "absent", c.absent, "excused", c.excused),
        # as text: the Decimal is read from exactly these digits ("0.6667", "1.0000"), never a float
        *("rate", cast(func.round(cast(c.attended, Numeric) / c.marks, 4), Text)),
    )
    query = select(
        func.coalesce(
            cast(func.json_agg(aggregate_order_by(as_json, c.period, name, c.key_id)), Text), literal("[]")
        )
    ).select_from(counted.outerjoin(table, table.id == c.key_id))
    rows = ROWS.validate_json(await session.scalar(query) or "[]")
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
