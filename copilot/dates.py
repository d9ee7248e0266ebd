"""Dates and periods as people say them ("yesterday", "last week", "October", "Tuesday's class"),
found in folded text with the language's words and resolved against the organization's today."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from copilot.language import DateSlot, Words
from domain.payments.rules import days_in_month, month_start

GAP = " | "  # what a found expression leaves behind: a break between name segments


@dataclass(frozen=True)
class When:
    day: date | None = None
    start: date | None = None
    end: date | None = None
    week: bool = False
    month: date | None = None  # the first of a named month
    from_weekday: bool = False  # the day was said as a weekday ("Tuesday's class")

    @property
    def said(self) -> bool:
        return any((self.day, self.start, self.month))


def _alternatives(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _month_end(first: date) -> date:
    return date(first.year, first.month, days_in_month(first))


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _named_month(number: int, year: int | None, today: date) -> date:
    if year is None:
        year = today.year if number <= today.month else today.year - 1  # "October" means the last one
    return date(year, number, 1)


def _ahead(day: date, today: date, future: bool) -> date:
    """For things still to come ("close on 8 December"), a day already past means next year's."""
    return day.replace(year=day.year + 1) if future and day < today else day


SOON = 62  # days: a day of the year said without a year is the coming one when it is this close


def _nearest(month: int, day: int, today: date, future: bool) -> date:
    """A day said without its year: for things to come, the next one; otherwise the past one, unless
    the coming one is only weeks away ("who'll be in Jazz on 3 December", asked on 26 November)."""
    this_year = date(today.year, month, day)
    past = this_year if this_year <= today else date(today.year - 1, month, day)
    coming = this_year if this_year >= today else date(today.year + 1, month, day)
    if future or (coming - today).days <= SOON:
        return coming
    return past


def _day_number(number: int, today: date, future: bool) -> date:
    this_month = today.replace(day=number)
    if this_month >= today or not future:
        return this_month
    return month_start(today) + relativedelta(months=1, day=number)


def _weekday_numbered(target: int, number: int, today: date, future: bool) -> date:
    """ "Monday the 9th", "el miércoles 18": the nearest month where that day number is that weekday."""
    first = month_start(today)
    months = [first + relativedelta(months=k) for k in (0, -1, 1, -2, 2)]
    for start in months:
        try:
            day = start.replace(day=number)
        except ValueError:
            continue
        if day.weekday() == target and (not future or day >= today):
            return day
    raise ValueError("no such weekday and day")


def _weekday(target: int, marker: str | None, words: Words, today: date, *, future: bool) -> date:
    ahead = (target - today.weekday()) % 7
    behind = (today.weekday() - target) % 7
    if marker in words.past_marker:
        return today - timedelta(days=behind or 7)
    if marker in words.future_marker:
        return today + timedelta(days=ahead or 7)
    return today + timedelta(days=ahead) if future else today - timedelta(days=behind)


def _period(name: str, today: date) -> When:
    this_month = month_start(today)
    match name:
        case "this_week":
            return When(day=today, start=_monday(today), end=_monday(today) + timedelta(days=6), week=True)
        case "last_week":
            start = _monday(today) - timedelta(days=7)
            return When(day=start, start=start, end=start + timedelta(days=6), week=True)
        case "next_week":
            start = _monday(today) + timedelta(days=7)
            return When(day=start, start=start, end=start + timedelta(days=6), week=True)
        case "this_month":
            return When(month=this_month)
        case "last_month":
            return When(month=this_month - relativedelta(months=1))
        case "next_month":
            return When(month=this_month + relativedelta(months=1))
        case "this_year":
            return When(start=date(today.year, 1, 1), end=today)
        case "last_year":
            return When(start=date(today.year - 1, 1, 1), end=date(today.year - 1, 12, 31))
    raise ValueError(name)


