"""Group health: enrolled against capacity, the attendance trend, joiners and leavers per month, churn.

Counts are memberships (a student who leaves and rejoins a group counts each time): ``enrolled_at_start``
those covering the first day (of the period or the month), ``enrolled`` the last day, ``joined`` those
starting and ``left`` those ending (their last day) within it; churn is the share of everyone who was in
the group then (enrolled at the start, or joined) who left: left / (enrolled_at_start + joined), at most 1.
Groups that are not closed; a teacher sees the groups they teach.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.attendance.models import AttendanceRecord
from domain.groups.models import Group, GroupStatus, StudentGroup
from domain.groups.service import visible_group_ids
from domain.reports.attendance import CAME
from domain.reports.periods import bucket, check, months, rate
from domain.reports.schemas import GroupHealthReport, GroupHealthRow, GroupMonthRow
from domain.sessions.models import ClassSession
from domain.tenancy import TenantContext

Span = tuple[date, date | None]


def _covering(spans: list[Span], day: date) -> int:
    return sum(1 for begin, last in spans if begin <= day and (last is None or last >= day))


def _starting(spans: list[Span], first: date, last: date) -> int:
    return sum(1 for begin, _ in spans if first <= begin <= last)


def _ending(spans: list[Span], first: date, last: date) -> int:
    return sum(1 for _, end in spans if end is not None and first <= end <= last)


async def group_health_report(
    session: AsyncSession, tenant: TenantContext, *, start: date, end: date
) -> GroupHealthReport:
    check(start, end)
    visible = await visible_group_ids(session, tenant)
    query = select(Group).where(Group.status != GroupStatus.CLOSED).order_by(Group.search_name, Group.id)
    if visible is not None:
        query = query.where(Group.id.in_(visible))
    groups = list((await session.execute(query)).scalars())
    ids = [g.id for g in groups]
    spans: dict[uuid.UUID, list[Span]] = {gid: [] for gid in ids}
    for gid, begin, last in await session.execute(
        select(StudentGroup.group_id, StudentGroup.start_date, StudentGroup.end_date).where(
            StudentGroup.group_id.in_(ids), StudentGroup.start_date <= end
        )
    ):
        spans[gid].append((begin, last))
    month = bucket("month", ClassSession.date)
    marks: dict[tuple[uuid.UUID | None, date], tuple[int, int]] = {
        (gid, m): (total, came)
        for gid, m, total, came in await session.execute(
            select(
                ClassSession.group_id,
                month,
                func.count(),
                func.count().filter(AttendanceRecord.status.in_(CAME)),
            )
            .join(AttendanceRecord, AttendanceRecord.class_session_id == ClassSession.id)
            .where(ClassSession.date.between(start, end), ClassSession.group_id.in_(ids))
            .group_by(ClassSession.group_id, month)
        )
    }
    cut = months(start, end)
    rows, per_month = [], []
    for group in groups:
        own = spans[group.id]
        monthly = []
        for m in cut:
            total, came = marks.get((group.id, m.month), (0, 0))
            at_start, left = _covering(own, m.first), _ending(own, m.first, m.last)
            joined = _starting(own, m.first, m.last)
            monthly.append(
                GroupMonthRow(
                    group_id=group.id,
                    group_name=group.name,
                    month=m.month,
                    enrolled_at_start=at_start,
                    enrolled=_covering(own, m.last),
                    joined=joined,
                    left=left,
                    churn=rate(left, at_start + joined),
                    marks=total,
                    attended=came,
                    rate=rate(came, total),
                )
            )
        per_month += monthly
        enrolled, at_start, left = _covering(own, end), _covering(own, start), _ending(own, start, end)
        joined = _starting(own, start, end)
        total, came = sum(m.marks for m in monthly), sum(m.attended for m in monthly)
        rows.append(
            GroupHealthRow(
                group_id=group.id,
                group_name=group.name,
                capacity=group.capacity,
                enrolled=enrolled,
                fill=rate(enrolled, group.capacity or 0),
                enrolled_at_start=at_start,
                joined=joined,
                left=left,
                churn=rate(left, at_start + joined),
                marks=total,
                attended=came,
                rate=rate(came, total),
                first_rate=monthly[0].rate,
                last_rate=monthly[-1].rate,
            )
        )
    return GroupHealthReport(start=start, end=end, rows=rows, months=per_month)
