"""What is owed and what arrived: settings, tuition runs, one-off charges, payments, allocations, balances."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit import service as audit
from domain.errors import Conflict, Invalid, NotFound
from domain.events import service as events
from domain.groups.models import Group, GroupStatus, StudentGroup
from domain.money import money
from domain.orgs.permissions import require_admin, require_office
from domain.orgs.service import get_organization
from domain.payments.models import (
    Allocation,
    BillingSettings,
    Charge,
    ChargeKind,
    Payment,
    PaymentState,
    PerHeadRule,
)
from domain.payments.rules import (
    Enrollment,
    OpenCharge,
    TuitionQuote,
    allocate_oldest_first,
    charge_status,
    days_in_month,
    due_date,
    month_start,
    tuition,
)
from domain.payments.schemas import (
    AllocationIn,
    Balance,
    BillingSettingsIn,
    ChargeIn,
    ChargeOut,
    PaymentIn,
    PaymentOut,
    PaymentRecorded,
    TuitionRun,
    UnpaidReport,
    UnpaidStudent,
)
from domain.sessions.narrowing import groups_meeting_at, narrowing
from domain.students.models import Student, StudentStatus
from domain.students.service import get_student
from domain.tenancy import TenantContext

ZERO = Decimal("0.00")


async def read_billing_settings(session: AsyncSession, tenant: TenantContext) -> BillingSettings:
    """The fees and rules, for the office (teachers see no money but their own pay)."""
    require_office(tenant, "see the fees")
    return await billing_settings(session, tenant)


async def billing_settings(session: AsyncSession, tenant: TenantContext) -> BillingSettings:
    """The settings in force: the latest row, or the defaults when none was saved."""
    latest = await session.scalar(
        select(BillingSettings).order_by(BillingSettings.created_at.desc()).limit(1)
    )
    return latest or BillingSettings(
        organization_id=tenant.org_id,
        default_monthly_fee=Decimal("45.00"),
        due_day=5,
        multi_group_discount_percent=Decimal(10),
        sibling_discount_percent=Decimal(0),
        prorate_first_month=True,
        per_head_rule=PerHeadRule.PRESENT_AND_LATE,
    )


async def update_billing_settings(
    session: AsyncSession, tenant: TenantContext, *, data: BillingSettingsIn
) -> BillingSettings:
    """A change adds a row (history is kept); charges already made keep their amounts."""
    require_admin(tenant)
    before = await billing_settings(session, tenant)
    row = BillingSettings(organization_id=tenant.org_id, **data.model_dump())
    session.add(row)
    await session.flush()
    await audit.record(
        session,
        tenant,
        action="billing_settings.changed",
        entity_type="billing_settings",
        entity_id=row.id,
        before={k: str(getattr(before, k)) for k in data.model_dump()},
        after=data.model_dump(mode="json"),
    )
    return row


async def _paid_by_charge(session: AsyncSession, charge_ids: list[uuid.UUID]) -> dict[uuid.UUID, Decimal]:
    if not charge_ids:
        return {}
    rows = await session.execute(
        select(Allocation.charge_id, func.sum(Allocation.amount))
        .where(Allocation.charge_id.in_(charge_ids))
        .group_by(Allocation.charge_id)
    )
    return {cid: money(total) for cid, total in rows}


def _charge_out(charge: Charge, paid: Decimal, today: date) -> ChargeOut:
    return ChargeOut(
        id=charge.id,
        student_id=charge.student_id,
        kind=charge.kind,
        period_month=charge.period_month,
        description=charge.description,
        amount=charge.amount,
        paid=paid,
        outstanding=charge.amount - paid,
        due_date=charge.due_date,
        status=charge_status(amount=charge.amount, paid=paid, due=charge.due_date, today=today),
    )


async def generate_tuition(
    session: AsyncSession, tenant: TenantContext, *, month: date, today: date
) -> TuitionRun:
    """Make the month's tuition charge for every active student enrolled that month. Idempotent."""
    require_office(tenant, "generate tuition")
    month = month_start(month)
    month_end = month.replace(day=days_in_month(month))
    settings = await billing_settings(session, tenant)
    rows = await session.execute(
        select(
            StudentGroup.student_id,
            StudentGroup.start_date,
            Group.name,
            Group.monthly_fee,
            Student.family_id,
            Student.created_at,
        )
        .join(Group, Group.id == StudentGroup.group_id)
        .join(Student, Student.id == StudentGroup.student_id)
        .where(
            StudentGroup.start_date <= month_end,
            or_(StudentGroup.end_date.is_(None), StudentGroup.end_date >= month),
            Student.status == StudentStatus.ACTIVE,
            Student.archived_at.is_(None),
            Group.status != GroupStatus.CLOSED,
        )
    )
    enrollments: dict[uuid.UUID, list[Enrollment]] = defaultdict(list)
    family: dict[uuid.UUID, tuple[uuid.UUID | None, datetime]] = {}
    for student_id, start, name, fee, family_id, created_at in rows:
        enrollments[student_id].append(Enrollment(name, fee or settings.default_monthly_fee, start))
        family[student_id] = (family_id, created_at)

    def quote(student_id: uuid.UUID, younger_sibling: bool) -> TuitionQuote:
        return tuition(
            enrollments[student_id],
            month=month,
            multi_group_discount_percent=settings.multi_group_discount_percent,
            sibling_discount_percent=settings.sibling_discount_percent,
            is_younger_sibling=younger_sibling,
            prorate_first_month=settings.prorate_first_month,
        )

    # In a family, the student with the highest tuition pays in full; the others get the sibling discount.
    full_price: dict[uuid.UUID, tuple[Decimal, datetime, str]] = {}
    payer_of_family: dict[uuid.UUID, uuid.UUID] = {}
    for student_id, (family_id, created_at) in family.items():
        if family_id is None:
            continue
        rank = (-quote(student_id, False).total, created_at, str(student_id))
        if family_id not in full_price or rank < full_price[family_id]:
            full_price[family_id], payer_of_family[family_id] = rank, student_id
    existing = set(
        (
            await session.execute(
                select(Charge.student_id).where(
                    Charge.kind == ChargeKind.TUITION,
                    Charge.period_month == month,
                    Charge.voided_at.is_(None),
                )
            )
        ).scalars()
    )
    created, total = 0, ZERO
    for student_id in sorted(enrollments, key=str):
        if student_id in existing:
            continue
        family_id = family[student_id][0]
        result = quote(student_id, family_id is not None and payer_of_family[family_id] != student_id)
        session.add(
            Charge(
                organization_id=tenant.org_id,
                student_id=student_id,
                kind=ChargeKind.TUITION,
                period_month=month,
                description=f"Tuition {month:%B %Y}: {result.description()}",
                amount=result.total,
                due_date=due_date(month, settings.due_day),
            )
        )
        created += 1
        total += result.total
    await session.flush()
    for student_id in await students_with_credit(session, list(enrollments)):
        await apply_credit(session, tenant, student_id=student_id)
    if created:
        await events.emit(
            session,
            tenant,
            "tuition.generated",
            {"month": month.isoformat(), "charges": created, "total": str(total)},
        )
    return TuitionRun(
        month=month, created=created, already_there=len(existing & set(enrollments)), total_amount=total
    )


