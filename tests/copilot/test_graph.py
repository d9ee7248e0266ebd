"""The copilot graph with the offline planner: reads answer, writes wait for a person, once."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from channels import jobs
from channels.embedded import DatabaseUrls, libpq_url
from copilot.checkpoints import TenantSaver
from copilot.service import Copilot
from domain.actions.models import ActionStatus, PendingAction
from domain.conversations.checkpoint_scope import checkpoints_of
from domain.conversations.models import CopilotTurn
from domain.conversations.service import thread_key
from domain.db import use_tenant
from domain.errors import Forbidden
from tests.copilot.helpers import NOW, TODAY, ask, marks, studio_with_class


async def test_a_read_question_is_answered_from_the_tool(
    session: AsyncSession, checkpointer: AsyncPostgresSaver
) -> None:
    studio = await studio_with_class(session)
    copilot = Copilot(checkpointer)
    chat = str(uuid.uuid4())
    result = await ask(copilot, session, studio.teacher, "who is in salsa beginners?", chat)
    assert result.tool_calls == [{"name": "group_roster", "args": {"group": "Salsa Beginners"}}]
    assert result.answer.startswith("Salsa Beginners on 2026-11-24: 3 students")
    assert result.pending_action is None
    follow = await ask(copilot, session, studio.teacher, "and on 2026-08-01?", chat)
    assert follow.tool_calls == [
        {"name": "group_roster", "args": {"group": "Salsa Beginners", "on": "2026-08-01"}}
    ]
    assert follow.answer.startswith("Salsa Beginners on 2026-08-01: 0 students")
    turns = await session.scalar(select(func.count()).select_from(CopilotTurn))
    assert turns == 2


async def test_a_write_waits_for_confirmation_and_runs_exactly_once(
    session: AsyncSession, checkpointer: AsyncPostgresSaver, database_urls: DatabaseUrls
) -> None:
    studio = await studio_with_class(session)
    copilot = Copilot(checkpointer)
    chat = str(uuid.uuid4())
    proposed = await ask(
        copilot, session, studio.teacher, "mark salsa beginners all present except jose", chat
    )
    assert proposed.pending_action is not None
    assert proposed.pending_action["preview"] == (
        "Mark attendance for Salsa Beginners on 2026-11-24: 2 present, absent: José Martínez."
    )
    assert await marks(session) == 0  # the interrupt wrote nothing

    done = await ask(copilot, session, studio.teacher, "yes", chat)
    assert done.outcome == "confirmed" and await marks(session) == 3
    action_id = uuid.UUID(proposed.pending_action["id"])
    again = await copilot.confirm(session, studio.teacher, action_id, today=TODAY, now=NOW)
    assert again.answer.startswith("Already done earlier") and await marks(session) == 3

    async with TenantSaver.from_conn_string(libpq_url(database_urls.app)) as fresh:  # a restart
        restarted = Copilot(fresh)
        after_restart = await restarted.confirm(session, studio.teacher, action_id, today=TODAY, now=NOW)
    assert after_restart.answer.startswith("Already done earlier") and await marks(session) == 3
    with pytest.raises(Forbidden):
        await use_tenant(session, studio.admin)
        await copilot.confirm(session, studio.admin, action_id, today=TODAY, now=NOW)
    assert await marks(session) == 3


async def test_confirming_after_a_restart_applies_the_action_once(
    session: AsyncSession, checkpointer: AsyncPostgresSaver, database_urls: DatabaseUrls
) -> None:
    studio = await studio_with_class(session)
    chat = str(uuid.uuid4())
    proposed = await ask(
        Copilot(checkpointer), session, studio.teacher, "everyone came to salsa beginners", chat
    )
    assert proposed.pending_action is not None and await marks(session) == 0
    async with TenantSaver.from_conn_string(libpq_url(database_urls.app)) as fresh:
        restarted = Copilot(fresh)
        result = await restarted.confirm(
            session, studio.teacher, uuid.UUID(proposed.pending_action["id"]), today=TODAY, now=NOW
        )
    assert result.outcome == "confirmed" and await marks(session) == 3


async def test_expired_and_cancelled_actions_change_nothing(
    session: AsyncSession, checkpointer: AsyncPostgresSaver
) -> None:
    studio = await studio_with_class(session)
    copilot = Copilot(checkpointer)
    first = await ask(copilot, session, studio.teacher, "everyone came to salsa beginners", str(uuid.uuid4()))
    assert first.pending_action is not None
    late = NOW + timedelta(minutes=16)
    expired = await copilot.confirm(
        session, studio.teacher, uuid.UUID(first.pending_action["id"]), today=TODAY, now=late
    )
    assert expired.answer.startswith("This action expired") and await marks(session) == 0
    action = await session.get(PendingAction, uuid.UUID(first.pending_action["id"]))
    assert action is not None and action.status is ActionStatus.EXPIRED

    chat = str(uuid.uuid4())
    second = await ask(copilot, session, studio.teacher, "everyone came to salsa beginners", chat)
    assert second.pending_action is not None
    cancelled = await ask(copilot, session, studio.teacher, "no", chat)
    assert cancelled.answer == "Cancelled; nothing was changed." and await marks(session) == 0
    control = await ask(copilot, session, studio.teacher, "everyone came to salsa beginners", chat)
    assert control.pending_action is not None
    await ask(copilot, session, studio.teacher, "yes", chat)
    assert await marks(session) == 3  # the same request, confirmed, does write


async def test_a_thread_belongs_to_the_person_who_started_it(
    session: AsyncSession, checkpointer: AsyncPostgresSaver
) -> None:
    studio = await studio_with_class(session)
    copilot = Copilot(checkpointer)
    chat = str(uuid.uuid4())
    mine = await ask(copilot, session, studio.teacher, "who is in salsa beginners?", chat)
    assert mine.outcome == "answered"
    with pytest.raises(Forbidden):
        await ask(copilot, session, studio.staff, "and on 2026-08-01?", chat)


async def test_old_conversations_are_pruned_and_recent_ones_kept(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession], checkpointer: AsyncPostgresSaver
) -> None:
    studio = await studio_with_class(session)
    copilot = Copilot(checkpointer)
    old_chat, new_chat = str(uuid.uuid4()), str(uuid.uuid4())
    await ask(
        copilot, session, studio.teacher, "who is in salsa beginners?", old_chat, now=NOW - timedelta(days=40)
    )
    await ask(copilot, session, studio.teacher, "who is in salsa beginners?", new_chat)
    await session.commit()  # releases the savepoint: the job's own transactions see the threads
    results = await jobs.prune_conversations(
        sessions, checkpointer=checkpointer, retention=timedelta(days=30), now=NOW
    )
    assert sum(r.count for r in results) == 1
    old_key = thread_key(studio.teacher, channel="test", chat=old_chat)
    new_key = thread_key(studio.teacher, channel="test", chat=new_chat)
    with checkpoints_of(studio.teacher):  # the checkpointer reads under RLS, as the organization
        assert await checkpointer.aget_tuple({"configurable": {"thread_id": old_key}}) is None
        assert await checkpointer.aget_tuple({"configurable": {"thread_id": new_key}}) is not None
    again = await jobs.prune_conversations(
        sessions, checkpointer=checkpointer, retention=timedelta(days=30), now=NOW
    )
    assert sum(r.count for r in again) == 0  # idempotent
