"""The simulated world's shared pieces: its calendar, its students and memberships, and how they behave.

Kept apart from ``domain.demo.simulator`` so that the leaving processes (``domain.demo.leaving``) can
use them without importing the simulator.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

import holidays


class Leaving(StrEnum):
    """How students leave the simulated school.

    ``fade``: a fifth of the students with over ten weeks of tenure leave on a day drawn with no
    cause, their attendance fading over the last six weeks (the product demo, evals and blind sets
    are written against it). ``drivers``: leaving has realistic, partly observable causes
    (``domain.demo.leaving`` describes them).
    """

    FADE = "fade"
    DRIVERS = "drivers"


class Calendar:
    """When the organization is closed, and how keen people are to come, by date."""

    def __init__(self, start: date, end: date, country: str = "ES") -> None:
        self.public = holidays.country_holidays(country, years=range(start.year, end.year + 1))
        self.recitals = {year: recital_day(year) for year in range(start.year, end.year + 1)}

    def closed(self, day: date) -> bool:
        if day in self.public or day.month == 8:
            return True
        return christmas_break(day)

    def season(self, day: date) -> float:
        recital = self.recitals[day.year]
        if recital < day <= recital + timedelta(weeks=3):
            return 0.72  # after the recital
        if day.month == 7:
            return 0.78  # summer
        if day.month == 9 and day.day <= 14:
            return 0.9  # back from holidays
        return 1.0


def christmas_break(day: date) -> bool:
    return (day.month == 12 and day.day >= 23) or (day.month == 1 and day.day <= 7)


def recital_day(year: int) -> date:
    """The end-of-season recital: the second Saturday of June."""
    return nth_weekday(year, 6, weekday=5, n=2)


def nth_weekday(year: int, month: int, *, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class Behaviour:
    """How one student's attendance and payments move away from their base habits (``drivers`` world).

    ``fade_from``..``leaves_on``: attendance falls linearly to ``floor`` (a gradual leaver); weeks in
    ``skipped_weeks`` (their Mondays) are missed almost entirely (a streaky one); ``dip`` is a temporary
    low spell anyone may have, leaver or not. Tuition of months from ``late_from`` is paid weeks late,
    of months from ``unpaid_from`` not at all.
    """

    leaves_on: date | None = None
    reason: str = ""
    fade_from: date | None = None
    floor: float = 1.0
    skipped_weeks: frozenset[date] = frozenset()
    dip: tuple[date, date, float] | None = None
    late_from: date | None = None
    unpaid_from: date | None = None

    @property
    def warns(self) -> bool:
        """Whether anything in attendance or payments foreshadows the leaving."""
        return self.fade_from is not None or self.late_from is not None or self.unpaid_from is not None

    def attendance(self, day: date) -> float:
        factor = 1.0
        if self.dip is not None and self.dip[0] <= day <= self.dip[1]:
            factor *= self.dip[2]
        if self.fade_from is not None and self.leaves_on is not None and day >= self.fade_from:
            span = max(1, (self.leaves_on - self.fade_from).days)
            progress = min(1.0, (day - self.fade_from).days / span)
            factor *= 1.0 - (1.0 - self.floor) * progress
        if monday(day) in self.skipped_weeks:
            factor *= 0.1
        return factor

    def pays_late(self, month: date) -> bool:
        return self.late_from is not None and month >= self.late_from

    def leaves_unpaid(self, month: date) -> bool:
        return self.unpaid_from is not None and month >= self.unpaid_from


@dataclass
class Student:
    id: uuid.UUID
    joined: date
    propensity: float
    drops_on: date | None
    late_payer: bool
    behaviour: Behaviour | None = field(default=None)


@dataclass
class Membership:
    id: uuid.UUID
    student: Student
    group_id: uuid.UUID
    start: date
    end: date | None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)
