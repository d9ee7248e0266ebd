"""The bot under real concurrency, on its own committed database and the real app (its engine, pool and
copilot from the lifespan): each update's claim and handlers share one transaction on one pooled
connection, so a duplicate delivery sent at the same moment waits and does nothing, and several
Confirm presses at once apply the action once. (The usual fixture runs a whole test inside one
rolled-back transaction, where concurrency cannot happen.)"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from channels.embedded import DatabaseUrls
from channels.http.app import create_app
from domain.db import create_engine, session_factory
from domain.notes.models import StudentNote
from domain.settings import Settings
from domain.telegram import service as telegram
from tests.channels.telegram_support import (  # noqa: F401 - the *_fixture ones are fixtures, shared
    LUCIA,
    SECRET,
    TOKEN,
    Sent,
    bot_api_fixture,
    buttons,
    message,
    post,
    press,
)
from tests.committed import committed_database
from tests.conftest import REPORT
from tests.domain.studio import build_studio

PRESSES = 6  # Confirm presses arriving at once (double taps, two devices, Telegram's retries)


@dataclass
class World:
    urls: DatabaseUrls
    org_id: uuid.UUID
    link_code: str


@pytest.fixture(scope="module")
def world(database_urls: DatabaseUrls) -> Iterator[World]:
    urls = committed_database("cadence_telegram_concurrency_test")

    async def seed() -> World:
        engine = create_engine(urls.app)
        try:
            async with session_factory(engine)() as session:
                studio = await build_studio(session)
                assert studio.admin.user_id is not None
                code = await telegram.new_link_code(
                    session, user_id=studio.admin.user_id, now=datetime.now(UTC)
                )
                await session.commit()
                return World(urls, studio.org.id, code)
        finally:
            await engine.dispose()

    yield asyncio.run(seed())


@asynccontextmanager
async def serving(world: World) -> AsyncIterator[FastAPI]:
    """The real app with its lifespan, entered and left in the test's own task."""
    app = create_app(
        Settings(telegram_token=TOKEN, telegram_webhook_secret=SECRET), database_url=world.urls.app
    )
    async with app.router.lifespan_context(app):
        yield app


async def notes_count(world: World) -> int:
    engine = create_engine(world.urls.app)
    try:
        async with session_factory(engine)() as session:
            await session.execute(select(func.set_config("app.org_id", str(world.org_id), True)))
            return int(await session.scalar(select(func.count()).select_from(StudentNote)) or 0)
    finally:
        await engine.dispose()


async def test_duplicates_and_presses_at_the_same_moment_are_handled_once(
    world: World, bot_api: Sent
) -> None:
    async with serving(world) as app:
        linked = await post(app, message(LUCIA, f"/start {world.link_code}"))
        assert linked.status_code == 200 and bot_api[-1]["text"].startswith("Connected.")

        # The same question delivered twice at once: one answer.
        question, before = message(LUCIA, "who is in salsa beginners?"), len(bot_api)
        delivered = await asyncio.gather(post(app, question), post(app, question))
        assert sorted(r.json()["processed"] for r in delivered) == [False, True]
        assert len(bot_api) == before + 1 and "Ana García" in bot_api[-1]["text"]

        # One write, its Confirm pressed several times at once (each press its own update): one note.
        await post(app, message(LUCIA, "add a note to Ana García: sprained ankle"))
        preview, preview_id = bot_api[-1], len(bot_api)
        confirm = buttons(preview)[0]
        before = len(bot_api)
        presses = [press(LUCIA, confirm, on=preview, message_id=preview_id) for _ in range(PRESSES)]
        answered = await asyncio.gather(*(post(app, p) for p in presses))

        assert [r.status_code for r in answered] == [200] * PRESSES
        assert await notes_count(world) == 1
        said = [m["text"] for m in bot_api[before:]]
        assert said.count("Note added.") == 1 and len(said) == PRESSES  # everyone told something
        assert all(
            text == "Note added." or text.startswith("Already done") or "already being applied" in text
            for text in said
        ), said
    others = sorted({text.split(":")[0] for text in said if text != "Note added."})
    REPORT["concurrent Telegram deliveries"] = (
        f"2 copies of one update -> 1 answer; {PRESSES} Confirm presses at once -> 1 note"
        f" (the others told: {others})"
    )
