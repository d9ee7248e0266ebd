"""Teacher payouts: preview with traceable lines, approval that locks a period, adjustments, paid status.

A preview runs a fixed number of queries whatever the number of teachers or sessions: teachers,
rates, held classes with their head counts (aggregated in SQL), held private lessons, approved
payouts and their adjustments. Corrections made after a period was approved never rewrite it:
the difference appears as an adjustment line in the next preview.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.attendance.models import AttendanceRecord, AttendanceStatus
from domain.audit import service as audit
from domain.errors import Conflict, Forbidden, Invalid, NotFound
from domain.events import service as events
from domain.groups.models import Group
from domain.orgs.permissions import require_admin
from domain.orgs.service import get_organization
from domain.payments.service import billing_settings
from domain.payouts.models import PayoutLine, PayoutStatus, TeacherPayout, TeacherRate
from domain.payouts.rules import HeldClass, HeldLesson, Line, LineDetail, Rate, payout_lines, total
from domain.payouts.schemas import LineOut, PayoutOut, PayoutPreview, TeacherPayoutPreview
from domain.private_lessons.models import PrivateSession
from domain.sessions.models import ClassSession, SessionStatus
from domain.students.models import Student
from domain.teachers.models import Teacher
from domain.teachers.service import RATE_FIELD, teacher_for_user
from domain.tenancy import Role, TenantContext

ZERO = Decimal("0.00")
ADJUSTMENT_LOOKBACK = timedelta(days=200)  # approved periods this recent are re-checked for corrections
BEGINNING = date(1970, 1, 1)


async def _visible_teachers(
    session: AsyncSession, tenant: TenantContext, teacher_id: uuid.UUID | None
) -> list[Teacher]:
    """Admins see every teacher's payout; a teacher only their own; nobody else any."""
    if not tenant.is_admin:
        own = await teacher_for_user(session, tenant, tenant.user_id) if tenant.user_id else None
        if (
            tenant.role is not Role.TEACHER
            or own is None
            or (teacher_id is not None and teacher_id != own.id)
        ):
            raise Forbidden("Only an admin, or the teacher themself, can see a teacher's payout.")
        teacher_id = own.id
    query = select(Teacher).where(Teacher.archived_at.is_(None)).order_by(Teacher.search_name)
    if teacher_id is not None:
        query = select(Teacher).where(Teacher.id == teacher_id)
    teachers = list((await session.execute(query)).scalars())
    if teacher_id is not None and not teachers:
        raise NotFound("No such teacher.")
    return teachers


async def _rates(session: AsyncSession, teachers: list[Teacher]) -> dict[uuid.UUID, list[Rate]]:
    rows = await session.execute(
        select(TeacherRate).where(TeacherRate.teacher_id.in_([t.id for t in teachers]))
    )
    rates: dict[uuid.UUID, list[Rate]] = defaultdict(list)
    for r in rows.scalars():
        rates[r.teacher_id].append(Rate(r.payment_type, r.rate, r.private_hourly_rate, r.effective_from))
    for teacher in teachers:  # no history recorded: the profile's current rate, since always
        if not rates[teacher.id]:
            current = getattr(teacher, RATE_FIELD[teacher.payment_type])
            if current is not None:
                rates[teacher.id].append(Rate(teacher.payment_type, current, None, BEGINNING))
    return rates


async def _classes(
    session: AsyncSession, teacher_ids: list[uuid.UUID], start: date, end: date
) -> dict[uuid.UUID, list[HeldClass]]:
    came = AttendanceRecord.status
    rows = await session.execute(
        select(
            ClassSession.id,
            ClassSession.date,
            ClassSession.teacher_id,
            ClassSession.substitute_for_teacher_id,
            func.coalesce(Group.name, "Class").label("group_name"),
            func.count(AttendanceRecord.id).filter(came == AttendanceStatus.PRESENT).label("present"),
            func.count(AttendanceRecord.id).filter(came == AttendanceStatus.LATE).label("late"),
        )
        .outerjoin(Group, Group.id == ClassSession.group_id)
        .outerjoin(AttendanceRecord, AttendanceRecord.class_session_id == ClassSession.id)
        .where(
            ClassSession.status == SessionStatus.HELD,
            ClassSession.date.between(start, end),
            ClassSession.teacher_id.in_(teacher_ids),
        )
        .group_by(ClassSession.id, Group.name)
    )
    result: dict[uuid.UUID, list[HeldClass]] = defaultdict(list)
    for r in rows:
        result[r.teacher_id].append(
            HeldClass(r.id, r.date, r.group_name, r.present, r.late, r.substitute_for_teacher_id is not None)
        )
    return result


