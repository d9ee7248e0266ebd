"""Revenue per month, per group and per payment method, and what is outstanding by age. Office only.

Per month it is the insights' revenue summary (expected = charges due, collected = what has been paid of
them, received = payments that arrived). Per group it is the tuition of the group's members in the
charge's month (a student in two groups counts in both, so groups do not add up to the school). Per method,
``collected`` is what was paid that way of the charges due in the period and ``received`` the payments that
arrived that way. Outstanding is every charge due on or before ``as_of`` still not fully paid, by the days
since it was due: 0-30, 31-60, more than 60.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import Date, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.groups.models import Group, StudentGroup
from domain.insights.revenue import revenue_summary
from domain.money import money
from domain.orgs.permissions import require_office
from domain.payments.models import Allocation, Charge, ChargeKind, Payment, PaymentMethod, PaymentState
from domain.reports.periods import check
from domain.reports.schemas import (
    OutstandingAgeRow,
    RevenueGroupRow,
    RevenueMethodRow,
    RevenueMonthRow,
    RevenueReport,
)
from domain.tenancy import TenantContext

ZERO = Decimal("0.00")
AGES: tuple[tuple[str, int, int | None], ...] = (("0-30", 0, 30), ("31-60", 31, 60), ("60+", 61, None))


async def _by_group(session: AsyncSession, start: date, end: date) -> list[RevenueGroupRow]:
    # Each (charge, group) once, even when a student left and came back within the month.
    pairs = (
        select(Charge.id.label("charge_id"), StudentGroup.group_id, Charge.amount, Charge.due_date)
        .join(StudentGroup, StudentGroup.student_id == Charge.student_id)
        .where(
            Charge.kind == ChargeKind.TUITION,
            Charge.voided_at.is_(None),
            func.date_trunc("month", StudentGroup.start_date) <= Charge.period_month,
            or_(StudentGroup.end_date.is_(None), StudentGroup.end_date >= Charge.period_month),
        )
        .distinct()
        .subquery()
    )
    paid = (
        select(Allocation.charge_id, func.sum(Allocation.amount).label("paid"))
        .group_by(Allocation.charge_id)
        .subquery()
    )
    due = await session.execute(
        select(
            pairs.c.group_id,
            func.sum(pairs.c.amount),
            func.coalesce(func.sum(paid.c.paid), 0),
        )
        .outerjoin(paid, paid.c.charge_id == pairs.c.charge_id)
        .where(pairs.c.due_date.between(start, end))
        .group_by(pairs.c.group_id)
    )
    expected = {gid: (money(e), money(c)) for gid, e, c in due}
    arrived: dict[uuid.UUID, Decimal] = dict(
        (
            await session.execute(
                select(pairs.c.group_id, func.sum(Allocation.amount))
                .join(Allocation, Allocation.charge_id == pairs.c.charge_id)
                .join(Payment, Payment.id == Allocation.payment_id)
                .where(Payment.state == PaymentState.RECORDED, Payment.received_on.between(start, end))
                .group_by(pairs.c.group_id)
            )
        ).all()
    )
    ids = set(expected) | set(arrived)
    names = dict((await session.execute(select(Group.id, Group.name).where(Group.id.in_(ids)))).all())
    rows = [
        RevenueGroupRow(
            group_id=gid,
            group_name=names[gid],
            expected=expected.get(gid, (ZERO, ZERO))[0],
            collected=expected.get(gid, (ZERO, ZERO))[1],
            received=money(arrived.get(gid, ZERO)),
        )
        for gid in ids
    ]
    return sorted(rows, key=lambda r: (r.group_name, str(r.group_id)))


async def _by_method(session: AsyncSession, start: date, end: date) -> list[RevenueMethodRow]:
    collected = dict(
        (
            await session.execute(
                select(Payment.method, func.sum(Allocation.amount))
                .join(Allocation, Allocation.payment_id == Payment.id)
                .join(Charge, Charge.id == Allocation.charge_id)
                .where(Charge.voided_at.is_(None), Charge.due_date.between(start, end))
                .group_by(Payment.method)
            )
        ).all()
    )
    received = dict(
        (
            await session.execute(
                select(Payment.method, func.sum(Payment.amount))
                .where(Payment.state == PaymentState.RECORDED, Payment.received_on.between(start, end))
                .group_by(Payment.method)
            )
        ).all()
    )
    return [
        RevenueMethodRow(
            method=method,
            collected=money(collected.get(method, ZERO)),
            received=money(received.get(method, ZERO)),
        )
        for method in PaymentMethod
    ]


async def _outstanding(session: AsyncSession, as_of: date) -> list[OutstandingAgeRow]:
    paid = (
        select(Allocation.charge_id, func.sum(Allocation.amount).label("paid"))
        .group_by(Allocation.charge_id)
        .subquery()
    )
    left = Charge.amount - func.coalesce(paid.c.paid, 0)
    open_charges = (
        select((literal(as_of, Date) - Charge.due_date).label("age"), left.label("left"))
        .outerjoin(paid, paid.c.charge_id == Charge.id)
        .where(Charge.voided_at.is_(None), Charge.due_date <= as_of, left > 0)
        .subquery()
    )
    buckets = []
    for _, low, high in AGES:
        in_bucket = open_charges.c.age >= low
        if high is not None:
            in_bucket = in_bucket & (open_charges.c.age <= high)
        buckets += [
            func.count().filter(in_bucket),
            func.coalesce(func.sum(open_charges.c.left).filter(in_bucket), 0),
        ]
    counted = (await session.execute(select(*buckets))).one()  # one pass over the open charges
    return [
        OutstandingAgeRow(age=label, charges=counted[2 * i], amount=money(counted[2 * i + 1]))
        for i, (label, _, _) in enumerate(AGES)
    ]


async def revenue_report(
    session: AsyncSession, tenant: TenantContext, *, start: date, end: date, today: date
) -> RevenueReport:
    require_office(tenant, "see revenue")
    check(start, end)
    summary = await revenue_summary(session, tenant, start=start, end=end)
    as_of = min(end, today)
    return RevenueReport(
        start=start,
        end=end,
        as_of=as_of,
        currency=summary.currency,
        expected=summary.expected,
        collected=summary.collected,
        received=summary.received,
        rows=[
            RevenueMonthRow(
                month=m.month,
                expected=m.expected,
                collected=m.collected,
                outstanding=m.outstanding,
                received=m.received,
            )
            for m in summary.months
        ],
        by_group=await _by_group(session, start, end),
        by_method=await _by_method(session, start, end),
        outstanding_by_age=await _outstanding(session, as_of),
    )
