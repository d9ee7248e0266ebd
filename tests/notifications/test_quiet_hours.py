"""Quiet hours are a local window; its end is computed in the organization's timezone."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from domain.notifications.quiet import quiet_until

MADRID = ZoneInfo("Europe/Madrid")
NIGHT = (time(21), time(8))


def at(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=MADRID)


def test_a_window_across_midnight_ends_the_next_morning_or_the_same_morning() -> None:
    assert quiet_until(at(2026, 11, 30, 23, 0), *NIGHT) == at(2026, 12, 1, 8, 0)
    assert quiet_until(at(2026, 12, 1, 7, 59), *NIGHT) == at(2026, 12, 1, 8, 0)
    assert quiet_until(at(2026, 12, 1, 8, 0), *NIGHT) is None
    assert quiet_until(at(2026, 12, 1, 20, 59), *NIGHT) is None


def test_a_daytime_window_and_no_window() -> None:
    siesta = (time(14), time(16))
    assert quiet_until(at(2026, 12, 1, 15, 0), *siesta) == at(2026, 12, 1, 16, 0)
    assert quiet_until(at(2026, 12, 1, 16, 0), *siesta) is None
    assert quiet_until(at(2026, 12, 1, 3, 0), time(9), time(9)) is None


def test_the_window_end_respects_the_night_the_clocks_go_back() -> None:
    # 25 October 2026: Madrid goes from UTC+2 to UTC+1 at 03:00. 08:00 that morning is 07:00 UTC.
    end = quiet_until(at(2026, 10, 24, 22, 0), *NIGHT)
    assert end is not None
    assert end.astimezone(UTC) == datetime(2026, 10, 25, 7, 0, tzinfo=UTC)
    before = quiet_until(at(2026, 10, 23, 22, 0), *NIGHT)
    assert before is not None
    assert before.astimezone(UTC) == datetime(2026, 10, 24, 6, 0, tzinfo=UTC)  # still summer time