async def add_charge(session: AsyncSession, tenant: TenantContext, *, data: ChargeIn) -> Charge:
    """A one-off charge (registration fee, costume, …)."""
    require_office(tenant, "add charges")
    await get_student(session, tenant, data.student_id)
    if data.kind is ChargeKind.TUITION:
        raise Invalid(
            "Tuition is generated per month; add other kinds of charges here.", details={"field": "kind"}
        )
    charge = Charge(
        organization_id=tenant.org_id,
        student_id=data.student_id,
        kind=data.kind,
        description=data.description.strip(),
        amount=money(data.amount),
        due_date=data.due_date,
    )
    session.add(charge)
    await session.flush()
    await apply_credit(session, tenant, student_id=data.student_id)
    await events.emit(
        session, tenant, "charge.created", {"charge_id": str(charge.id), "amount": str(charge.amount)}
    )
    return charge


async def void_charge(
    session: AsyncSession, tenant: TenantContext, charge_id: uuid.UUID, *, reason: str, now: datetime
) -> Charge:
    require_admin(tenant)
    charge = await session.get(Charge, charge_id)
    if charge is None:
        raise NotFound("No such charge.")
    if charge.voided_at is not None:
        raise Conflict("This charge is already void.")
    if (await _paid_by_charge(session, [charge.id])).get(charge.id, ZERO) > 0:
        raise Conflict("Payments are allocated to this charge; move them first.")
    if not reason.strip():
        raise Invalid("Say why the charge is void.", details={"field": "reason"})
    charge.voided_at, charge.void_reason = now, reason.strip()
    await session.flush()
    await audit.record(
        session, tenant, action="charge.voided", entity_type="charge", entity_id=charge.id, reason=reason
    )
    return charge


