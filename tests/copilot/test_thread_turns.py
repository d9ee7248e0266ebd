"""Turns of one conversation: kept apart only where they conflict, answered in the order they came.

Real concurrent transactions, so these run on their own committed database (the usual fixture runs a
whole test inside one rolled-back transaction on one connection). Each waiting is observed in
``pg_stat_activity`` rather than timed; ``GUARD`` only stops a test that would otherwise hang forever.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from psycopg.errors import InsufficientPrivilege
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from channels.embedded import DatabaseUrls, libpq_url
from copilot.checkpoints import APPLICATION_NAME, TenantSaver
from copilot.service import Copilot, TurnResult
from domain.attendance.models import AttendanceRecord
from domain.conversations import service as conversations
from domain.conversations.checkpoint_scope import checkpoints_of
from domain.db import create_engine, session_factory, unit_of_work
from domain.tenancy import Role, TenantContext
from tests.committed import committed_database
from tests.copilot.helpers import NOW, TODAY, add_class_tonight
from tests.copilot.test_checkpoints import config, said
from tests.domain.studio import build_studio

GUARD = 60.0  # seconds before a test that hangs (a lock never released) fails instead


@dataclass
class World:
    urls: DatabaseUrls
    admin: TenantContext
    teacher: TenantContext


@pytest.fixture(scope="module")
def world(database_urls: DatabaseUrls) -> Iterator[World]:
    urls = committed_database("cadence_thread_turns_test")

    async def seed() -> World:
        engine = create_engine(urls.app)
        try:
            async with session_factory(engine)() as session:
                studio = await build_studio(session)
                await add_class_tonight(session, studio)
                await session.commit()
                return World(urls, studio.admin, studio.teacher)
        finally:
            await engine.dispose()

    yield asyncio.run(seed())


@dataclass
class Running:
    copilot: Copilot
    sessions: async_sessionmaker[AsyncSession]
    engine: AsyncEngine


@asynccontextmanager
async def running(world: World) -> AsyncIterator[Running]:
    """The copilot as a server runs it: its own engine, and the checkpointer on a pool."""
    engine = create_engine(world.urls.app)
    try:
        async with TenantSaver.pooled(libpq_url(world.urls.app), max_size=6) as saver:
            yield Running(Copilot(saver), session_factory(engine), engine)
    finally:
        await engine.dispose()


async def say(run: Running, tenant: TenantContext, words: str, chat: str) -> TurnResult:
    """One message, in its own committed transaction, as a channel sends it."""
    async with unit_of_work(run.sessions, tenant) as session:
        return await run.copilot.ask(session, tenant, words, channel="test", chat=chat, today=TODAY, now=NOW)


async def marks(run: Running, tenant: TenantContext) -> int:
    async with unit_of_work(run.sessions, tenant) as session:
        return int(await session.scalar(select(func.count()).select_from(AttendanceRecord)) or 0)


async def until_a_backend_waits_on(engine: AsyncEngine, lock: str, task: asyncio.Task[Any]) -> bool:
    """True once some connection of this database waits on a ``lock`` (pg_stat_activity's wait_event:
    'advisory', 'transactionid', …); False if ``task`` finished first, without waiting."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND wait_event = :lock"
    )
    async with asyncio.timeout(GUARD):
        while not task.done():
            async with engine.connect() as conn:
                if await conn.scalar(query, {"lock": lock}):
                    return True
            await asyncio.sleep(0.02)
    return False


async def test_the_next_message_does_not_wait_for_the_previous_turn_to_commit(world: World) -> None:
    async with running(world) as run:
        chat = str(uuid.uuid4())
        # A conversation already under way (a brand-new one's second message waits for the first to
        # commit the thread's row: that is the one place the row is written).
        await say(run, world.teacher, "who is in bachata improvers?", chat)
        async with unit_of_work(run.sessions, world.teacher) as first:
            answered = await run.copilot.ask(
                first,
                world.teacher,
                "who is in salsa beginners?",
                channel="test",
                chat=chat,
                today=TODAY,
                now=NOW,
            )
            assert answered.outcome == "answered"
            # The first turn's caller has not committed yet; the follow-up is answered meanwhile, and
            # from the conversation as the first turn left it.
            follow = await asyncio.wait_for(say(run, world.teacher, "and on 2026-08-01?", chat), GUARD)
        assert follow.tool_calls == [
            {"name": "group_roster", "args": {"group": "Salsa Beginners", "on": "2026-08-01"}}
        ]