def _finders(words: Words) -> list[tuple[re.Pattern[str], str]]:
    months, weekdays = _alternatives(words.months), _alternatives(words.weekdays)
    markers = _alternatives(words.past_marker + words.future_marker)
    nth, of = f"(?:{words.ordinals})?", words.of
    until = rf"\s*(?:{words.range_until}|{words.range_and})\s*(?:(?:{words.article}) )?"
    after = rf"(?: (?P<after>{markers}))?" if words.markers_follow else ""
    return [
        (re.compile(rf"\b(\d{{4}})-(\d{{2}})-(\d{{2}}){until}(\d{{4}})-(\d{{2}})-(\d{{2}})\b"), "iso_range"),
        (
            re.compile(rf"\b({months}) (\d{{1,2}}){nth}{until}(?:({months}) )?(\d{{1,2}}){nth}\b"),
            "month_day_range",
        ),
        (  # "del 24 de diciembre al 6 de enero", "del 24 al 31 de diciembre"
            re.compile(
                rf"\b(\d{{1,2}}){nth}(?:(?: {of})? ({months}))?{until}(\d{{1,2}}){nth}(?: {of})? ({months})\b"
            ),
            "day_month_range",
        ),
        (
            re.compile(
                rf"\b(?:{words.since}) (?:(?:{words.article}) )?"
                rf"(?:(\d{{1,2}}){nth}(?: {of})? )?({months})\b(?:(?: {of})? (\d{{4}}))?"
            ),
            "since",
        ),
        (re.compile(rf"\b({months}){until}(?:{words.until_today})\b"), "month_to_today"),
        (re.compile(rf"\b({months}){until}({months})\b(?:(?: {of})? (\d{{4}}))?"), "month_range"),
        (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), "iso"),
        (re.compile(r"\b(\d{4})-(\d{2})\b(?!-)"), "iso_month"),
        (re.compile(words.last_n_days), "last_n"),
        (re.compile(rf"\b({_alternatives(words.periods)})\b"), "period"),
        (re.compile(rf"\b({_alternatives(words.relative_days)})\b"), "relative"),
        (
            re.compile(rf"\b(\d{{1,2}}){nth}(?: {of})? ({months})\b(?:(?: {of})? (\d{{4}}))?"),
            "day_month",
        ),
        (
            re.compile(rf"\b({months}) (\d{{1,2}}){nth}\b(?! \d{{4}}-)(?:,? (\d{{4}}))?"),
            "month_day",
        ),
        (
            re.compile(rf"\b({weekdays}),? (?:(?:{words.article}) )?(\d{{1,2}}){nth}\b(?!\s*[:.h]\d)"),
            "weekday_day",
        ),
        (re.compile(rf"\b(?:(?:{words.month_prefix}) )?({months})\b(?:(?: {of})? (\d{{4}}))?"), "month"),
        (
            re.compile(rf"\b(?:{words.article}|{words.day_word}) (\d{{1,2}}){nth}\b(?!\s*[:.h]\d)"),
            "day_number",
        ),
        (
            re.compile(rf"\b(?:({markers}) )?(?:(?:{words.weekday_prefix}) )?({weekdays})(?:'?s)?\b{after}"),
            "weekday",
        ),
        (re.compile(rf"\b(?:{words.year_prefix}) (20\d\d)\b(?![-/:.]\d)"), "year"),
    ]


def find(text: str, words: Words, today: date, *, future: bool = False) -> tuple[When, str]:
    """The first date or period said in ``text`` (folded), and the text without it."""
    for phrase in words.not_dates:  # "por la mañana" is a time of day, not "mañana" (tomorrow)
        text = re.sub(rf"\b{re.escape(phrase)}\b", GAP, text)
    for pattern, kind in _finders(words):
        found = pattern.search(text)
        if found is None:
            continue
        when = _resolve(kind, found, words, today, future=future)
        if when is None:
            continue
        return when, text[: found.start()] + GAP + text[found.end() :]
    return When(), text


