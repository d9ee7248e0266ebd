"""Calendar feeds rendered as iCalendar (RFC 5545) with the ``icalendar`` library.

Times carry the organization's timezone (TZID plus a VTIMEZONE), so a phone shows 18:00 local on
both sides of a daylight-saving change; classes without a time are all-day events.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from domain.scheduling.feeds import Feed


def render(feed: Feed, *, now: datetime | None = None) -> bytes:
    zone = ZoneInfo(feed.timezone)
    stamp = (now or datetime.now(UTC)).astimezone(UTC)
    cal = Calendar()
    cal.add("prodid", "-//Cadence//Class schedule//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", feed.name)
    cal.add("x-wr-timezone", feed.timezone)
    cal.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    for item in feed.events:
        event = Event()
        event.add("uid", f"{item.session_id}@cadence")
        event.add("dtstamp", stamp)
        event.add("summary", f"{item.title} (cancelled)" if item.cancelled else item.title)
        if item.start_time is not None:
            event.add("dtstart", datetime.combine(item.date, item.start_time, tzinfo=zone))
            if item.end_time is not None:
                event.add("dtend", datetime.combine(item.date, item.end_time, tzinfo=zone))
        else:
            event.add("dtstart", item.date)
            event.add("dtend", item.date + timedelta(days=1))
        if item.location:
            event.add("location", item.location)
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        if item.cancelled and item.cancel_reason:
            event.add("description", item.cancel_reason)
        cal.add_component(event)
    cal.add_missing_timezones()
    ical: bytes = cal.to_ical()
    return ical