async def _lessons(
    session: AsyncSession, teacher_ids: list[uuid.UUID], start: date, end: date
) -> dict[uuid.UUID, list[HeldLesson]]:
    rows = await session.execute(
        select(
            PrivateSession.id,
            PrivateSession.date,
            PrivateSession.teacher_id,
            PrivateSession.duration_minutes,
            Student.full_name,
        )
        .join(Student, Student.id == PrivateSession.student_id)
        .where(
            PrivateSession.status == SessionStatus.HELD,
            PrivateSession.date.between(start, end),
            PrivateSession.teacher_id.in_(teacher_ids),
        )
    )
    result: dict[uuid.UUID, list[HeldLesson]] = defaultdict(list)
    for lesson_id, day, teacher_id, minutes, name in rows:
        result[teacher_id].append(HeldLesson(lesson_id, day, name, minutes))
    return result


def _line_out(line: Line | PayoutLine) -> LineOut:
    return LineOut(
        kind=line.kind,
        description=line.description,
        quantity=line.quantity,
        rate=line.rate,
        amount=line.amount,
        class_session_id=line.class_session_id,
        private_session_id=line.private_session_id,
        adjusts_payout_id=line.adjusts_payout_id,
        detail=line.detail if isinstance(line, Line) else None,
    )


async def preview(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    start: date,
    end: date,
    teacher_id: uuid.UUID | None = None,
) -> PayoutPreview:
    """What each teacher earned in the period, line by line, plus adjustments for corrected locked periods."""
    if end < start:
        raise Invalid("The period ends before it starts.", details={"field": "end"})
    teachers = await _visible_teachers(session, tenant, teacher_id)
    ids = [t.id for t in teachers]
    settings = await billing_settings(session, tenant)
    approved = list(
        (
            await session.execute(
                select(TeacherPayout).where(
                    TeacherPayout.teacher_id.in_(ids),
                    TeacherPayout.period_end >= start - ADJUSTMENT_LOOKBACK,
                    TeacherPayout.period_start <= end,
                )
            )
        ).scalars()
    )
    earliest = min([start, *(p.period_start for p in approved)])
    rates = await _rates(session, teachers)
    classes = await _classes(session, ids, earliest, end)
    lessons = await _lessons(session, ids, earliest, end)
    # For each approved payout: adjustments it already received later, and adjustments it carried
    # itself (those belong to earlier periods, so they are left out when re-checking its own period).
    already_adjusted: dict[uuid.UUID, Decimal] = {}
    carried: dict[uuid.UUID, Decimal] = {}
    if approved:
        ids_approved = [p.id for p in approved]
        rows = await session.execute(
            select(PayoutLine.payout_id, PayoutLine.adjusts_payout_id, PayoutLine.amount).where(
                PayoutLine.kind == "adjustment",
                PayoutLine.adjusts_payout_id.in_(ids_approved) | PayoutLine.payout_id.in_(ids_approved),
            )
        )
        for payout_id, adjusts, amount in rows:
            if adjusts is not None:
                already_adjusted[adjusts] = already_adjusted.get(adjusts, ZERO) + amount
            carried[payout_id] = carried.get(payout_id, ZERO) + amount

    def lines_for(teacher: Teacher, period_start: date, period_end: date) -> list[Line]:
        return payout_lines(
            rates=rates[teacher.id],
            start=period_start,
            end=period_end,
            classes=classes[teacher.id],
            lessons=lessons[teacher.id],
            per_head_rule=settings.per_head_rule,
        )

    previews = []
    for teacher in teachers:
        locked = next((p for p in approved if p.teacher_id == teacher.id and p.period_start == start), None)
        lines = lines_for(teacher, start, end)
        for past in sorted(approved, key=lambda p: p.period_start):
            if past.teacher_id != teacher.id or past.period_end >= start:
                continue
            own_part = past.total_amount - carried.get(past.id, ZERO)
            due = total(lines_for(teacher, past.period_start, past.period_end)) - own_part
            due -= already_adjusted.get(past.id, ZERO)
            if due != 0:
                lines.append(
                    Line(
                        "adjustment",
                        f"Correction to the approved payout {past.period_start:%B %Y}",
                        Decimal(1),
                        due,
                        due,
                        adjusts_payout_id=past.id,
                        detail=LineDetail("correction", {"month": past.period_start}),
                    )
                )
        previews.append(
            TeacherPayoutPreview(
                teacher_id=teacher.id,
                teacher_name=teacher.full_name,
                payment_type=teacher.payment_type,
                period_start=start,
                period_end=end,
                lines=[_line_out(line) for line in lines],
                total=total(lines),
                approved_payout_id=locked.id if locked else None,
            )
        )
    org = await get_organization(session, tenant)
    return PayoutPreview(
        period_start=start,
        period_end=end,
        currency=org.currency,
        teachers=previews,
        total=sum((p.total for p in previews), ZERO),
    )


