"""Payout arithmetic without a database: every amount comes from a class, a head count or a day."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from domain.payments.models import PerHeadRule
from domain.payouts.rules import HeldClass, HeldLesson, Rate, fixed_lines, heads, payout_lines, rate_on, total
from domain.teachers.models import TeacherPaymentType

D = Decimal
NOV_1, NOV_30 = date(2026, 11, 1), date(2026, 11, 30)
PER_CLASS, PER_HEAD, FIXED = (
    TeacherPaymentType.PER_CLASS,
    TeacherPaymentType.PER_HEAD,
    TeacherPaymentType.FIXED_MONTHLY,
)


def held(day: int, present: int = 10, late: int = 2, substitute: bool = False) -> HeldClass:
    return HeldClass(uuid.uuid4(), date(2026, 11, day), "Salsa", present, late, substitute)


def test_per_class_pays_each_held_class_at_the_rate_of_its_day() -> None:
    rates = [
        Rate(PER_CLASS, D("40.00"), None, date(2026, 1, 1)),
        Rate(PER_CLASS, D("44.00"), None, date(2026, 11, 15)),
    ]
    lines = payout_lines(
        rates=rates,
        start=NOV_1,
        end=NOV_30,
        classes=[held(3), held(10), held(17, substitute=True)],
        lessons=[],
        per_head_rule=PerHeadRule.PRESENT_AND_LATE,
    )
    assert [line.amount for line in lines] == [D("40.00"), D("40.00"), D("44.00")]
    assert "as substitute" in lines[2].description and lines[2].class_session_id is not None
    assert total(lines) == D("124.00")


def test_per_head_counts_by_the_organizations_rule() -> None:
    rates = [Rate(PER_HEAD, D("6.50"), None, date(2026, 1, 1))]
    one = held(3, present=10, late=2)
    assert heads(one, PerHeadRule.PRESENT_AND_LATE) == 12 and heads(one, PerHeadRule.PRESENT_ONLY) == 10
    both = payout_lines(
        rates=rates,
        start=NOV_1,
        end=NOV_30,
        classes=[one],
        lessons=[],
        per_head_rule=PerHeadRule.PRESENT_AND_LATE,
    )
    only = payout_lines(
        rates=rates,
        start=NOV_1,
        end=NOV_30,
        classes=[one],
        lessons=[],
        per_head_rule=PerHeadRule.PRESENT_ONLY,
    )
    assert (total(both), total(only)) == (D("78.00"), D("65.00"))


def test_a_fixed_salary_is_split_by_the_days_each_rate_was_in_force() -> None:
    rates = [
        Rate(FIXED, D("1200.00"), None, date(2026, 1, 1)),
        Rate(FIXED, D("1500.00"), None, date(2026, 11, 16)),
    ]
    lines = fixed_lines(rates, NOV_1, NOV_30)
    assert [(line.quantity, line.amount) for line in lines] == [
        (D("0.5000"), D("600.00")),
        (D("0.5000"), D("750.00")),
    ]
    assert total(fixed_lines(rates[:1], NOV_1, NOV_30)) == D("1200.00")


def test_a_change_of_payment_model_mid_month_pays_each_part_its_way() -> None:
    rates = [
        Rate(FIXED, D("900.00"), None, date(2026, 1, 1)),
        Rate(PER_CLASS, D("40.00"), None, date(2026, 11, 16)),
    ]
    lines = payout_lines(
        rates=rates,
        start=NOV_1,
        end=NOV_30,
        classes=[held(10), held(20)],
        lessons=[],
        per_head_rule=PerHeadRule.PRESENT_AND_LATE,
    )
    assert [(line.kind, line.amount) for line in lines] == [("fixed", D("450.00")), ("class", D("40.00"))]


def test_private_lessons_pay_by_duration_and_no_rate_means_no_line() -> None:
    lesson = HeldLesson(uuid.uuid4(), date(2026, 11, 4), "Ana García", 90)
    with_rate = [Rate(PER_CLASS, D("40.00"), D("30.00"), date(2026, 1, 1))]
    without = [Rate(PER_CLASS, D("40.00"), None, date(2026, 1, 1))]
    lines = payout_lines(
        rates=with_rate,
        start=NOV_1,
        end=NOV_30,
        classes=[],
        lessons=[lesson],
        per_head_rule=PerHeadRule.PRESENT_AND_LATE,
    )
    assert [(line.kind, line.quantity, line.amount) for line in lines] == [
        ("private", D("1.5000"), D("45.00"))
    ]
    assert (
        payout_lines(
            rates=without,
            start=NOV_1,
            end=NOV_30,
            classes=[],
            lessons=[lesson],
            per_head_rule=PerHeadRule.PRESENT_AND_LATE,
        )
        == []
    )


def test_nothing_before_the_first_rate_and_nothing_outside_the_period() -> None:
    rates = [Rate(PER_CLASS, D("40.00"), None, date(2026, 11, 10))]
    assert rate_on(rates, date(2026, 11, 9)) is None
    lines = payout_lines(
        rates=rates,
        start=NOV_1,
        end=date(2026, 11, 15),
        classes=[held(3), held(12), held(20)],
        lessons=[],
        per_head_rule=PerHeadRule.PRESENT_AND_LATE,
    )
    assert [line.amount for line in lines] == [D("40.00")]


money = st.decimals(min_value=D("0.00"), max_value=D("2000"), places=2)


@given(
    rate=money,
    rate_kind=st.sampled_from(list(TeacherPaymentType)),
    counts=st.lists(st.tuples(st.integers(1, 30), st.integers(0, 40), st.integers(0, 5)), max_size=20),
    minutes=st.lists(st.integers(1, 240), max_size=6),
)
def test_line_items_always_sum_to_the_total_in_whole_cents(
    rate: Decimal, rate_kind: TeacherPaymentType, counts: list[tuple[int, int, int]], minutes: list[int]
) -> None:
    rates = [Rate(rate_kind, rate, rate, date(2026, 1, 1))]
    classes = [held(day, present, late) for day, present, late in counts]
    lessons = [HeldLesson(uuid.uuid4(), date(2026, 11, 1 + i), "S", m) for i, m in enumerate(minutes)]
    lines = payout_lines(
        rates=rates,
        start=NOV_1,
        end=NOV_30,
        classes=classes,
        lessons=lessons,
        per_head_rule=PerHeadRule.PRESENT_AND_LATE,
    )
    assert total(lines) == sum((line.amount for line in lines), D("0.00"))
    assert all(
        type(line.amount) is Decimal and line.amount == line.amount.quantize(D("0.01")) for line in lines
    )
    assert all(type(line.rate) is Decimal and type(line.quantity) is Decimal for line in lines)
