"""Charges, payments, allocations and overdue detection on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import Conflict, Forbidden, Invalid
from domain.events.models import DomainEvent
from domain.groups import memberships
from domain.payments import service as payments
from domain.payments.models import Allocation, Charge, ChargeKind, Payment, PerHeadRule
from domain.payments.rules import ChargeStatus
from domain.payments.schemas import AllocationIn, BillingSettingsIn, ChargeIn, PaymentIn
from domain.tenancy import TenantContext
from tests.domain.studio import Studio, build_studio

D = Decimal
NOV, DEC = date(2026, 11, 1), date(2026, 12, 1)
NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


async def settings(session: AsyncSession, studio: Studio, **changes: object) -> None:
    values: dict[str, object] = {
        "default_monthly_fee": D("45.00"),
        "due_day": 5,
        "multi_group_discount_percent": D(10),
        "sibling_discount_percent": D(0),
        "prorate_first_month": True,
        "per_head_rule": PerHeadRule.PRESENT_AND_LATE,
    } | changes
    await payments.update_billing_settings(
        session, studio.admin, data=BillingSettingsIn.model_validate(values)
    )


async def tuition_of(session: AsyncSession, studio: Studio, name: str, month: date = NOV) -> Charge:
    charge = await session.scalar(
        select(Charge).where(Charge.student_id == studio.students[name].id, Charge.period_month == month)
    )
    assert charge is not None
    return charge


async def test_tuition_runs_are_idempotent_and_follow_the_fee_rules(session: AsyncSession) -> None:
    studio = await build_studio(session)
    await settings(session, studio, sibling_discount_percent=D(20))
    ana, jose, sofia = (studio.students[n] for n in ("Ana", "José", "Sofía"))
    await memberships.enroll(
        session, studio.admin, student_id=ana.id, group_id=studio.bachata.id, start_date=date(2026, 11, 16)
    )
    jose.family_id = sofia.family_id = ana.id  # siblings: Sofía, with the lower tuition, gets the discount
    await memberships.enroll(
        session, studio.admin, student_id=jose.id, group_id=studio.bachata.id, start_date=date(2026, 9, 1)
    )
    await session.flush()

    first = await payments.generate_tuition(session, studio.staff, month=NOV, today=date(2026, 11, 2))
    again = await payments.generate_tuition(session, studio.staff, month=NOV, today=date(2026, 11, 2))
    assert (first.created, again.created, again.already_there) == (3, 0, 3)
    assert (await tuition_of(session, studio, "Ana")).amount == D("45.00") + D(
        "20.25"
    )  # 2nd group: -10%, 15/30 days
    assert (await tuition_of(session, studio, "José")).amount == D("45.00") + D(
        "40.50"
    )  # full price: the higher
    assert (await tuition_of(session, studio, "Sofía")).amount == D("36.00")  # younger sibling: -20%
    assert (await tuition_of(session, studio, "Ana")).due_date == date(2026, 11, 5)
    events = (await session.execute(select(DomainEvent.type))).scalars().all()
    assert events.count("tuition.generated") == 1


async def test_a_payment_pays_the_oldest_charge_first_and_keeps_credit(session: AsyncSession) -> None:
    studio = await build_studio(session)
    ana = studio.students["Ana"]
    for month in (NOV, DEC):
        await payments.generate_tuition(session, studio.admin, month=month, today=NOV)
    recorded = await payments.record_payment(
        session,
        studio.staff,
        data=PaymentIn(student_id=ana.id, amount=D("100.00"), received_on=date(2026, 11, 20)),
    )
    assert [a.amount for a in recorded.allocated] == [D("45.00"), D("45.00")] and recorded.credit == D(
        "10.00"
    )
    costume = await payments.add_charge(
        session,
        studio.staff,
        data=ChargeIn(
            student_id=ana.id,
            kind=ChargeKind.COSTUME,
            description="Recital costume",
            amount=D("25"),
            due_date=date(2027, 5, 1),
        ),
    )
    balance = await payments.balance(session, studio.admin, ana.id, today=date(2026, 11, 26))
    assert (balance.charged, balance.paid, balance.credit, balance.outstanding) == (
        D("115.00"),
        D("100.00"),
        D("0.00"),
        D("15.00"),
    )
    [open_charge] = balance.open_charges
    assert (open_charge.id, open_charge.paid, open_charge.status) == (
        costume.id,
        D("10.00"),
        ChargeStatus.PARTIALLY_PAID,
    )


async def test_explicit_allocations_are_checked_and_bad_ones_write_nothing(session: AsyncSession) -> None:
    studio = await build_studio(session)
    ana, jose = studio.students["Ana"], studio.students["José"]
    await payments.generate_tuition(session, studio.admin, month=NOV, today=NOV)
    anas, joses = await tuition_of(session, studio, "Ana"), await tuition_of(session, studio, "José")
    bad = [
        [AllocationIn(charge_id=joses.id, amount=D("10"))],  # someone else's charge
        [AllocationIn(charge_id=anas.id, amount=D("50"))],  # more than is left on it
        [AllocationIn(charge_id=anas.id, amount=D("45"))],  # more than the payment (30)
    ]
    for allocations in bad:
        with pytest.raises(Invalid):
            await payments.record_payment(
                session,
                studio.staff,
                data=PaymentIn(student_id=ana.id, amount=D("30"), received_on=NOV, allocations=allocations),
            )
    assert await session.scalar(select(func.count()).select_from(Payment)) == 0
    assert await session.scalar(select(func.count()).select_from(Allocation)) == 0
    ok = await payments.record_payment(
        session,
        studio.staff,
        data=PaymentIn(
            student_id=ana.id,
            amount=D("30"),
            received_on=NOV,
            allocations=[AllocationIn(charge_id=anas.id, amount=D("20"))],
        ),
    )
    assert ok.credit == D("10.00")
    with pytest.raises(Forbidden):
        await payments.record_payment(
            session, studio.teacher, data=PaymentIn(student_id=jose.id, amount=D(1), received_on=NOV)
        )


async def test_who_has_not_paid_this_month(session: AsyncSession) -> None:
    studio = await build_studio(session)
    ana, jose = studio.students["Ana"], studio.students["José"]
    await payments.generate_tuition(session, studio.admin, month=NOV, today=NOV)
    await payments.record_payment(
        session, studio.staff, data=PaymentIn(student_id=ana.id, amount=D("45"), received_on=NOV)
    )
    await payments.record_payment(
        session, studio.staff, data=PaymentIn(student_id=jose.id, amount=D("20"), received_on=NOV)
    )
    early = await payments.unpaid_students(session, studio.admin, month=NOV, today=date(2026, 11, 5))
    assert [(s.full_name, s.outstanding, s.status) for s in early.students] == [
        ("José Martínez", D("25.00"), ChargeStatus.PARTIALLY_PAID),
        ("Sofía López", D("45.00"), ChargeStatus.PENDING),
    ]
    late = await payments.unpaid_students(session, studio.admin, month=NOV, today=date(2026, 11, 26))
    assert {s.status for s in late.students} == {ChargeStatus.OVERDUE} and late.total_outstanding == D(
        "70.00"
    )
    assert [s.days_overdue for s in late.students] == [21, 21] and late.currency == "EUR"


async def test_overdue_detection_respects_month_boundaries_and_reports_each_charge_once(
    session: AsyncSession,
) -> None:
    studio = await build_studio(session)
    await payments.generate_tuition(session, studio.admin, month=NOV, today=NOV)
    await payments.generate_tuition(session, studio.admin, month=DEC, today=NOV)
    on_due_day = await payments.detect_overdue(session, studio.admin, today=date(2026, 11, 5), now=NOW)
    day_after = await payments.detect_overdue(session, studio.admin, today=date(2026, 11, 6), now=NOW)
    again = await payments.detect_overdue(session, studio.admin, today=date(2026, 11, 30), now=NOW)
    next_month = await payments.detect_overdue(session, studio.admin, today=date(2026, 12, 6), now=NOW)
    assert (
        on_due_day.newly_overdue,
        day_after.newly_overdue,
        again.newly_overdue,
        next_month.newly_overdue,
    ) == (0, 3, 0, 3)
    overdue_events = (
        await session.execute(select(DomainEvent).where(DomainEvent.type == "charge.overdue"))
    ).scalars()
    assert len(list(overdue_events)) == 6


async def test_today_is_the_organizations_day(session: AsyncSession) -> None:
    """At 23:30 UTC on the due day it is already the next day in Madrid: overdue there, not yet in UTC."""
    studio = await build_studio(session)
    await payments.generate_tuition(session, studio.admin, month=NOV, today=NOV)
    late_evening = datetime(2026, 11, 5, 23, 30, tzinfo=UTC)
    madrid = studio.admin
    utc = TenantContext(org_id=madrid.org_id, role=madrid.role, user_id=madrid.user_id, timezone="UTC")
    assert madrid.timezone == "Europe/Madrid"
    assert late_evening.astimezone(__import__("zoneinfo").ZoneInfo(madrid.timezone)).date() == date(
        2026, 11, 6
    )
    in_madrid = await payments.unpaid_students(
        session,
        madrid,
        month=NOV,
        today=late_evening.astimezone(__import__("zoneinfo").ZoneInfo(madrid.timezone)).date(),
    )
    in_utc = await payments.unpaid_students(session, utc, month=NOV, today=late_evening.date())
    assert {s.status for s in in_madrid.students} == {ChargeStatus.OVERDUE}
    assert {s.status for s in in_utc.students} == {ChargeStatus.PENDING}


async def test_a_paid_charge_cannot_be_voided_but_an_open_one_can(session: AsyncSession) -> None:
    studio = await build_studio(session)
    ana, jose = studio.students["Ana"], studio.students["José"]
    await payments.generate_tuition(session, studio.admin, month=NOV, today=NOV)
    await payments.record_payment(
        session, studio.staff, data=PaymentIn(student_id=ana.id, amount=D("45"), received_on=NOV)
    )
    with pytest.raises(Conflict):
        await payments.void_charge(
            session, studio.admin, (await tuition_of(session, studio, "Ana")).id, reason="x", now=NOW
        )
    joses = await tuition_of(session, studio, "José")
    await payments.void_charge(session, studio.admin, joses.id, reason="joined by mistake", now=NOW)
    report = await payments.unpaid_students(session, studio.admin, month=NOV, today=NOV)
    assert jose.id not in {s.student_id for s in report.students}


async def test_credit_pays_next_months_tuition_when_it_is_generated(session: AsyncSession) -> None:
    studio = await build_studio(session)
    ana, jose = studio.students["Ana"], studio.students["José"]
    await payments.generate_tuition(session, studio.admin, month=NOV, today=NOV)
    paid = await payments.record_payment(
        session, studio.staff, data=PaymentIn(student_id=ana.id, amount=D("90"), received_on=NOV)
    )
    assert paid.credit == D("45.00")
    await payments.generate_tuition(session, studio.admin, month=DEC, today=NOV)
    december = await payments.unpaid_students(session, studio.admin, month=DEC, today=date(2026, 12, 1))
    assert ana.id not in {s.student_id for s in december.students}
    assert jose.id in {s.student_id for s in december.students}  # control: no credit, still owes
    assert (await payments.balance(session, studio.admin, ana.id, today=NOV)).credit == D("0.00")