def _resolve(kind: str, m: re.Match[str], words: Words, today: date, *, future: bool) -> When | None:
    try:
        match kind:
            case "year":  # "in 2025": the whole year; this year's up to today
                said = int(m[1])
                last = min(date(said, 12, 31), today) if said == today.year else date(said, 12, 31)
                return When(start=date(said, 1, 1), end=last)
            case "iso_range":
                first, last = date(int(m[1]), int(m[2]), int(m[3])), date(int(m[4]), int(m[5]), int(m[6]))
                return When(start=first, end=last) if last >= first else None
            case "month_day_range":
                first = _ahead(
                    _named_month(words.months[m[1]], None, today).replace(day=int(m[2])), today, future
                )
                month = words.months[m[3]] if m[3] else first.month
                last = date(first.year, month, int(m[4]))
                return When(start=first, end=last if last >= first else last.replace(year=last.year + 1))
            case "day_month_range":
                first = _ahead(
                    _named_month(words.months[m[2] or m[4]], None, today).replace(day=int(m[1])),
                    today,
                    future,
                )
                last = date(first.year, words.months[m[4]], int(m[3]))
                return When(start=first, end=last if last >= first else last.replace(year=last.year + 1))
            case "since":  # "since September": from then until today; a day to come is just that day
                month, year = words.months[m[2]], int(m[3]) if m[3] else None
                if m[1]:
                    number = int(m[1])
                    first = date(year, month, number) if year else _nearest(month, number, today, future)
                else:
                    first = _named_month(month, year, today)
                    if future and not year and first < month_start(today):
                        first = first.replace(year=first.year + 1)
                return When(day=first) if first > today else When(start=first, end=today)
            case "month_to_today":
                return When(start=_named_month(words.months[m[1]], None, today), end=today)
            case "month_range":  # "September and October", "de septiembre a noviembre"
                year = int(m[3]) if m[3] else None
                first = _named_month(words.months[m[1]], year, today)
                last = _named_month(words.months[m[2]], year, today)
                if last < first:
                    last = last.replace(year=last.year + 1)
                return When(start=first, end=min(_month_end(last), max(today, last)))
            case "day_number":  # "the 3rd": this month's, or next month's if it has passed and is to come
                return When(day=_day_number(int(m[1]), today, future))
            case "iso":
                return When(day=date(int(m[1]), int(m[2]), int(m[3])))
            case "iso_month":
                return When(month=date(int(m[1]), int(m[2]), 1))
            case "last_n":
                days = max(1, int(m[1]))
                return When(start=today - timedelta(days=days - 1), end=today)
            case "period":
                return _period(words.periods[m[1]], today)
            case "relative":
                return When(day=today + timedelta(days=words.relative_days[m[1]]))
            case "day_month":
                if m[3]:
                    return When(day=date(int(m[3]), words.months[m[2]], int(m[1])))
                return When(day=_nearest(words.months[m[2]], int(m[1]), today, future))
            case "month_day":
                if m[3]:
                    return When(day=date(int(m[3]), words.months[m[1]], int(m[2])))
                return When(day=_nearest(words.months[m[1]], int(m[2]), today, future))
            case "weekday_day":
                return When(day=_weekday_numbered(words.weekdays[m[1]], int(m[2]), today, future))
            case "month":
                first = _named_month(words.months[m[1]], int(m[2]) if m[2] else None, today)
                if future and not m[2] and first < month_start(today):
                    first = first.replace(year=first.year + 1)  # "from January" on a change: the next one
                return When(month=first)
            case "weekday":
                marker = m[1] or (m["after"] if words.markers_follow else None)
                day = _weekday(words.weekdays[m[2]], marker, words, today, future=future)
                return When(day=day, from_weekday=True)
    except ValueError:  # "31 February": not a date; keep looking
        return None
    return None


def arguments(when: When, slot: DateSlot, today: date) -> dict[str, object]:
    """The tool arguments a found date fills, in the form the tool takes."""
    if not when.said or slot.form is None:
        return {}
    start, end = when.start, when.end
    if when.month:
        start, end = when.month, min(_month_end(when.month), max(today, when.month))
        if when.month < month_start(today):
            end = _month_end(when.month)
    elif when.day and not when.week:
        start = end = when.day
    assert start is not None and end is not None
    match slot.form:
        case "day":
            return {slot.arg or "date": (when.day or start).isoformat()}
        case "day_or_week":
            if when.week:
                return {slot.arg or "date": start.isoformat(), slot.week_arg or "week": True}
            if when.month or (when.start and not when.day):
                return {}
            return {slot.arg or "date": (when.day or start).isoformat()}
        case "month":
            return {slot.arg or "month": f"{start:%Y-%m}"}
        case "period":
            return {"start": start.isoformat(), "end": end.isoformat()}
        case "since":
            return {slot.arg or "since": start.isoformat()}
    return {}
