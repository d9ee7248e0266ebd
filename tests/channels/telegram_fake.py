"""The Telegram tests that run through the fake Bot API server (``channels/telegram/fake_api.py``) on
localhost: the bot calls it over HTTP, and it delivers people's messages and taps to the app's webhook
(HTTP through the ASGI transport, with the secret token) or to ``getUpdates`` for polling. Nothing is
mocked call by call. A test module imports ``fake_telegram_fixture``; pytest knows it by its name."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from channels.http.app import create_app
from channels.telegram.fake_api import FakeBotApi, Person, Shown, serving
from copilot.service import Copilot
from domain.attendance.models import AttendanceRecord, AttendanceStatus
from domain.db import unit_of_work
from domain.payments.storage import LocalStorage
from domain.sessions import service as class_sessions
from domain.sessions.models import ClassSession
from domain.sessions.schemas import SessionIn
from domain.settings import Settings
from domain.telegram import service as telegram
from tests.domain.studio import Studio

TOKEN = "777:FAKE-API-TOKEN"
SECRET = "fake-api-webhook-secret"
WEBHOOK = "http://cadence.test/telegram/webhook"


@dataclass
class FakeTelegram:
    api: FakeBotApi
    app: FastAPI
    url: str  # the fake server's address (CADENCE_TELEGRAM_API_URL)
    sessions: async_sessionmaker[AsyncSession]

    async def set_webhook(self) -> None:
        """What an operator does once (Bot API setWebhook), here against the fake server."""
        async with httpx.AsyncClient() as client:
            answer = await client.post(
                f"{self.url}/bot{TOKEN}/setWebhook", data={"url": WEBHOOK, "secret_token": SECRET}
            )
        assert answer.json() == {"ok": True, "result": True}

    async def link(self, person: Person, user_id: Any) -> None:
        async with unit_of_work(self.sessions) as session:
            code = await telegram.new_link_code(session, user_id=user_id, now=datetime.now(UTC))
        await self.api.say(person, f"/start {code}")

    def last(self, person: Person) -> Shown:
        return self.api.last(person.id)


@pytest.fixture(name="fake_telegram")
async def fake_telegram_fixture(
    sessions: async_sessionmaker[AsyncSession], checkpointer: AsyncPostgresSaver, tmp_path: Path
) -> AsyncIterator[FakeTelegram]:
    api = FakeBotApi(TOKEN)
    async with serving(api) as url:
        app = create_app(Settings(telegram_token=TOKEN, telegram_webhook_secret=SECRET, telegram_api_url=url))
        app.state.sessions = sessions
        app.state.copilot = Copilot(checkpointer, receipts=LocalStorage(tmp_path / "receipts"))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as to_app:
            api.webhook_client = to_app
            yield FakeTelegram(api, app, url, sessions)
            bot = getattr(app.state, "telegram", None)
            if bot is not None:
                await bot.shutdown()


async def class_today(
    sessions: async_sessionmaker[AsyncSession], school: Studio, day: date, *, at: time = time(18, 0)
) -> ClassSession:
    """A Salsa Beginners class on ``day``, taught by Lucía."""
    async with unit_of_work(sessions, school.admin) as session:
        return await class_sessions.create_session(
            session,
            school.admin,
            data=SessionIn(group_id=school.salsa.id, date=day, start_time=at, end_time=time(at.hour + 1, 0)),
        )


async def marks(
    sessions: async_sessionmaker[AsyncSession], school: Studio, class_id: Any
) -> dict[str, AttendanceStatus]:
    """The marks recorded for a class, by the student's first name."""
    by_id = {s.id: first for first, s in school.students.items()}
    async with unit_of_work(sessions, school.admin) as session:
        rows = await session.execute(
            select(AttendanceRecord.student_id, AttendanceRecord.status).where(
                AttendanceRecord.class_session_id == class_id
            )
        )
        return {by_id.get(i, str(i)): status for i, status in rows}


@pytest.fixture(name="copilot")
def copilot_fixture(checkpointer: AsyncPostgresSaver, tmp_path: Path) -> Copilot:
    return Copilot(checkpointer, receipts=LocalStorage(tmp_path / "receipts"))
