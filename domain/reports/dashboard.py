"""The office's dashboard: one call that gathers this month's money, attendance, risk and the day's classes
from the services that already answer each question (a teacher gets theirs, without school money)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.attendance import service as attendance
from domain.groups.models import Group
from domain.insights import service as insights
from domain.orgs.permissions import is_office
from domain.orgs.service import get_organization
from domain.payments import service as payments
from domain.payments.rules import month_start
from domain.reports.attendance import attendance_report
from domain.reports.periods import month_end
from domain.reports.schemas import Dashboard, DashboardClass, DashboardRevenue, DashboardStudent
from domain.sessions import service as sessions
from domain.teachers.models import Teacher
from domain.tenancy import TenantContext

LISTED = 5
TREND_WEEKS = 8
MISSING_DAYS = 30


async def dashboard(session: AsyncSession, tenant: TenantContext, *, today: date) -> Dashboard:
    month = month_start(today)
    office = is_office(tenant)
    org = await get_organization(session, tenant)
    revenue, unpaid_count, unpaid_amount, unpaid = None, None, None, []
    if office:
        summary = await insights.revenue_summary(session, tenant, start=month, end=month_end(month))
        revenue = DashboardRevenue(
            expected=summary.expected, collected=summary.collected, received=summary.received
        )
        owed = await payments.unpaid_students(session, tenant, month=month, today=today)
        unpaid_count, unpaid_amount = len(owed.students), owed.total_outstanding
        unpaid = [
            DashboardStudent(student_id=s.student_id, full_name=s.full_name, amount=s.outstanding)
            for s in sorted(owed.students, key=lambda s: (-s.outstanding, s.full_name))[:LISTED]
        ]
    weeks_from = today - timedelta(days=today.weekday()) - timedelta(weeks=TREND_WEEKS - 1)
    trend = await attendance_report(session, tenant, start=weeks_from, end=today, every="week")
    risk = await insights.dropout_risk(session, tenant, today=today, limit=1000)  # all, for the count
    missing = await attendance.missing_attendance(
        session, tenant, today=today, since=today - timedelta(days=MISSING_DAYS)
    )
    todays = await sessions.list_sessions(session, tenant, start=today, end=today)
    group_ids = {c.group_id for c in todays if c.group_id}
    teacher_ids = {c.teacher_id for c in todays}
    group_names = dict(
        (await session.execute(select(Group.id, Group.name).where(Group.id.in_(group_ids)))).all()
    )
    teacher_names = dict(
        (
            await session.execute(select(Teacher.id, Teacher.full_name).where(Teacher.id.in_(teacher_ids)))
        ).all()
    )
    return Dashboard(
        today=today,
        month=month,
        currency=org.currency,
        revenue=revenue,
        unpaid_count=unpaid_count,
        unpaid_amount=unpaid_amount,
        unpaid=unpaid,
        attendance_trend=trend.trend,
        at_risk_count=len(risk.at_risk),
        at_risk=[
            DashboardStudent(
                student_id=s.student_id,
                full_name=s.full_name,
                detail="; ".join(s.reasons),
                reason_codes=s.reason_codes,
            )
            for s in risk.at_risk[:LISTED]
        ],
        missing_count=len(missing.sessions),
        missing=[
            DashboardClass(
                session_id=m.session_id,
                date=m.date,
                start_time=None,
                group_name=m.group_name or "Private",
                teacher_name=m.teacher_name,
                status="missing",
                marked=m.marked,
                expected=m.expected,
            )
            for m in sorted(missing.sessions, key=lambda m: m.date, reverse=True)[:LISTED]
        ],
        classes_today=[
            DashboardClass(
                session_id=c.id,
                date=c.date,
                start_time=c.start_time,
                group_name=group_names.get(c.group_id, "Private") if c.group_id else "Private",
                teacher_name=teacher_names.get(c.teacher_id, ""),
                status=c.status.value,
            )
            for c in todays
        ],
    )