async def test_a_proposed_change_is_confirmed_by_the_next_message_once_it_is_committed(world: World) -> None:
    async with running(world) as run:
        chat, before = str(uuid.uuid4()), await marks(run, world.teacher)
        await say(run, world.teacher, "who is in salsa beginners?", chat)  # a conversation under way
        async with unit_of_work(run.sessions, world.teacher) as first:
            proposed = await run.copilot.ask(
                first,
                world.teacher,
                "everyone came to salsa beginners",
                channel="test",
                chat=chat,
                today=TODAY,
                now=NOW,
            )
            assert proposed.pending_action is not None
            yes = asyncio.create_task(say(run, world.teacher, "yes", chat))
            # "yes" waits for the proposal to be committed (it would find no such action otherwise) …
            assert await until_a_backend_waits_on(run.engine, "advisory", yes), yes.result()
        done = await asyncio.wait_for(yes, GUARD)  # … and confirms it once it is
        assert done.outcome == "confirmed", done.answer
        assert await marks(run, world.teacher) == before + 3


async def test_four_messages_sent_at_once_get_four_answers_in_order(world: World) -> None:
    questions = [
        "who is in salsa beginners?",
        "and on 2026-08-01?",
        "how is Ana García doing?",
        "who is in bachata improvers?",
    ]
    async with running(world) as run:
        one_by_one = str(uuid.uuid4())
        expected = [(await say(run, world.admin, q, one_by_one)).answer for q in questions]
        at_once = str(uuid.uuid4())
        results = await asyncio.wait_for(
            asyncio.gather(*(say(run, world.admin, q, at_once) for q in questions)), GUARD
        )
        # Each answered as if sent one after the other, in the order they were sent: the follow-up
        # ("and on …?") read the conversation the first message left.
        assert [r.answer for r in results] == expected
        key = conversations.thread_key(world.admin, channel="test", chat=at_once)
        async with unit_of_work(run.sessions, world.admin) as session:
            turns = await conversations.history(session, world.admin, key)
        assert [(t.said, t.answer) for t in turns] == list(zip(questions, expected, strict=True))
        with checkpoints_of(world.admin):  # no turn's state overwrote another's: all four remembered
            state = await run.copilot.graph.aget_state({"configurable": {"thread_id": key}})
        remembered = [m["content"] for m in state.values["memory"]["history"] if m["role"] == "user"]
        assert remembered[-4:] == questions


async def test_a_turn_writes_its_conversation_once(world: World) -> None:
    async with running(world) as run:
        chat = str(uuid.uuid4())
        key = conversations.thread_key(world.admin, channel="test", chat=chat)
        stored = []
        for question in ("who is in salsa beginners?", "and on 2026-08-01?"):
            await say(run, world.admin, question, chat)
            stored.append(await checkpoints_stored(world, key))
        assert stored == [1, 2]  # one checkpoint per turn (LangGraph's default wrote one per step)


async def checkpoints_stored(world: World, thread: str) -> int:
    engine = create_engine(world.urls.owner)  # the owner reads past RLS: what is really stored
    try:
        async with engine.connect() as conn:
            query = text("SELECT count(*) FROM checkpoints WHERE thread_id = :t")
            return int(await conn.scalar(query, {"t": thread}) or 0)
    finally:
        await engine.dispose()


def org() -> TenantContext:
    return TenantContext(org_id=uuid.uuid4(), role=Role.ADMIN)


async def test_one_conversation_takes_turns_across_processes_and_others_run_alongside(world: World) -> None:
    a = org()
    mine, other = (conversations.thread_key(a, channel="web", chat=c) for c in ("c1", "c2"))
    async with (
        TenantSaver.pooled(libpq_url(world.urls.app), max_size=2) as here,
        TenantSaver.pooled(libpq_url(world.urls.app), max_size=2) as elsewhere,  # another process
    ):
        engine = create_engine(world.urls.app)

        async def turn(saver: TenantSaver, thread: str, words: str) -> None:
            with checkpoints_of(a):
                async with saver.thread_turn(thread):
                    await saver.aput(
                        config(thread), said(words), {"source": "input", "step": 0}, {"pending": "1"}
                    )

        try:
            with checkpoints_of(a):
                async with here.thread_turn(mine):
                    # Another conversation's turn runs to the end while this one is open …
                    await asyncio.wait_for(turn(elsewhere, other, "Luis paid 50 EUR"), GUARD)
                    # … the same conversation's waits for this one, even from another process.
                    same = asyncio.create_task(turn(elsewhere, mine, "second"))
                    assert await until_a_backend_waits_on(engine, "advisory", same), same.result()
                    assert not same.done()
                await asyncio.wait_for(same, GUARD)
                latest = await here.aget_tuple(config(mine))
            assert latest is not None and latest.checkpoint["channel_values"]["pending"] == {
                "preview": "second"
            }
        finally:
            await engine.dispose()


