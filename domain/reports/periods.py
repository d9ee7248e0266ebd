"""Periods of a report: checked once, cut into months (or weeks), and rates rounded one way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Date, cast, func
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from domain.errors import Invalid
from domain.payments.rules import days_in_month, month_start

LONGEST = timedelta(days=3 * 366)  # a report over more than three years is a mistake, not a question
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)  # and dates outside these are typos (0202, 20266)


def within_calendar(*days: date) -> None:
    for day in days:
        if not EARLIEST <= day <= LATEST:
            raise Invalid(
                "Report dates go from 1900 to 2999.", details={"field": "start" if day < EARLIEST else "end"}
            )


def check(start: date, end: date) -> None:
    within_calendar(start, end)
    if end < start:
        raise Invalid("The period ends before it starts.", details={"field": "end"})
    if end - start > LONGEST:
        raise Invalid("A report covers at most three years.", details={"field": "start"})


def month_end(day: date) -> date:
    return date(day.year, day.month, days_in_month(day))


@dataclass(frozen=True)
class Month:
    """One calendar month of the period, cut to it: ``first``..``last`` lie within start..end."""

    month: date
    first: date
    last: date


def months(start: date, end: date) -> list[Month]:
    out, month = [], month_start(start)
    while month <= end:
        out.append(Month(month, max(month, start), min(month_end(month), end)))
        month = month_end(month) + timedelta(days=1)
    return out


def bucket(every: str, day: InstrumentedAttribute[date]) -> ColumnElement[date]:
    """The week's Monday or the month's first day of a date column (PostgreSQL weeks start on Monday)."""
    return cast(func.date_trunc(every, day), Date)


def rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_UP) if whole else None
