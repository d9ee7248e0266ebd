"""Which dates a slot falls on (dateutil's rrule) and which dates are closed (closures, holidays)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import holidays
from dateutil.rrule import WEEKLY, rrule
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.orgs.models import Organization
from domain.scheduling.models import Closure, GroupSlot


def first_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def occurrences(slot: GroupSlot, start: date, end: date) -> list[date]:
    """The slot's dates in [start, end] and its validity, every ``interval_weeks`` from its anchor.

    Dates only: a slot's times are the organization's wall-clock times, so 18:00 stays 18:00 on both
    sides of a daylight-saving change; calendar feeds carry the timezone with each event.
    """
    first = max(start, slot.valid_from)
    last = min(end, slot.valid_until) if slot.valid_until else end
    if first > last:
        return []
    # Start the rule at the last occurrence before the window, not at the anchor (maybe years ago):
    # same phase, without walking every week since.
    period = 7 * slot.interval_weeks
    skipped = max(0, (first - slot.anchor_date).days // period)
    rule = rrule(
        WEEKLY,
        interval=slot.interval_weeks,
        byweekday=slot.weekday,
        dtstart=datetime.combine(slot.anchor_date + timedelta(days=skipped * period), time()),
        until=datetime.combine(last, time()),
    )
    return [
        d.date()
        for d in rule.between(datetime.combine(first, time()), datetime.combine(last, time()), inc=True)
    ]


@dataclass
class ClosedDates:
    whole: dict[date, str] = field(default_factory=dict)  # date → why (closure reason or holiday name)
    venues: dict[uuid.UUID, dict[date, str]] = field(default_factory=dict)

    def reason(self, day: date, venue_id: uuid.UUID | None) -> str | None:
        if day in self.whole:
            return self.whole[day]
        return self.venues.get(venue_id, {}).get(day) if venue_id else None


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


async def closed_dates(session: AsyncSession, org: Organization, start: date, end: date) -> ClosedDates:
    """Closures in force, plus the public holidays of the organization's country/region if it opted in."""
    closed = ClosedDates()
    rows = await session.scalars(
        select(Closure).where(
            Closure.withdrawn_at.is_(None), Closure.start_date <= end, Closure.end_date >= start
        )
    )
    for closure in rows:
        target = closed.whole if closure.venue_id is None else closed.venues.setdefault(closure.venue_id, {})
        for day in _days(max(start, closure.start_date), min(end, closure.end_date)):
            target.setdefault(day, closure.reason)
    if org.public_holidays and org.country:
        public = holidays.country_holidays(
            org.country, subdiv=org.holiday_region, years=range(start.year, end.year + 1)
        )
        for day, name in public.items():
            if start <= day <= end:
                closed.whole.setdefault(day, str(name))
    return closed


@dataclass(frozen=True)
class PublicHoliday:
    date: date
    name: str


def public_holidays(
    country: str | None, region: str | None, start: date, end: date, *, language: str | None = None
) -> list[PublicHoliday]:
    """The public holidays of a country (and region) between two dates, from the ``holidays`` package,
    whether or not the organization skips them: the schedule page shows what the switch would do. Names
    in ``language`` ("es", "en") when the country's calendar has it, else in its own language."""
    if not country or country not in holidays.list_supported_countries():
        return []
    spoken = holidays.country_holidays(country).supported_languages
    chosen = next((lang for lang in spoken if language and lang.split("_")[0] == language), None)
    found = holidays.country_holidays(
        country, subdiv=region, years=range(start.year, end.year + 1), language=chosen
    )
    return [PublicHoliday(day, str(name)) for day, name in sorted(found.items()) if start <= day <= end]