async def test_a_turn_reads_and_writes_only_its_callers_organization(world: World) -> None:
    a, b = org(), org()
    thread = conversations.thread_key(a, channel="web", chat="c1")
    async with TenantSaver.pooled(libpq_url(world.urls.app), max_size=2) as saver:
        with checkpoints_of(a):
            async with saver.thread_turn(thread):
                await saver.aput(
                    config(thread), said("Ana paid 40 EUR"), {"source": "input", "step": 0}, {"pending": "1"}
                )
        with checkpoints_of(b):  # B names A's thread: it sees nothing and cannot write into it
            async with saver.thread_turn(thread):
                assert await saver.aget_tuple(config(thread)) is None
            with pytest.raises(InsufficientPrivilege):
                async with saver.thread_turn(thread):
                    await saver.aput(
                        config(thread), said("forged"), {"source": "input", "step": 1}, {"pending": "2"}
                    )
        with checkpoints_of(a), pytest.raises(RuntimeError, match="another organization"):
            async with saver.thread_turn(thread):
                with checkpoints_of(b):  # a turn's transaction keeps the tenant it began with
                    await saver.aget_tuple(config(thread))
        with checkpoints_of(a):  # positive control: A reads its own, unchanged
            async with saver.thread_turn(thread):
                mine = await saver.aget_tuple(config(thread))
        assert mine is not None and mine.checkpoint["channel_values"]["pending"] == {
            "preview": "Ana paid 40 EUR"
        }


async def test_a_turn_that_fails_leaves_no_checkpoint(world: World) -> None:
    a = org()
    thread = conversations.thread_key(a, channel="web", chat="c1")
    async with TenantSaver.pooled(libpq_url(world.urls.app), max_size=1) as saver:
        with checkpoints_of(a):
            with pytest.raises(ZeroDivisionError):
                async with saver.thread_turn(thread):
                    await saver.aput(
                        config(thread), said("half"), {"source": "input", "step": 0}, {"pending": "1"}
                    )
                    _ = 1 / 0
            assert await saver.aget_tuple(config(thread)) is None  # rolled back with the turn
            async with saver.thread_turn(thread):  # control: a turn that ends well keeps its write
                await saver.aput(
                    config(thread), said("whole"), {"source": "input", "step": 0}, {"pending": "1"}
                )
            assert await saver.aget_tuple(config(thread)) is not None
        assert isinstance(saver.conn, AsyncConnectionPool)
        async with saver.conn.connection() as conn:  # the pool's one connection, back from both turns
            row = await (
                await conn.execute(
                    "SELECT current_setting('app.org_id', true) AS tenant, "
                    "current_setting('application_name') AS name"
                )
            ).fetchone()
        assert row is not None and row["tenant"] in ("", None)  # no tenant left behind, nor a transaction
        assert row["name"] == APPLICATION_NAME


async def test_a_message_that_names_the_one_before_it_waits_for_it_even_when_it_arrives_first(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two requests of one person on two worker processes may reach the conversation in either order;
    the client's ``after`` keeps the order sent. The follow-up ("and on …?") arrives first here."""

    async def send(
        run: Running, words: str, chat: str, *, message_id: uuid.UUID, after: uuid.UUID | None = None
    ) -> TurnResult:
        async with unit_of_work(run.sessions, world.admin) as session:
            return await run.copilot.ask(
                session,
                world.admin,
                words,
                channel="test",
                chat=chat,
                today=TODAY,
                now=NOW,
                message_id=message_id,
                after=after,
            )

    async with running(world) as run:
        chat, first, second = str(uuid.uuid4()), uuid.uuid4(), uuid.uuid4()
        follow_up = asyncio.create_task(send(run, "and on 2026-08-01?", chat, message_id=second, after=first))
        await asyncio.sleep(0.2)  # the follow-up is in, polling for the first one's turn
        assert not follow_up.done()
        asked = await asyncio.wait_for(send(run, "who is in salsa beginners?", chat, message_id=first), GUARD)
        followed = await asyncio.wait_for(follow_up, GUARD)
        assert asked.outcome == followed.outcome == "answered"
        # read from the conversation the first message left: the same group, on the day asked
        assert followed.tool_calls == [
            {"name": "group_roster", "args": {"group": "Salsa Beginners", "on": "2026-08-01"}}
        ]
        key = conversations.thread_key(world.admin, channel="test", chat=chat)
        async with unit_of_work(run.sessions, world.admin) as session:
            turns = await conversations.history(session, world.admin, key)
        assert [t.said for t in turns] == ["who is in salsa beginners?", "and on 2026-08-01?"]
        assert [t.client_message_id for t in turns] == [first, second]

        # The control: without ``after``, the message that arrives first goes first.
        other = str(uuid.uuid4())
        alone = await send(run, "and on 2026-08-01?", other, message_id=uuid.uuid4())
        assert alone.tool_calls != followed.tool_calls

        # A message named as ``after`` that never comes holds the next one back no longer than the wait.
        monkeypatch.setattr(conversations, "AFTER_WAIT_SECONDS", 0.3)
        lost = await asyncio.wait_for(
            send(run, "who is in bachata improvers?", other, message_id=uuid.uuid4(), after=uuid.uuid4()),
            GUARD,
        )
        assert lost.outcome == "answered"
