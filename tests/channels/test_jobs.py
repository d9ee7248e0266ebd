"""The scheduled jobs visit every organization, each by its own calendar, and never repeat work."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from channels import jobs
from domain.db import unit_of_work
from tests.domain.studio import build_studio


async def test_tuition_and_overdue_jobs_run_per_organization_in_its_timezone(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with unit_of_work(sessions) as session:
        madrid = await build_studio(session)
        utc = await build_studio(session)
        utc.org.timezone = "UTC"
    first = {
        r.slug: r.count for r in await jobs.generate_tuition(sessions, now=datetime(2026, 11, 2, tzinfo=UTC))
    }
    again = {
        r.slug: r.count for r in await jobs.generate_tuition(sessions, now=datetime(2026, 11, 3, tzinfo=UTC))
    }
    assert (first[madrid.org.slug], first[utc.org.slug]) == (3, 3)
    assert set(again.values()) == {0}

    # 23:30 UTC on the due day (the 5th) is already the 6th in Madrid: overdue there, not yet in UTC.
    late_evening = {
        r.slug: r for r in await jobs.detect_overdue(sessions, now=datetime(2026, 11, 5, 23, 30, tzinfo=UTC))
    }
    assert (late_evening[madrid.org.slug].today, late_evening[madrid.org.slug].count) == (
        date(2026, 11, 6),
        3,
    )
    assert (late_evening[utc.org.slug].today, late_evening[utc.org.slug].count) == (date(2026, 11, 5), 0)
    next_day = {
        r.slug: r.count
        for r in await jobs.detect_overdue(sessions, now=datetime(2026, 11, 6, 12, tzinfo=UTC))
    }
    assert (next_day[madrid.org.slug], next_day[utc.org.slug]) == (0, 3)  # each charge announced once
