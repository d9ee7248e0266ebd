"""The checkpointer under row-level security: a conversation is reachable only by its own organization.

The saver runs as the app role on its own connection. Each "cannot" is paired with the rightful
organization's "can", so an empty answer cannot pass for isolation.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import Checkpoint, empty_checkpoint
from psycopg import AsyncConnection
from psycopg.errors import InsufficientPrivilege
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from channels import jobs
from channels.embedded import DatabaseUrls, libpq_url
from copilot.checkpoints import TenantSaver
from copilot.service import Copilot
from domain.conversations.checkpoint_scope import checkpoints_of
from domain.conversations.service import thread_key
from domain.db import create_engine
from domain.tenancy import Role, TenantContext
from tests.copilot.helpers import NOW, ask, studio_with_class


def org() -> TenantContext:
    return TenantContext(org_id=uuid.uuid4(), role=Role.ADMIN)


def config(thread: str, checkpoint_id: str | None = None) -> RunnableConfig:
    configurable: dict[str, Any] = {"thread_id": thread, "checkpoint_ns": ""}
    if checkpoint_id:
        configurable["checkpoint_id"] = checkpoint_id
    return {"configurable": configurable}


def said(words: str) -> Checkpoint:
    checkpoint = empty_checkpoint()
    checkpoint["channel_values"] = {"pending": {"preview": words}}  # not a primitive: stored as a blob
    checkpoint["channel_versions"] = {"pending": "1"}
    return checkpoint


async def save(saver: TenantSaver, thread: str, words: str) -> RunnableConfig:
    """A checkpoint (a blob with the words) and one pending write, as a graph run would leave them."""
    saved = await saver.aput(config(thread), said(words), {"source": "input", "step": 0}, {"pending": "1"})
    await saver.aput_writes(saved, [("utterance", words)], task_id="task-1")
    return saved


STORED = text(
    "SELECT (SELECT count(*) FROM checkpoints WHERE thread_id = :t) AS checkpoints,"
    " (SELECT count(*) FROM checkpoint_blobs WHERE thread_id = :t) AS checkpoint_blobs,"
    " (SELECT count(*) FROM checkpoint_writes WHERE thread_id = :t) AS checkpoint_writes"
)


async def rows_of(owner_url: str, thread: str) -> dict[str, int]:
    """What is really stored for ``thread``, read as the owner (who bypasses RLS)."""
    engine = create_engine(owner_url)
    try:
        async with engine.connect() as conn:
            return dict((await conn.execute(STORED, {"t": thread})).one()._mapping)
    finally:
        await engine.dispose()


@pytest.fixture
async def two_orgs(checkpointer: TenantSaver) -> AsyncIterator[tuple[TenantContext, TenantContext, str]]:
    """Organizations A and B; A has a conversation mentioning a payment."""
    a, b = org(), org()
    thread = thread_key(a, channel="web", chat="c1")
    with checkpoints_of(a):
        await save(checkpointer, thread, "Ana paid 40 EUR")
    yield a, b, thread


async def test_another_organization_cannot_read_a_conversation_even_by_its_thread_id(
    checkpointer: TenantSaver, two_orgs: tuple[TenantContext, TenantContext, str]
) -> None:
    a, b, thread = two_orgs
    with checkpoints_of(b):
        assert await checkpointer.aget_tuple(config(thread)) is None
        assert [t async for t in checkpointer.alist(config(thread))] == []
        everything_b_sees = [t.config["configurable"]["thread_id"] async for t in checkpointer.alist(None)]
        assert thread not in everything_b_sees
    assert await checkpointer.aget_tuple(config(thread)) is None  # no tenant: nothing
    with checkpoints_of(a):  # positive control: its own organization reads it whole
        mine = await checkpointer.aget_tuple(config(thread))
        assert mine is not None
        assert mine.checkpoint["channel_values"]["pending"] == {"preview": "Ana paid 40 EUR"}
        assert [w[1:] for w in mine.pending_writes or []] == [("utterance", "Ana paid 40 EUR")]


async def test_another_organization_cannot_write_or_delete_a_conversation(
    checkpointer: TenantSaver,
    two_orgs: tuple[TenantContext, TenantContext, str],
    database_urls: DatabaseUrls,
) -> None:
    a, b, thread = two_orgs
    before = await rows_of(database_urls.owner, thread)
    assert before == {"checkpoints": 1, "checkpoint_blobs": 1, "checkpoint_writes": 1}
    with checkpoints_of(b):
        with pytest.raises(InsufficientPrivilege):
            await save(checkpointer, thread, "Ana paid 4000 EUR")
        latest = config(thread, checkpoint_id=str(uuid.uuid4()))
        with pytest.raises(InsufficientPrivilege):
            await checkpointer.aput_writes(latest, [("utterance", "forged")], task_id="task-2")
        await checkpointer.adelete_thread(thread)
        await checkpointer.aprune([thread], strategy="delete")
    assert await rows_of(database_urls.owner, thread) == before
    with checkpoints_of(a):  # positive control: the owner organization writes and deletes
        await save(checkpointer, thread, "Ana paid 45 EUR")
        assert (await rows_of(database_urls.owner, thread))["checkpoints"] == 2
        await checkpointer.adelete_thread(thread)
    assert await rows_of(database_urls.owner, thread) == dict.fromkeys(before, 0)


@pytest.mark.parametrize(
    "shape",
    ["garbage", "web:{org}", "web:not-a-uuid:c1", "web::{org}:c1", "{org}:c1", "web:{upper}:c1"],
)
async def test_a_malformed_thread_id_is_refused_rather_than_stored_without_an_organization(
    checkpointer: TenantSaver, shape: str
) -> None:
    a = org()
    thread = shape.format(org=a.org_id, upper=str(a.org_id).upper())
    with checkpoints_of(a):
        with pytest.raises(InsufficientPrivilege):
            await save(checkpointer, thread, "Ana paid 40 EUR")
        assert await save(checkpointer, thread_key(a, channel="web", chat="c1"), "control")


async def test_the_saver_connection_keeps_no_tenant_between_operations(
    checkpointer: TenantSaver, two_orgs: tuple[TenantContext, TenantContext, str]
) -> None:
    a, b, thread = two_orgs

    async def setting() -> object:
        cursor = await checkpointer.conn.execute("SELECT current_setting('app.org_id', true) AS v")  # type: ignore[union-attr]
        row = await cursor.fetchone()
        return row["v"] if row else None

    with checkpoints_of(a):
        assert await checkpointer.aget_tuple(config(thread)) is not None
    assert await setting() in ("", None)
    with checkpoints_of(b), pytest.raises(InsufficientPrivilege):
        await save(checkpointer, thread, "forged")
    assert await setting() in ("", None)  # a failed operation leaves nothing behind either


async def test_two_organizations_at_once_through_a_pool_each_see_only_their_own(
    checkpointer: TenantSaver,
    two_orgs: tuple[TenantContext, TenantContext, str],
    database_urls: DatabaseUrls,
) -> None:
    a, b, thread_a = two_orgs
    thread_b = thread_key(b, channel="web", chat="c1")
    with checkpoints_of(b):
        await save(checkpointer, thread_b, "Luis paid 50 EUR")
    pool: AsyncConnectionPool[AsyncConnection[DictRow]] = AsyncConnectionPool(
        libpq_url(database_urls.app),
        min_size=2,
        max_size=2,
        open=False,
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
    )
    async with pool:
        saver = TenantSaver(pool)

        async def turn(tenant: TenantContext, own: str, other: str) -> tuple[bool, bool]:
            with checkpoints_of(tenant):  # each task carries its own caller, as concurrent requests do
                return (
                    await saver.aget_tuple(config(own)) is not None,
                    await saver.aget_tuple(config(other)) is not None,
                )

        results = await asyncio.gather(
            *(turn(a, thread_a, thread_b) if i % 2 else turn(b, thread_b, thread_a) for i in range(40))
        )
        assert results == [(True, False)] * 40  # its own thread always, the other's never
        async with pool.connection() as first, pool.connection() as second:  # both pooled connections
            for conn in (first, second):
                row = await (await conn.execute("SELECT current_setting('app.org_id', true) AS v")).fetchone()
                assert row is not None and row["v"] in ("", None)  # no tenant left on either


async def test_a_connection_inside_an_open_transaction_is_refused(
    two_orgs: tuple[TenantContext, TenantContext, str], database_urls: DatabaseUrls
) -> None:
    a, _, thread = two_orgs
    async with await AsyncConnection.connect(
        libpq_url(database_urls.app), autocommit=False, prepare_threshold=0, row_factory=dict_row
    ) as conn:
        saver = TenantSaver(conn)
        await conn.execute("SELECT 1")  # the caller's transaction is open: the tenant would outlive us
        with checkpoints_of(a), pytest.raises(RuntimeError, match="not inside a transaction"):
            await saver.aget_tuple(config(thread))
        await conn.rollback()
        with checkpoints_of(a):  # control: the same connection, between transactions, works
            assert await saver.aget_tuple(config(thread)) is not None


async def test_the_library_setup_and_keep_latest_pruning_are_refused_clearly(
    checkpointer: TenantSaver,
) -> None:
    with pytest.raises(NotImplementedError, match="owner's migrations"):
        await checkpointer.setup()
    with pytest.raises(NotImplementedError, match="strategy='delete'"):
        await checkpointer.aprune(["web:x:y"])


async def test_a_copilot_turn_stores_its_conversation_under_the_askers_organization(
    session: AsyncSession, checkpointer: TenantSaver, database_urls: DatabaseUrls
) -> None:
    studio = await studio_with_class(session)
    result = await ask(Copilot(checkpointer), session, studio.teacher, "who is in salsa beginners?", "c1")
    assert result.outcome == "answered"
    engine = create_engine(database_urls.owner)
    try:
        async with engine.connect() as conn:
            orgs = set(
                await conn.scalars(
                    text("SELECT DISTINCT organization_id FROM checkpoints WHERE thread_id = :t"),
                    {"t": result.thread},
                )
            )
    finally:
        await engine.dispose()
    assert orgs == {studio.teacher.org_id}
    with checkpoints_of(org()):
        assert await checkpointer.aget_tuple(config(result.thread)) is None
    with checkpoints_of(studio.teacher):
        assert await checkpointer.aget_tuple(config(result.thread)) is not None


async def test_pruning_reaches_every_organization_with_its_own_tenant(
    session: AsyncSession,
    sessions: async_sessionmaker[AsyncSession],
    checkpointer: TenantSaver,
    database_urls: DatabaseUrls,
) -> None:
    first, second = await studio_with_class(session), await studio_with_class(session)
    copilot = Copilot(checkpointer)
    old = NOW - timedelta(days=40)
    threads = [
        (await ask(copilot, session, studio.teacher, "who is in salsa beginners?", "old", now=old)).thread
        for studio in (first, second)
    ]
    await session.commit()  # releases the savepoint: the job's own transactions see the threads
    for t in threads:
        assert (await rows_of(database_urls.owner, t))["checkpoints"] > 0
    results = await jobs.prune_conversations(
        sessions, checkpointer=checkpointer, retention=timedelta(days=30), now=NOW
    )
    assert sum(r.count for r in results) == 2
    for t in threads:
        assert await rows_of(database_urls.owner, t) == dict.fromkeys(
            ("checkpoints", "checkpoint_blobs", "checkpoint_writes"), 0
        )
