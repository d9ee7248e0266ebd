"""Quiet hours: a daily window, in the organization's timezone, in which nothing is sent."""

from __future__ import annotations

from datetime import datetime, time, timedelta


def quiet_until(local_now: datetime, start: time, end: time) -> datetime | None:
    """When the quiet window around ``local_now`` ends, or None outside it.

    The window may cross midnight (21:00–08:00) or not (13:00–15:00); equal bounds mean none.
    The result is built with the same tzinfo, so a DST change in between is handled by zoneinfo.
    """
    if start == end:
        return None
    clock = local_now.time().replace(tzinfo=None)
    crosses_midnight = start > end
    inside = (clock >= start or clock < end) if crosses_midnight else (start <= clock < end)
    if not inside:
        return None
    end_day = local_now.date()
    if crosses_midnight and clock >= start:
        end_day += timedelta(days=1)
    return datetime.combine(end_day, end, tzinfo=local_now.tzinfo)
