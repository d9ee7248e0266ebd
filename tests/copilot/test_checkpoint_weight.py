"""A conversation's checkpoint keeps what the next turn needs, not the last answer (issue 16).

The web chat reuses one conversation turn after turn; had the checkpoint kept each answer's data (a
whole school's unpaid list), every later turn would read, copy and write it back again. The answer and
its data are returned by the run that made them, and a proposal confirmed later — even by a restarted
process — answers from the run that applies it.
"""

from __future__ import annotations

import uuid

from langchain_core.runnables import RunnableConfig
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from channels.embedded import DatabaseUrls, libpq_url
from copilot.checkpoints import TenantSaver
from copilot.service import INTERRUPT, Copilot
from domain.conversations.checkpoint_scope import checkpoints_of
from domain.db import create_engine
from domain.tenancy import TenantContext
from tests.copilot.helpers import NOW, TODAY, ask, marks, studio_with_class

STORED_CHANNELS = text("SELECT DISTINCT channel FROM checkpoint_blobs WHERE thread_id = :t")


def latest(thread: str) -> RunnableConfig:
    return {"configurable": {"thread_id": thread, "checkpoint_ns": ""}}


async def kept(saver: TenantSaver, tenant: TenantContext, thread: str) -> dict[str, object]:
    with checkpoints_of(tenant):
        found = await saver.aget_tuple(latest(thread))
    assert found is not None
    return dict(found.checkpoint["channel_values"])


async def stored_channels(owner_url: str, thread: str) -> set[str]:
    """Every channel ever written for ``thread``, read as the owner (who bypasses RLS)."""
    engine = create_engine(owner_url)
    try:
        async with engine.connect() as conn:
            return set(await conn.scalars(STORED_CHANNELS, {"t": thread}))
    finally:
        await engine.dispose()


async def test_a_read_turn_answers_with_its_data_but_keeps_only_the_conversation(
    session: AsyncSession, checkpointer: TenantSaver, database_urls: DatabaseUrls
) -> None:
    studio = await studio_with_class(session)
    copilot, chat = Copilot(checkpointer), str(uuid.uuid4())
    first = await ask(copilot, session, studio.teacher, "who is in salsa beginners?", chat)
    assert first.outcome == "answered" and first.answer.startswith("Salsa Beginners")
    assert first.data  # the roster itself, returned to the channel
    values = await kept(checkpointer, studio.teacher, first.thread)
    assert "memory" in values and values.get("decision")  # what the next turn reads
    assert "data" not in values and "answer" not in values
    # The conversation still goes on from what it kept: the follow-up repeats the last call.
    follow = await ask(copilot, session, studio.teacher, "and on 2026-08-01?", chat)
    assert follow.answer.startswith("Salsa Beginners on 2026-08-01")
    assert follow.data is not None
    stored = await stored_channels(database_urls.owner, first.thread)
    assert "memory" in stored  # positive control: the blobs of this thread are the ones looked at
    assert not {"data", "answer"} & stored


async def test_a_proposal_confirmed_after_a_restart_answers_from_the_run_that_applies_it(
    session: AsyncSession, checkpointer: TenantSaver, database_urls: DatabaseUrls
) -> None:
    studio = await studio_with_class(session)
    chat = str(uuid.uuid4())
    proposed = await ask(
        Copilot(checkpointer), session, studio.teacher, "everyone came to salsa beginners", chat
    )
    assert proposed.pending_action is not None and proposed.answer
    values = await kept(checkpointer, studio.teacher, proposed.thread)
    assert values.get("pending") and "data" not in values and "answer" not in values
    with checkpoints_of(studio.teacher):  # what a turn reads to know the thread waits: LangGraph's view
        snapshot = await Copilot(checkpointer).graph.aget_state(latest(proposed.thread))
        waiting = await Copilot(checkpointer)._waiting_on(latest(proposed.thread))
    assert (
        snapshot.interrupts and snapshot.values["pending"]["id"] == proposed.pending_action["id"] == waiting
    )
    async with TenantSaver.from_conn_string(libpq_url(database_urls.app)) as fresh:  # a restart
        done = await ask(Copilot(fresh), session, studio.teacher, "yes", chat)
    assert done.outcome == "confirmed" and done.answer and done.data is not None
    assert done.tool_calls  # the proposal's call, kept across the interrupt
    assert await marks(session) == 3
    again = await Copilot(checkpointer).confirm(
        session, studio.teacher, uuid.UUID(proposed.pending_action["id"]), today=TODAY, now=NOW
    )
    assert again.answer.startswith("Already done earlier") and await marks(session) == 3
    with checkpoints_of(studio.teacher):  # answered: waiting on nothing, in LangGraph's view and ours
        snapshot = await Copilot(checkpointer).graph.aget_state(latest(proposed.thread))
    assert (
        not snapshot.interrupts and await Copilot(checkpointer)._waiting_on(latest(proposed.thread)) is None
    )


def test_the_interrupt_channel_is_langgraphs() -> None:
    from langgraph._internal._constants import INTERRUPT as LIBRARY_INTERRUPT

    assert INTERRUPT == LIBRARY_INTERRUPT
