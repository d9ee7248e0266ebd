"""Tuition arithmetic without a database: proration, discounts, allocation, status, rounding."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from domain.payments.rules import (
    ChargeStatus,
    Enrollment,
    OpenCharge,
    allocate_oldest_first,
    charge_status,
    due_date,
    prorate,
    tuition,
)

NOV = date(2026, 11, 1)
D = Decimal


def quote(enrollments: list[Enrollment], **kw: object) -> Decimal:
    args = {
        "month": NOV,
        "multi_group_discount_percent": D(10),
        "sibling_discount_percent": D(0),
        "is_younger_sibling": False,
        "prorate_first_month": True,
    } | kw
    return tuition(enrollments, **args).total  # type: ignore[arg-type]


def test_proration_charges_the_remaining_days_rounded_half_up() -> None:
    assert prorate(D("45.00"), month=NOV, starts_on=date(2026, 11, 1)) == D("45.00")
    assert prorate(D("45.00"), month=NOV, starts_on=date(2026, 11, 16)) == D("22.50")  # 15 of 30 days
    assert prorate(D("50.00"), month=NOV, starts_on=date(2026, 11, 30)) == D("1.67")  # 1.666… → 1.67
    assert prorate(D("45.00"), month=NOV, starts_on=date(2026, 10, 3)) == D("45.00")  # started earlier


def test_the_most_expensive_group_is_full_price_and_others_get_the_multi_group_discount() -> None:
    two = [
        Enrollment("Salsa", D("40.00"), date(2026, 9, 1)),
        Enrollment("Ballet", D("50.00"), date(2026, 9, 1)),
    ]
    result = tuition(
        two,
        month=NOV,
        multi_group_discount_percent=D(10),
        sibling_discount_percent=D(0),
        is_younger_sibling=False,
        prorate_first_month=True,
    )
    assert [(line.group_name, line.amount) for line in result.lines] == [
        ("Ballet", D("50.00")),
        ("Salsa", D("36.00")),
    ]
    assert result.total == D("86.00")
    assert "extra group" in result.description()


def test_sibling_discount_multiplies_with_the_multi_group_discount() -> None:
    two = [
        Enrollment("Salsa", D("40.00"), date(2026, 9, 1)),
        Enrollment("Ballet", D("50.00"), date(2026, 9, 1)),
    ]
    assert quote(two, sibling_discount_percent=D(20), is_younger_sibling=True) == D("40.00") + D("28.80")
    assert quote(two, sibling_discount_percent=D(20), is_younger_sibling=False) == D("86.00")


def test_a_mid_month_start_is_prorated_only_when_the_organization_wants_it() -> None:
    late = [Enrollment("Salsa", D("45.00"), date(2026, 11, 16))]
    assert quote(late) == D("22.50")
    assert quote(late, prorate_first_month=False) == D("45.00")


def test_due_dates_fit_short_months() -> None:
    assert due_date(date(2026, 2, 1), 5) == date(2026, 2, 5)
    assert due_date(date(2026, 2, 1), 28) == date(2026, 2, 28)


def test_allocation_pays_the_oldest_first_and_keeps_the_rest_as_credit() -> None:
    old, new = uuid.uuid4(), uuid.uuid4()
    charges = [OpenCharge(new, date(2026, 11, 5), D("45.00")), OpenCharge(old, date(2026, 10, 5), D("20.00"))]
    parts, credit = allocate_oldest_first(D("50.00"), charges)
    assert parts == [(old, D("20.00")), (new, D("30.00"))] and credit == D("0.00")
    parts, credit = allocate_oldest_first(D("100.00"), charges)
    assert parts == [(old, D("20.00")), (new, D("45.00"))] and credit == D("35.00")


def test_status_is_derived_from_amounts_and_dates() -> None:
    due = date(2026, 11, 5)
    assert charge_status(amount=D(45), paid=D(0), due=due, today=date(2026, 11, 5)) is ChargeStatus.PENDING
    assert (
        charge_status(amount=D(45), paid=D(20), due=due, today=date(2026, 11, 5))
        is ChargeStatus.PARTIALLY_PAID
    )
    assert charge_status(amount=D(45), paid=D(20), due=due, today=date(2026, 11, 6)) is ChargeStatus.OVERDUE
    assert charge_status(amount=D(45), paid=D(45), due=due, today=date(2027, 1, 1)) is ChargeStatus.PAID


cents = st.decimals(min_value=D("0.01"), max_value=D("5000"), places=2, allow_nan=False, allow_infinity=False)


@given(payment=cents, outstanding=st.lists(cents, max_size=12))
def test_allocations_never_exceed_the_payment_or_any_charge(
    payment: Decimal, outstanding: list[Decimal]
) -> None:
    charges = [
        OpenCharge(uuid.uuid4(), date(2026, 1, 1 + i % 28), amount) for i, amount in enumerate(outstanding)
    ]
    parts, credit = allocate_oldest_first(payment, charges)
    left_of = {c.id: c.outstanding for c in charges}
    assert sum((a for _, a in parts), D(0)) + credit == payment
    assert credit >= 0 and all(0 < a <= left_of[cid] for cid, a in parts)
    assert all(isinstance(a, Decimal) and a == a.quantize(D("0.01")) for _, a in parts)
    if credit > 0:  # money left over only when every charge is fully paid
        assert {cid: a for cid, a in parts} == left_of


@given(
    fees=st.lists(cents, min_size=1, max_size=4),
    discount=st.decimals(min_value=0, max_value=100, places=2),
    start_day=st.integers(min_value=1, max_value=30),
)
def test_tuition_lines_are_whole_cents_and_add_up(
    fees: list[Decimal], discount: Decimal, start_day: int
) -> None:
    enrollments = [Enrollment(f"G{i}", fee, date(2026, 11, start_day)) for i, fee in enumerate(fees)]
    result = tuition(
        enrollments,
        month=NOV,
        multi_group_discount_percent=discount,
        sibling_discount_percent=D(5),
        is_younger_sibling=True,
        prorate_first_month=True,
    )
    assert all(
        isinstance(line.amount, Decimal) and line.amount == line.amount.quantize(D("0.01"))
        for line in result.lines
    )
    assert result.total == sum((line.amount for line in result.lines), D("0.00"))
    assert D(0) <= result.total <= sum(fees)