async def approve(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    teacher_id: uuid.UUID,
    start: date,
    end: date,
    today: date,
    now: datetime,
) -> TeacherPayout:
    """Lock the period for the teacher: the previewed lines are stored and never rewritten."""
    require_admin(tenant)
    if end >= today:
        raise Invalid("Only a period that has ended can be approved.", details={"field": "period_end"})
    existing = await session.scalar(
        select(TeacherPayout).where(
            TeacherPayout.teacher_id == teacher_id, TeacherPayout.period_start == start
        )
    )
    if existing is not None:
        raise Conflict("This period is already approved for this teacher; corrections become adjustments.")
    [result] = (await preview(session, tenant, start=start, end=end, teacher_id=teacher_id)).teachers
    payout = TeacherPayout(
        organization_id=tenant.org_id,
        teacher_id=teacher_id,
        period_start=start,
        period_end=end,
        total_amount=result.total,
        status=PayoutStatus.APPROVED,
        approved_at=now,
        approved_by_user_id=tenant.user_id,
    )
    session.add(payout)
    await session.flush()
    session.add_all(
        PayoutLine(organization_id=tenant.org_id, payout_id=payout.id, **line.model_dump(exclude={"detail"}))
        for line in result.lines
    )
    await session.flush()
    await audit.record(
        session,
        tenant,
        action="payout.approved",
        entity_type="teacher_payout",
        entity_id=payout.id,
        after={"teacher_id": str(teacher_id), "period": f"{start}..{end}", "total": str(result.total)},
    )
    await events.emit(
        session, tenant, "payout.approved", {"payout_id": str(payout.id), "total": str(result.total)}
    )
    return payout


async def get_payout(session: AsyncSession, tenant: TenantContext, payout_id: uuid.UUID) -> PayoutOut:
    """An approved payout with its stored lines ("explain this payout")."""
    payout = await session.get(TeacherPayout, payout_id)
    if payout is None:
        raise NotFound("No such payout.")
    await _visible_teachers(session, tenant, payout.teacher_id)
    lines = (
        await session.execute(
            select(PayoutLine)
            .where(PayoutLine.payout_id == payout_id)
            .order_by(PayoutLine.created_at, PayoutLine.id)
        )
    ).scalars()
    return PayoutOut(
        id=payout.id,
        teacher_id=payout.teacher_id,
        period_start=payout.period_start,
        period_end=payout.period_end,
        total_amount=payout.total_amount,
        status=payout.status,
        approved_at=payout.approved_at,
        paid_at=payout.paid_at,
        lines=[_line_out(line) for line in lines],
    )


async def mark_paid(
    session: AsyncSession, tenant: TenantContext, payout_id: uuid.UUID, *, now: datetime
) -> TeacherPayout:
    require_admin(tenant)
    # Locked and read afresh: two requests at once must not both see "approved" and both mark it paid
    payout = await session.get(TeacherPayout, payout_id, with_for_update=True, populate_existing=True)
    if payout is None:
        raise NotFound("No such payout.")
    if payout.status is PayoutStatus.PAID:
        raise Conflict("This payout is already marked as paid.")
    payout.status, payout.paid_at, payout.paid_by_user_id = PayoutStatus.PAID, now, tenant.user_id
    await session.flush()
    await audit.record(
        session, tenant, action="payout.paid", entity_type="teacher_payout", entity_id=payout.id
    )
    return payout