async def _open_charges(session: AsyncSession, student_id: uuid.UUID) -> list[tuple[Charge, Decimal]]:
    """The student's unvoided charges with something left to pay, locked against concurrent allocation."""
    charges = list(
        (
            await session.execute(
                select(Charge)
                .where(Charge.student_id == student_id, Charge.voided_at.is_(None))
                .order_by(Charge.due_date, Charge.id)
                .with_for_update()
            )
        ).scalars()
    )
    paid = await _paid_by_charge(session, [c.id for c in charges])
    return [(c, c.amount - paid.get(c.id, ZERO)) for c in charges if c.amount - paid.get(c.id, ZERO) > 0]


async def _unallocated(session: AsyncSession, payment: Payment) -> Decimal:
    allocated = await session.scalar(
        select(func.coalesce(func.sum(Allocation.amount), 0)).where(Allocation.payment_id == payment.id)
    )
    return payment.amount - money(allocated or 0)


async def _allocate(
    session: AsyncSession, tenant: TenantContext, payment: Payment, parts: list[tuple[uuid.UUID, Decimal]]
) -> None:
    session.add_all(
        Allocation(
            organization_id=tenant.org_id,
            payment_id=payment.id,
            charge_id=charge_id,
            amount=amount,
            created_by_user_id=tenant.user_id,
        )
        for charge_id, amount in parts
    )
    await session.flush()


async def allocate_oldest_first_to(
    session: AsyncSession, tenant: TenantContext, payment: Payment
) -> list[tuple[uuid.UUID, Decimal]]:
    """Spread what is left of a payment over its student's open charges, oldest due first."""
    assert payment.student_id is not None
    open_charges = await _open_charges(session, payment.student_id)
    parts, _ = allocate_oldest_first(
        await _unallocated(session, payment), [OpenCharge(c.id, c.due_date, left) for c, left in open_charges]
    )
    await _allocate(session, tenant, payment, parts)
    return parts


async def record_payment(session: AsyncSession, tenant: TenantContext, *, data: PaymentIn) -> PaymentRecorded:
    """Record money that arrived and allocate it: explicitly, or to the oldest open charges first.

    Whatever is not needed for open charges stays on the payment as credit for later charges.
    """
    require_office(tenant, "record payments")
    await get_student(session, tenant, data.student_id)
    amount = money(data.amount)
    open_charges = await _open_charges(session, data.student_id)
    if data.allocations is not None:
        outstanding = {c.id: left for c, left in open_charges}
        parts = []
        for item in data.allocations:
            if item.charge_id not in outstanding:
                raise Invalid(
                    "That charge is not an open charge of this student.",
                    details={"charge_id": str(item.charge_id)},
                )
            if money(item.amount) > outstanding[item.charge_id]:
                raise Invalid(
                    "An allocation cannot exceed what is left on the charge.",
                    details={"charge_id": str(item.charge_id), "left": str(outstanding[item.charge_id])},
                )
            parts.append((item.charge_id, money(item.amount)))
        if sum((p for _, p in parts), ZERO) > amount:
            raise Invalid("Allocations add up to more than the payment.", details={"field": "allocations"})
        credit = amount - sum((p for _, p in parts), ZERO)
    else:
        parts, credit = allocate_oldest_first(
            amount, [OpenCharge(c.id, c.due_date, left) for c, left in open_charges]
        )
    payment = Payment(
        organization_id=tenant.org_id,
        student_id=data.student_id,
        amount=amount,
        received_on=data.received_on,
        method=data.method,
        payer_reference=data.payer_reference,
        payer_name=data.payer_name,
        state=PaymentState.RECORDED,
        recorded_by_user_id=tenant.user_id,
    )
    session.add(payment)
    await session.flush()
    await _allocate(session, tenant, payment, parts)
    await audit.record(
        session,
        tenant,
        action="payment.recorded",
        entity_type="payment",
        entity_id=payment.id,
        after={
            "amount": str(amount),
            "student_id": str(data.student_id),
            "method": data.method.value,
            "allocations": {str(c): str(a) for c, a in parts},
        },
    )
    await events.emit(
        session,
        tenant,
        "payment.recorded",
        {"payment_id": str(payment.id), "student_id": str(data.student_id), "amount": str(amount)},
    )
    return PaymentRecorded(
        payment=PaymentOut.model_validate(payment),
        allocated=[AllocationIn(charge_id=c, amount=a) for c, a in parts],
        credit=credit,
    )


