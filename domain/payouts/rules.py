"""Payout arithmetic as plain functions: what a teacher earned from what actually happened.

* per_class — each held class the teacher actually taught (substitutes are credited, not the
  regular teacher), at the rate in force on that day;
* per_head — heads counted per held class by the organization's rule (present + late by default,
  or present only; excused and absent never count) × the rate of that day;
* fixed_monthly — the monthly rate, split by the days each rate was in force in the period;
* private lessons — duration in hours × the private hourly rate of that day.

Rounding: each line is rounded half-up to the cent when made; the total is the sum of the lines.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from domain.money import money
from domain.payments.models import PerHeadRule
from domain.payments.rules import days_in_month
from domain.teachers.models import TeacherPaymentType

SIXTY = Decimal(60)


@dataclass(frozen=True)
class Rate:
    payment_type: TeacherPaymentType
    rate: Decimal
    private_hourly_rate: Decimal | None
    effective_from: date


@dataclass(frozen=True)
class HeldClass:
    session_id: uuid.UUID
    day: date
    group_name: str
    present: int
    late: int
    substitute: bool


@dataclass(frozen=True)
class HeldLesson:
    lesson_id: uuid.UUID
    day: date
    student_name: str
    minutes: int


@dataclass(frozen=True)
class LineDetail:
    """A line's description as data, so an answer can say it in its own language: a code (salary,
    class, class_substitute, head, head_substitute, private, correction) and the names, days and
    numbers it mentions. The English ``description`` stays what is stored and shown by the API."""

    code: str
    values: dict[str, Any]  # str, int or date


@dataclass(frozen=True)
class Line:
    kind: str  # fixed | class | head | private | adjustment
    description: str
    quantity: Decimal
    rate: Decimal
    amount: Decimal
    class_session_id: uuid.UUID | None = None
    private_session_id: uuid.UUID | None = None
    adjusts_payout_id: uuid.UUID | None = None
    detail: LineDetail | None = None  # not stored: approved lines keep only their English description


def rate_on(rates: Sequence[Rate], day: date) -> Rate | None:
    """The rate in force on ``day``: the latest one that started on or before it."""
    current = None
    for rate in sorted(rates, key=lambda r: r.effective_from):
        if rate.effective_from <= day:
            current = rate
    return current


def heads(held: HeldClass, rule: PerHeadRule) -> int:
    return held.present + (held.late if rule is PerHeadRule.PRESENT_AND_LATE else 0)


def fixed_lines(rates: Sequence[Rate], start: date, end: date) -> list[Line]:
    """Monthly salary, split by the days of each month and rate in force (one line per stretch)."""
    lines: list[Line] = []
    day = start
    while day <= end:
        rate = rate_on(rates, day)
        stretch_start = day
        while day <= end and rate_on(rates, day) == rate and day.month == stretch_start.month:
            day += timedelta(days=1)
        if rate is None or rate.payment_type is not TeacherPaymentType.FIXED_MONTHLY:
            continue
        days = (day - stretch_start).days
        month_days = days_in_month(stretch_start)
        share = Decimal(days) / Decimal(month_days)
        lines.append(
            Line(
                kind="fixed",
                description=f"Monthly salary {stretch_start.isoformat()} – {day - timedelta(days=1)}"
                f" ({days}/{month_days} days)",
                quantity=share.quantize(Decimal("0.0001")),
                rate=rate.rate,
                amount=money(rate.rate * share),
                detail=LineDetail(
                    "salary",
                    {
                        "start": stretch_start,
                        "end": day - timedelta(days=1),
                        "days": days,
                        "month_days": month_days,
                    },
                ),
            )
        )
    return lines


def payout_lines(
    *,
    rates: Sequence[Rate],
    start: date,
    end: date,
    classes: Sequence[HeldClass],
    lessons: Sequence[HeldLesson],
    per_head_rule: PerHeadRule,
) -> list[Line]:
    lines = fixed_lines(rates, start, end)
    for held in sorted(classes, key=lambda c: (c.day, c.group_name)):
        rate = rate_on(rates, held.day)
        if rate is None or not start <= held.day <= end:
            continue
        note = " (as substitute)" if held.substitute else ""
        said: dict[str, Any] = {"group": held.group_name, "day": held.day}
        instead = "_substitute" if held.substitute else ""
        if rate.payment_type is TeacherPaymentType.PER_CLASS:
            lines.append(
                Line(
                    "class",
                    f"{held.group_name} on {held.day.isoformat()}{note}",
                    Decimal(1),
                    rate.rate,
                    money(rate.rate),
                    class_session_id=held.session_id,
                    detail=LineDetail(f"class{instead}", said),
                )
            )
        elif rate.payment_type is TeacherPaymentType.PER_HEAD:
            count = heads(held, per_head_rule)
            lines.append(
                Line(
                    "head",
                    f"{held.group_name} on {held.day.isoformat()}{note}: {count} students",
                    Decimal(count),
                    rate.rate,
                    money(rate.rate * count),
                    class_session_id=held.session_id,
                    detail=LineDetail(f"head{instead}", said | {"count": count}),
                )
            )
    for lesson in sorted(lessons, key=lambda p: (p.day, p.student_name)):
        rate = rate_on(rates, lesson.day)
        if rate is None or rate.private_hourly_rate is None or not start <= lesson.day <= end:
            continue
        hours = Decimal(lesson.minutes) / SIXTY
        lines.append(
            Line(
                "private",
                f"Private lesson with {lesson.student_name} on {lesson.day.isoformat()}"
                f" ({lesson.minutes} min)",
                hours.quantize(Decimal("0.0001")),
                rate.private_hourly_rate,
                money(rate.private_hourly_rate * hours),
                private_session_id=lesson.lesson_id,
                detail=LineDetail(
                    "private", {"student": lesson.student_name, "day": lesson.day, "minutes": lesson.minutes}
                ),
            )
        )
    return lines


def total(lines: Sequence[Line]) -> Decimal:
    return sum((line.amount for line in lines), Decimal("0.00"))
