"""Tuition arithmetic as plain functions (no database): fees, discounts, proration, allocation, status.

Rounding is documented and happens at exactly these points, half-up to the cent:
* a prorated or discounted fee line is rounded once, when the line is made;
* a charge's total is the sum of its already-rounded lines;
* allocations move amounts that are already whole cents, so they never round.
"""

from __future__ import annotations

import calendar
import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.money import money

HUNDRED = Decimal(100)


class ChargeStatus(enum.StrEnum):
    PENDING = "pending"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    OVERDUE = "overdue"


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_shift(day: date, months: int) -> date:
    """The first day of the month ``months`` after ``day``'s (before it, when negative)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def days_in_month(month: date) -> int:
    return calendar.monthrange(month.year, month.month)[1]


def due_date(month: date, due_day: int) -> date:
    return month_start(month).replace(day=min(due_day, days_in_month(month)))


def prorate(fee: Decimal, *, month: date, starts_on: date) -> Decimal:
    """The share of a monthly fee for a start mid-month: remaining days / days in the month."""
    first = month_start(month)
    if starts_on <= first:
        return money(fee)
    total = days_in_month(first)
    remaining = total - starts_on.day + 1
    return money(fee * remaining / total)


@dataclass(frozen=True)
class FeeLine:
    group_name: str
    amount: Decimal
    note: str


@dataclass(frozen=True)
class TuitionQuote:
    lines: tuple[FeeLine, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    def description(self) -> str:
        return "; ".join(
            f"{line.group_name} {line.amount}{f' ({line.note})' if line.note else ''}" for line in self.lines
        )


@dataclass(frozen=True)
class Enrollment:
    group_name: str
    fee: Decimal
    starts_on: date  # membership start (for proration of the first month)


def tuition(
    enrollments: Sequence[Enrollment],
    *,
    month: date,
    multi_group_discount_percent: Decimal,
    sibling_discount_percent: Decimal,
    is_younger_sibling: bool,
    prorate_first_month: bool,
) -> TuitionQuote:
    """A student's tuition for one month.

    The most expensive group (after proration) is paid in full; every further group gets the
    multi-group discount.
    A younger sibling (not the family's first student) gets the sibling discount on every line.
    Discounts multiply; each line is rounded once.
    """
    bases = []
    for enrollment in enrollments:
        base, note = enrollment.fee, ""
        starts = enrollment.starts_on
        if prorate_first_month and month_start(starts) == month_start(month) and starts.day > 1:
            total_days = days_in_month(month)
            remaining = total_days - starts.day + 1
            base, note = base * remaining / total_days, f"{remaining}/{total_days} days"
        bases.append((base, enrollment.group_name, note))
    lines = []
    for index, (base, group_name, note) in enumerate(sorted(bases, key=lambda b: (-b[0], b[1]))):
        factor = Decimal(1)
        notes = [note] if note else []
        if index > 0 and multi_group_discount_percent:
            factor *= 1 - multi_group_discount_percent / HUNDRED
            notes.append(f"-{multi_group_discount_percent.normalize()}% extra group")
        if is_younger_sibling and sibling_discount_percent:
            factor *= 1 - sibling_discount_percent / HUNDRED
            notes.append(f"-{sibling_discount_percent.normalize()}% sibling")
        lines.append(FeeLine(group_name, money(base * factor), ", ".join(notes)))
    return TuitionQuote(tuple(lines))


@dataclass(frozen=True)
class OpenCharge:
    id: uuid.UUID
    due_date: date
    outstanding: Decimal


def allocate_oldest_first(
    amount: Decimal, charges: Sequence[OpenCharge]
) -> tuple[list[tuple[uuid.UUID, Decimal]], Decimal]:
    """Spread a payment over open charges, oldest due first; what is left over is credit."""
    left = money(amount)
    result = []
    for charge in sorted(charges, key=lambda c: (c.due_date, str(c.id))):
        if left <= 0:
            break
        if charge.outstanding <= 0:
            continue
        part = min(left, charge.outstanding)
        result.append((charge.id, part))
        left -= part
    return result, left


def charge_status(*, amount: Decimal, paid: Decimal, due: date, today: date) -> ChargeStatus:
    if paid >= amount:
        return ChargeStatus.PAID
    if today > due:
        return ChargeStatus.OVERDUE
    return ChargeStatus.PARTIALLY_PAID if paid > 0 else ChargeStatus.PENDING
