"""Enrolment: active students over time, new and lost per month.

A student is active on a day when one of their memberships covers it (of the groups the caller sees: a
teacher, the groups they teach). Per month of the period: ``active`` on its last day, ``new`` the students
active then who were not on the day before the month began, ``lost`` the reverse, so that each month's
active = the previous month's + new - lost. A student who comes and goes within one month is neither.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.groups.models import StudentGroup
from domain.groups.service import visible_group_ids
from domain.reports.periods import check, months
from domain.reports.schemas import EnrolmentMonthRow, EnrolmentReport
from domain.tenancy import TenantContext


async def enrolment_report(
    session: AsyncSession, tenant: TenantContext, *, start: date, end: date
) -> EnrolmentReport:
    check(start, end)
    visible = await visible_group_ids(session, tenant)
    query = select(StudentGroup.student_id, StudentGroup.start_date, StudentGroup.end_date).where(
        StudentGroup.start_date <= end,
        (StudentGroup.end_date.is_(None)) | (StudentGroup.end_date >= start - timedelta(days=1)),
    )
    if visible is not None:
        query = query.where(StudentGroup.group_id.in_(visible))
    spans = (await session.execute(query)).all()

    def active(day: date) -> set[uuid.UUID]:
        return {sid for sid, begin, last in spans if begin <= day and (last is None or last >= day)}

    rows = []
    for m in months(start, end):
        before, after = active(m.first - timedelta(days=1)), active(m.last)
        new, lost = len(after - before), len(before - after)
        rows.append(EnrolmentMonthRow(month=m.month, active=len(after), new=new, lost=lost, net=new - lost))
    return EnrolmentReport(start=start, end=end, rows=rows)
