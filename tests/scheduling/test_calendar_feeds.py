"""Calendar feeds: parsed with the icalendar library, they match the classes, in local time across
the clock change; the address is secret and revocable; it shows only its teacher's or group's classes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from httpx import AsyncClient
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from channels.http.deps import get_now
from domain.audit.models import AuditEntry
from domain.db import unit_of_work
from domain.scheduling import feeds
from domain.scheduling import service as scheduling
from domain.scheduling.models import FeedKind
from domain.sessions import service as class_sessions
from tests.domain.studio import build_studio
from tests.scheduling.helpers import classes, weekly

MADRID = ZoneInfo("Europe/Madrid")
TODAY = date(2026, 10, 19)


async def test_a_teachers_feed_matches_their_classes_in_local_time(
    sessions: async_sessionmaker[AsyncSession], app: FastAPI, make_client: Callable[[], AsyncClient]
) -> None:
    app.dependency_overrides[get_now] = lambda: datetime(2026, 10, 20, 9, tzinfo=UTC)  # the feed's window
    async with unit_of_work(sessions) as session:
        studio = await build_studio(session)
        await weekly(session, studio, studio.salsa, weekday=0, valid_from=date(2026, 10, 19))
        await weekly(session, studio, studio.bachata, weekday=1, valid_from=date(2026, 10, 19))  # Marco's
        await scheduling.generate(session, studio.admin, today=TODAY, until=date(2026, 11, 2))
        salsa = await classes(session, studio.salsa)
        await class_sessions.cancel_session(session, studio.admin, salsa[-1].id, reason="Teacher ill")
        _, token = await feeds.create_feed(
            session, studio.teacher, kind=FeedKind.TEACHER, target_id=studio.lucia.id
        )
        other = await build_studio(session)
        _, foreign = await feeds.create_feed(
            session, other.admin, kind=FeedKind.GROUP, target_id=other.salsa.id
        )

    client = make_client()
    response = await client.get(f"/api/v1/public/calendar/{token}.ics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))
    assert [e["uid"] for e in events] == [f"{s.id}@cadence" for s in salsa]  # Lucía's only, not Marco's
    starts = [e.decoded("dtstart") for e in events]
    assert [s.astimezone(MADRID).time() for s in starts] == [time(18)] * 3  # 18:00 local every week
    assert [s.astimezone(UTC).hour for s in starts] == [16, 17, 17]  # summer time ends on 25 October
    assert events[0]["dtstart"].params["TZID"] == "Europe/Madrid"
    assert [str(e["status"]) for e in events] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    assert [str(e["location"]) for e in events] == ["Studio Centro"] * 3

    foreign_feed = Calendar.from_ical((await client.get(f"/api/v1/public/calendar/{foreign}.ics")).content)
    assert foreign_feed.walk("VEVENT") == []  # the other studio's group has no classes; none of ours leak

    async with unit_of_work(sessions, studio.admin) as session:
        (feed,) = [f for f in await feeds.list_feeds(session, studio.admin) if f.kind is FeedKind.TEACHER]
        await feeds.revoke_feed(session, studio.admin, feed.id, now=datetime.now(UTC))
        await feeds.revoke_feed(session, studio.admin, feed.id, now=datetime.now(UTC))  # again: no change
        logged = (
            await session.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == feed.id))
        ).all()
    assert sorted(logged) == ["calendar_feed.created", "calendar_feed.revoked"]
    assert (await client.get(f"/api/v1/public/calendar/{token}.ics")).status_code == 401
    assert (await client.get("/api/v1/public/calendar/cal_not-a-token.ics")).status_code == 401
