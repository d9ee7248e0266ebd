"""Teacher load and utilization: classes and hours taught, substitutions, fill rate, pay per hour.

Over the classes dated in the period: ``classes`` and ``hours`` are those held (taught), ``substitutions``
the held classes a teacher gave in another's place, ``covered_by_others`` their own classes another gave.
The fill rate is the students who came (present or late, guests too) over the seats of the held classes
whose group has a capacity. Pay is what the payout rules owe for the period (the payout preview's total,
private lessons and adjustments included), divided by the hours held; it is left out (None) for staff,
who do not see payouts. A teacher sees their own line.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.attendance.models import AttendanceRecord
from domain.errors import Forbidden
from domain.groups.models import Group
from domain.money import money
from domain.orgs.service import get_organization
from domain.payouts import service as payouts
from domain.reports.attendance import CAME, classes_seen
from domain.reports.periods import check, rate
from domain.reports.schemas import TeacherLoadReport, TeacherLoadRow
from domain.sessions.models import ClassSession, SessionStatus
from domain.teachers.models import Teacher
from domain.teachers.service import visibility
from domain.tenancy import TenantContext

HOUR = Decimal(3600)


async def teacher_load_report(
    session: AsyncSession, tenant: TenantContext, *, start: date, end: date
) -> TeacherLoadReport:
    check(start, end)
    seen = await classes_seen(session, tenant)
    held = ClassSession.status == SessionStatus.HELD
    seconds = func.coalesce(func.extract("epoch", ClassSession.end_time - ClassSession.start_time), 0)
    counts = await session.execute(
        select(
            ClassSession.teacher_id,
            func.count().filter(held),
            func.count().filter(ClassSession.status == SessionStatus.SCHEDULED),
            func.count().filter(ClassSession.status == SessionStatus.CANCELLED),
            func.coalesce(func.sum(seconds).filter(held), 0),
            func.count().filter(held, ClassSession.substitute_for_teacher_id.is_not(None)),
        )
        .where(ClassSession.date.between(start, end), seen)
        .group_by(ClassSession.teacher_id)
    )
    per_teacher = {row[0]: row[1:] for row in counts}
    looked = await visibility(session, tenant)
    covering = [
        ClassSession.date.between(start, end),
        held,
        ClassSession.substitute_for_teacher_id.is_not(None),
    ]
    if not looked.everything:  # a teacher: how many of their own classes someone else gave
        covering.append(ClassSession.substitute_for_teacher_id == looked.teacher_id)
    covered: dict[uuid.UUID | None, int] = dict(
        (
            await session.execute(
                select(ClassSession.substitute_for_teacher_id, func.count())
                .where(*covering)
                .group_by(ClassSession.substitute_for_teacher_id)
            )
        ).all()
    )
    came = (  # who came to each class of the period (only those: not every mark the school has)
        select(AttendanceRecord.class_session_id, func.count().label("came"))
        .join(ClassSession, ClassSession.id == AttendanceRecord.class_session_id)
        .where(AttendanceRecord.status.in_(CAME), ClassSession.date.between(start, end))
        .group_by(AttendanceRecord.class_session_id)
        .subquery()
    )
    fill = {
        tid: (int(seats), int(attended))
        for tid, seats, attended in await session.execute(
            select(ClassSession.teacher_id, func.sum(Group.capacity), func.coalesce(func.sum(came.c.came), 0))
            .join(Group, Group.id == ClassSession.group_id)
            .outerjoin(came, came.c.class_session_id == ClassSession.id)
            .where(ClassSession.date.between(start, end), seen, held, Group.capacity.is_not(None))
            .group_by(ClassSession.teacher_id)
        )
    }
    try:
        preview = await payouts.preview(session, tenant, start=start, end=end)
        pay: dict[uuid.UUID, Decimal] | None = {t.teacher_id: t.total for t in preview.teachers}
    except Forbidden:  # staff: the load without the pay (payouts are the admin's and each teacher's own)
        pay = None
    # Everyone who taught, or is owed something (a fixed salary, private lessons) for the period.
    ids: set[uuid.UUID] = set(per_teacher) | {t for t, total in (pay or {}).items() if total}
    names = dict(
        (await session.execute(select(Teacher.id, Teacher.full_name).where(Teacher.id.in_(ids)))).all()
    )
    rows = []
    for tid in ids:
        classes, scheduled, cancelled, secs, subs = per_teacher.get(tid, (0, 0, 0, 0, 0))
        hours = (Decimal(str(secs)) / HOUR).quantize(Decimal("0.01"))
        seats, attended = fill.get(tid, (0, 0))
        owed = money(pay.get(tid, 0)) if pay is not None else None
        rows.append(
            TeacherLoadRow(
                teacher_id=tid,
                teacher_name=names[tid],
                classes=classes,
                scheduled=scheduled,
                cancelled=cancelled,
                hours=hours,
                substitutions=subs,
                covered_by_others=covered.get(tid, 0),
                seats=seats,
                attended=attended,
                fill_rate=rate(attended, seats),
                pay=owed,
                pay_per_hour=money(owed / hours) if hours and owed is not None else None,
            )
        )
    rows.sort(key=lambda r: (r.teacher_name, str(r.teacher_id)))
    org = await get_organization(session, tenant)
    return TeacherLoadReport(start=start, end=end, currency=org.currency, rows=rows)