async def apply_credit(session: AsyncSession, tenant: TenantContext, *, student_id: uuid.UUID) -> Decimal:
    """Use a student's unallocated payments on their open charges, oldest first. Returns what was applied."""
    payments = list(
        (
            await session.execute(
                select(Payment)
                .where(Payment.student_id == student_id, Payment.state == PaymentState.RECORDED)
                .order_by(Payment.received_on, Payment.id)
            )
        ).scalars()
    )
    applied = ZERO
    for payment in payments:
        if await _unallocated(session, payment) <= 0:
            continue
        parts = await allocate_oldest_first_to(session, tenant, payment)
        if not parts:
            break  # nothing left open
        applied += sum((a for _, a in parts), ZERO)
    return applied


async def students_with_credit(session: AsyncSession, student_ids: list[uuid.UUID]) -> list[uuid.UUID]:
    """Those among ``student_ids`` whose recorded payments are not all allocated (one query)."""
    if not student_ids:
        return []
    allocated = (
        select(Allocation.payment_id, func.sum(Allocation.amount).label("amount"))
        .group_by(Allocation.payment_id)
        .subquery()
    )
    rows = await session.execute(
        select(Payment.student_id)
        .outerjoin(allocated, allocated.c.payment_id == Payment.id)
        .where(
            Payment.student_id.in_(student_ids),
            Payment.state == PaymentState.RECORDED,
            Payment.amount > func.coalesce(allocated.c.amount, 0),
        )
        .distinct()
    )
    return [student_id for (student_id,) in rows if student_id is not None]


async def balance(
    session: AsyncSession, tenant: TenantContext, student_id: uuid.UUID, *, today: date
) -> Balance:
    require_office(tenant, "see balances")
    student = await get_student(session, tenant, student_id)
    charges = list(
        (
            await session.execute(
                select(Charge)
                .where(Charge.student_id == student_id, Charge.voided_at.is_(None))
                .order_by(Charge.due_date)
            )
        ).scalars()
    )
    paid = await _paid_by_charge(session, [c.id for c in charges])
    received = await session.scalar(
        select(func.coalesce(func.sum(Payment.amount), 0)).where(
            Payment.student_id == student_id, Payment.state == PaymentState.RECORDED
        )
    )
    charged = sum((c.amount for c in charges), ZERO)
    paid_total = sum(paid.values(), ZERO)
    return Balance(
        student_id=student.id,
        full_name=student.full_name,
        charged=charged,
        paid=paid_total,
        credit=money(received or 0) - paid_total,
        outstanding=charged - paid_total,
        open_charges=[
            _charge_out(c, paid.get(c.id, ZERO), today) for c in charges if paid.get(c.id, ZERO) < c.amount
        ],
    )


