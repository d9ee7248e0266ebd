"""Classes much emptier than their usual: a held class of the period where at most half as many came
as the median of the group's previous eight held classes (groups that usually have at least four)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.attendance.models import AttendanceRecord, AttendanceStatus
from domain.groups.models import Group
from domain.groups.service import visible_group_ids
from domain.insights.schemas import AttendanceAnomalies, EmptierClass
from domain.sessions.models import ClassSession, SessionStatus
from domain.tenancy import TenantContext

CAME = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
USUAL_CLASSES = 8
SMALLEST_USUAL = 4
EMPTIER = 0.5


async def attendance_anomalies(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    start: date,
    end: date,
    group_id: uuid.UUID | None = None,
    teacher_id: uuid.UUID | None = None,
    venue_id: uuid.UUID | None = None,
) -> AttendanceAnomalies:
    """Held classes between ``start`` and ``end`` much emptier than usual, in the groups the caller may
    see (a teacher: their own); of one group, of one teacher's groups, or of the classes held at one venue
    (each compared with its group's usual wherever it met), when given."""
    import pandas as pd

    visible = await visible_group_ids(session, tenant)
    query = (
        select(
            ClassSession.group_id,
            Group.name,
            ClassSession.date,
            ClassSession.venue_id,
            func.count(AttendanceRecord.id).filter(AttendanceRecord.status.in_(CAME)),
            func.count(AttendanceRecord.id),
        )
        .join(Group, Group.id == ClassSession.group_id)
        .join(AttendanceRecord, AttendanceRecord.class_session_id == ClassSession.id)
        .where(
            ClassSession.status == SessionStatus.HELD,
            ClassSession.date.between(start - timedelta(weeks=USUAL_CLASSES * 2 + 10), end),
        )
        .group_by(
            ClassSession.id, ClassSession.group_id, Group.name, ClassSession.date, ClassSession.venue_id
        )
    )
    if visible is not None:
        query = query.where(ClassSession.group_id.in_(visible))
    if group_id is not None:
        query = query.where(ClassSession.group_id == group_id)
    if teacher_id is not None:  # her groups' history, so each class is compared with its usual
        query = query.where(ClassSession.group_id.in_(select(Group.id).where(Group.teacher_id == teacher_id)))
    rows = (await session.execute(query)).all()
    columns = ["group_id", "group_name", "day", "venue_id", "came", "marks"]
    frame = pd.DataFrame(rows, columns=columns).sort_values(["group_id", "day"])
    frame["usual"] = frame.groupby("group_id")["came"].transform(
        lambda s: s.shift(1).rolling(USUAL_CLASSES, min_periods=USUAL_CLASSES // 2).median()
    )
    flagged = frame[
        (frame["day"] >= start)
        & (frame["usual"] >= SMALLEST_USUAL)
        & (frame["came"] <= frame["usual"] * EMPTIER)
    ].sort_values(["day", "group_name"], ascending=[False, True])
    if venue_id is not None:
        flagged = flagged[flagged["venue_id"] == venue_id]
    return AttendanceAnomalies(
        start=start,
        end=end,
        classes=[
            EmptierClass(group_id=g, group_name=n, date=d, came=int(c), usual=round(float(u)))
            for g, n, d, c, u in zip(
                flagged["group_id"],
                flagged["group_name"],
                flagged["day"],
                flagged["came"],
                flagged["usual"],
                strict=True,
            )
        ],
    )
