"""A chat message's ``after`` (review of issue 16): waiting for the message sent before it costs nobody else.

A message naming an ``after`` that has not been answered yet waits up to a few seconds. That wait must not
hold one of the process's database connections: the pool is shared by every person of every school, so a
client sending messages that name ids that never come would otherwise take the whole pool for 5 s at a time.
And the wait only ever ends early on the caller's own message, never on someone else's (no way to learn from
the timing whether another person, or another school, sent a message with a given id).

Real concurrent transactions, so these run on their own committed database. ``GUARD`` only stops a test that
would otherwise hang; nothing here asserts how long anything took.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from channels.embedded import DatabaseUrls, libpq_url
from copilot.checkpoints import TenantSaver
from copilot.service import Copilot, TurnResult
from domain.conversations import service as conversations
from domain.db import create_engine, session_factory, unit_of_work
from domain.tenancy import TenantContext
from tests.committed import committed_database
from tests.copilot.helpers import NOW, TODAY
from tests.domain.studio import build_studio

GUARD = 20.0  # seconds before a test that hangs fails instead


@dataclass
class World:
    urls: DatabaseUrls
    admin: TenantContext
    teacher: TenantContext
    other_admin: TenantContext  # another school's


@pytest.fixture(scope="module")
def world(database_urls: DatabaseUrls) -> Iterator[World]:
    urls = committed_database("cadence_review16_after_test")

    async def seed() -> World:
        engine = create_engine(urls.app)
        try:
            async with session_factory(engine)() as session:
                studio = await build_studio(session)
                other = await build_studio(session)
                await session.commit()
                return World(urls, studio.admin, studio.teacher, other.admin)
        finally:
            await engine.dispose()

    yield asyncio.run(seed())


@asynccontextmanager
async def one_connection(world: World) -> AsyncIterator[tuple[Copilot, async_sessionmaker[AsyncSession]]]:
    """The copilot on an engine whose pool has a single connection (as a busy server's pool is full)."""
    engine = create_engine(world.urls.app, pool_size=1, max_overflow=0, pool_timeout=3)
    try:
        async with TenantSaver.pooled(libpq_url(world.urls.app), max_size=4) as saver:
            yield Copilot(saver), session_factory(engine)
    finally:
        await engine.dispose()


async def send(
    copilot: Copilot,
    sessions: async_sessionmaker[AsyncSession],
    tenant: TenantContext,
    words: str,
    chat: str,
    *,
    message_id: uuid.UUID,
    after: uuid.UUID | None = None,
) -> TurnResult:
    async with unit_of_work(sessions, tenant) as session:
        return await copilot.ask(
            session,
            tenant,
            words,
            channel="test",
            chat=chat,
            today=TODAY,
            now=NOW,
            message_id=message_id,
            after=after,
        )


async def test_a_message_waiting_for_the_one_before_it_holds_no_database_connection(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(conversations, "AFTER_WAIT_SECONDS", 60.0)  # far longer than the pool's timeout
    async with one_connection(world) as (copilot, sessions):
        chat, first, second = str(uuid.uuid4()), uuid.uuid4(), uuid.uuid4()
        waiting = asyncio.create_task(
            send(copilot, sessions, world.admin, "and on 2026-08-01?", chat, message_id=second, after=first)
        )
        await asyncio.sleep(0.3)  # the follow-up is in, waiting for the first one's turn
        assert not waiting.done()
        # Someone else (another school) is served meanwhile: the only connection is not the waiter's.
        async with asyncio.timeout(GUARD), unit_of_work(sessions, world.other_admin) as session:
            assert await session.scalar(select(1)) == 1
        assert not waiting.done()
        # The control: the wait still keeps the order sent — it ends once the first message is answered.
        asked = await asyncio.wait_for(
            send(copilot, sessions, world.admin, "who is in salsa beginners?", chat, message_id=first), GUARD
        )
        followed = await asyncio.wait_for(waiting, GUARD)
        assert asked.outcome == followed.outcome == "answered"
        assert followed.tool_calls == [
            {"name": "group_roster", "args": {"group": "Salsa Beginners", "on": "2026-08-01"}}
        ]


async def waited(
    sessions: async_sessionmaker[AsyncSession], tenant: TenantContext, key: str, mid: uuid.UUID
) -> bool:
    async with unit_of_work(sessions, tenant) as session:
        return await conversations.wait_for_message(session, tenant, key, mid)


async def test_after_ends_the_wait_only_on_the_callers_own_message(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(conversations, "AFTER_WAIT_SECONDS", 0.3)
    async with one_connection(world) as (copilot, sessions):
        chat, mine = str(uuid.uuid4()), uuid.uuid4()
        await send(copilot, sessions, world.admin, "who is in salsa beginners?", chat, message_id=mine)
        key = conversations.thread_key(world.admin, channel="test", chat=chat)
        assert await waited(sessions, world.admin, key, mine)  # the control: her own message is found
        assert not await waited(sessions, world.admin, key, uuid.uuid4())  # an id never sent is not
        # Another person of the school, naming her conversation and her message's id, learns nothing:
        # his wait runs out as for an id never sent.
        assert not await waited(sessions, world.teacher, key, mine)
        # Nor does another school's admin.
        assert not await waited(sessions, world.other_admin, key, mine)


async def test_a_message_naming_itself_as_after_does_not_wait(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(conversations, "AFTER_WAIT_SECONDS", 600.0)  # a wait would outlast the guard
    async with one_connection(world) as (copilot, sessions):
        mine = uuid.uuid4()
        answered = await asyncio.wait_for(
            send(
                copilot,
                sessions,
                world.admin,
                "who is in salsa beginners?",
                str(uuid.uuid4()),
                message_id=mine,
                after=mine,
            ),
            GUARD,
        )
        assert answered.outcome == "answered"
