"""Shared pieces of the notification tests: a studio with a class today, Madrid times, a recorder."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.notifications.models import Notification
from domain.sessions import service as class_sessions
from domain.sessions.models import ClassSession
from domain.sessions.schemas import SessionIn
from tests.domain.studio import Studio

MONDAY = date(2026, 11, 30)
MADRID = ZoneInfo("Europe/Madrid")


def madrid(hour: int, minute: int = 0, day: date = MONDAY) -> datetime:
    return datetime.combine(day, time(hour, minute), MADRID).astimezone(UTC)


async def class_on(session: AsyncSession, studio: Studio, day: date = MONDAY, hour: int = 18) -> ClassSession:
    return await class_sessions.create_session(
        session,
        studio.admin,
        data=SessionIn(group_id=studio.salsa.id, date=day, start_time=time(hour), end_time=time(hour + 1)),
    )


async def ledger(session: AsyncSession) -> list[Notification]:
    # Rows queued in one transaction share created_at (now() is per transaction): order fully.
    query = select(Notification).order_by(Notification.created_at, Notification.kind, Notification.period)
    return list((await session.scalars(query)).all())


@dataclass
class Recorder:
    """An email channel that keeps what it was given (the SMTP path is tested with a real server)."""

    sent: list[Notification] = field(default_factory=list)

    async def send(self, notification: Notification) -> None:
        self.sent.append(notification)