async def unpaid_students(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    month: date,
    today: date,
    group_id: uuid.UUID | None = None,
    teacher_id: uuid.UUID | None = None,
    venue_id: uuid.UUID | None = None,
    min_amount: Decimal | None = None,
) -> UnpaidReport:
    """Who hasn't paid this month's tuition (in full): one query over charges and allocations.
    With ``group_id``, only the students who belonged to that group at some point of the month; with
    ``teacher_id``, to one of the groups that teacher teaches; with ``venue_id``, to one of the groups
    meeting there that month (as revenue by venue counts them); combined, one group that is all of
    these. With ``min_amount``, only those who still owe at least that much."""
    require_office(tenant, "see who has paid")
    if min_amount is not None and min_amount < 0:
        raise Invalid("The least amount owed cannot be negative.", details={"field": "min_amount"})
    await narrowing(session, tenant, group_id=group_id, teacher_id=teacher_id, venue_id=venue_id)
    month = month_start(month)
    paid = func.coalesce(func.sum(Allocation.amount), 0)
    query = (
        select(Student.id, Student.full_name, Charge.amount, paid.label("paid"), Charge.due_date)
        .select_from(Charge)
        .join(Student, Student.id == Charge.student_id)
        .outerjoin(Allocation, Allocation.charge_id == Charge.id)
        .where(Charge.kind == ChargeKind.TUITION, Charge.period_month == month, Charge.voided_at.is_(None))
        .group_by(Charge.id, Student.id)
        .having(paid < Charge.amount)
        .order_by(Student.search_name)
    )
    if group_id is not None or teacher_id is not None or venue_id is not None:
        month_end = month + timedelta(days=days_in_month(month) - 1)
        members = select(StudentGroup.student_id).where(
            StudentGroup.start_date <= month_end,
            or_(StudentGroup.end_date.is_(None), StudentGroup.end_date >= month),
        )
        if group_id is not None:
            members = members.where(StudentGroup.group_id == group_id)
        if teacher_id is not None:
            members = members.where(
                StudentGroup.group_id.in_(select(Group.id).where(Group.teacher_id == teacher_id))
            )
        if venue_id is not None:
            members = members.where(
                StudentGroup.group_id.in_(groups_meeting_at(venue_id, start=month, end=month_end))
            )
        query = query.where(Student.id.in_(members))
    if min_amount is not None:
        query = query.having(Charge.amount - paid >= min_amount)
    rows = await session.execute(query)
    students = []
    for student_id, name, amount, paid_amount, due in rows:
        paid_amount = money(paid_amount)
        students.append(
            UnpaidStudent(
                student_id=student_id,
                full_name=name,
                charged=amount,
                paid=paid_amount,
                outstanding=amount - paid_amount,
                due_date=due,
                status=charge_status(amount=amount, paid=paid_amount, due=due, today=today),
                days_overdue=max(0, (today - due).days),
            )
        )
    org = await get_organization(session, tenant)
    return UnpaidReport(
        month=month,
        currency=org.currency,
        students=students,
        total_outstanding=sum((s.outstanding for s in students), ZERO),
    )


@dataclass(frozen=True)
class OverdueRun:
    newly_overdue: int


async def detect_overdue(
    session: AsyncSession, tenant: TenantContext, *, today: date, now: datetime
) -> OverdueRun:
    """The daily job: charges past due and not fully paid get one `charge.overdue` event each."""
    paid = (
        select(func.coalesce(func.sum(Allocation.amount), 0))
        .where(Allocation.charge_id == Charge.id)
        .correlate(Charge)
        .scalar_subquery()
    )
    charges = list(
        (
            await session.execute(
                select(Charge).where(
                    Charge.voided_at.is_(None),
                    Charge.overdue_notified_at.is_(None),
                    Charge.due_date < today,
                    paid < Charge.amount,
                )
            )
        ).scalars()
    )
    for charge in charges:
        charge.overdue_notified_at = now
        await events.emit(
            session,
            tenant,
            "charge.overdue",
            {
                "charge_id": str(charge.id),
                "student_id": str(charge.student_id),
                "due_date": charge.due_date.isoformat(),
            },
        )
    await session.flush()
    return OverdueRun(newly_overdue=len(charges))


async def list_charges(
    session: AsyncSession, tenant: TenantContext, *, student_id: uuid.UUID, today: date
) -> list[ChargeOut]:
    require_office(tenant, "see charges")
    await get_student(session, tenant, student_id)
    charges = list(
        (
            await session.execute(
                select(Charge).where(Charge.student_id == student_id).order_by(Charge.due_date)
            )
        ).scalars()
    )
    paid = await _paid_by_charge(session, [c.id for c in charges])
    return [_charge_out(c, paid.get(c.id, ZERO), today) for c in charges if c.voided_at is None]


async def list_payments(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    student_id: uuid.UUID | None = None,
    state: PaymentState | None = None,
    since: date | None = None,
) -> list[Payment]:
    require_office(tenant, "see payments")
    query = select(Payment).order_by(Payment.received_on.desc(), Payment.id)
    if student_id is not None:
        query = query.where(Payment.student_id == student_id)
    if state is not None:
        query = query.where(Payment.state == state)
    if since is not None:
        query = query.where(Payment.received_on >= since)
    return list((await session.execute(query)).scalars())
