"""Revenue: tuition expected against collected, and money received, for the school or narrowed.

Narrowed by group or venue, the figures are those of that group's tuition: the monthly tuition charges
of the students who belonged to the group (a venue: any group meeting there) at some point of the
charge's month, the payments allocated to those charges, and of those payments what arrived in the
period. Tuition is one charge per student and month whatever their groups, so a student in two groups
counts in both: groups' figures do not add up to the school's.

Narrowed by payment method, ``collected`` and ``received`` count only the payments made that way;
``expected`` and ``outstanding`` stay those of every method (a charge has no method until it is paid).
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from domain.groups.models import StudentGroup
from domain.insights.schemas import RevenueMonth, RevenueSummary
from domain.money import money
from domain.orgs.permissions import require_office
from domain.orgs.service import get_organization
from domain.payments.models import Allocation, Charge, ChargeKind, Payment, PaymentMethod, PaymentState
from domain.payments.rules import month_start
from domain.sessions.narrowing import groups_meeting_at, narrowing
from domain.tenancy import TenantContext

ZERO = Decimal("0.00")


def _tuition_of_groups(group_ids: list[uuid.UUID]) -> ColumnElement[bool]:
    """Charges that are the tuition of a member of one of the groups in the charge's month. Not
    correlated (a set of charge ids, hashed once): a correlated EXISTS under RLS ran for minutes."""
    tuition = aliased(Charge)
    ids = (
        select(tuition.id)
        .join(StudentGroup, StudentGroup.student_id == tuition.student_id)
        .where(
            tuition.kind == ChargeKind.TUITION,
            StudentGroup.group_id.in_(group_ids),
            func.date_trunc("month", StudentGroup.start_date) <= tuition.period_month,
            or_(StudentGroup.end_date.is_(None), StudentGroup.end_date >= tuition.period_month),
        )
    )
    return Charge.id.in_(ids)


async def revenue_summary(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    start: date,
    end: date,
    group_id: uuid.UUID | None = None,
    venue_id: uuid.UUID | None = None,
    method: PaymentMethod | None = None,
) -> RevenueSummary:
    """Expected (charges due in the period) against collected, and what arrived; office only."""
    require_office(tenant, "see revenue")
    narrowed = await narrowing(session, tenant, group_id=group_id, venue_id=venue_id)
    charge_where: list[ColumnElement[bool]] = [Charge.voided_at.is_(None)]
    if group_id is not None or venue_id is not None:
        group_ids: list[uuid.UUID] = (
            list(await session.scalars(groups_meeting_at(venue_id, start=start, end=end)))
            if venue_id is not None
            else []
        )
        if group_id is not None:  # with a venue too: that group, if it meets there
            group_ids = [group_id] if venue_id is None or group_id in group_ids else []
        charge_where.append(_tuition_of_groups(group_ids))
    paid = (
        select(Allocation.charge_id, func.sum(Allocation.amount).label("paid"))
        .group_by(Allocation.charge_id)
        .subquery()
    )
    paid_that_way = select(Allocation.charge_id, func.sum(Allocation.amount).label("paid"))
    if method is not None:
        paid_that_way = paid_that_way.join(Payment, Payment.id == Allocation.payment_id).where(
            Payment.method == method
        )
    by_method = paid_that_way.group_by(Allocation.charge_id).subquery()
    charges = (
        await session.execute(
            select(
                Charge.due_date,
                Charge.amount,
                func.coalesce(by_method.c.paid, 0),
                func.coalesce(paid.c.paid, 0),
            )
            .outerjoin(paid, paid.c.charge_id == Charge.id)
            .outerjoin(by_method, by_method.c.charge_id == Charge.id)
            .where(*charge_where, Charge.due_date.between(start, end))
        )
    ).all()
    arrived = [Payment.state == PaymentState.RECORDED, Payment.received_on.between(start, end)]
    if method is not None:
        arrived.append(Payment.method == method)
    if len(charge_where) > 1:  # narrowed to groups: the part of each payment that paid their tuition
        received_query = (
            select(Payment.received_on, Allocation.amount)
            .join(Allocation, Allocation.payment_id == Payment.id)
            .join(Charge, Charge.id == Allocation.charge_id)
            .where(*arrived, *charge_where)
        )
    else:
        received_query = select(Payment.received_on, Payment.amount).where(*arrived)
    payments = (await session.execute(received_query)).all()
    import pandas as pd  # here, not at import: it costs every process that loads the tools ~0.3 s

    due = pd.DataFrame(charges, columns=["day", "expected", "collected", "paid"])
    due["month"] = due["day"].map(month_start)
    came_in = pd.DataFrame(payments, columns=["day", "received"])
    came_in["month"] = came_in["day"].map(month_start)
    monthly = (
        due.groupby("month")[["expected", "collected", "paid"]]
        .sum()
        .join(came_in.groupby("month")[["received"]].sum(), how="outer")
        .fillna(0)
        .sort_index()
    )
    months = [
        RevenueMonth(
            month=m,
            expected=money(r.expected),
            collected=money(r.collected),
            outstanding=money(r.expected) - money(r.paid),
            received=money(r.received),
        )
        for m, r in monthly.iterrows()
    ]
    org = await get_organization(session, tenant)
    expected = sum((m.expected for m in months), ZERO)
    return RevenueSummary(
        start=start,
        end=end,
        currency=org.currency,
        expected=expected,
        collected=sum((m.collected for m in months), ZERO),
        outstanding=sum((m.outstanding for m in months), ZERO),
        received=sum((m.received for m in months), ZERO),
        months=months,
        scope=narrowed.said(),
        method=method,
    )
