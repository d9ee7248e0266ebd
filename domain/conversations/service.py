"""Conversation threads: who owns each, what each turn cost, and pruning old checkpoints.

Thread keys are built here, on the server, from (channel, organization, chat); a caller-supplied
thread id only ever names a chat inside the caller's own organization, and a thread is used only by
the person who started it. LangGraph's checkpoint tables derive their ``organization_id`` from this
key (``migrations/checkpoints.py``) and are under RLS like every tenant table: the checkpointer acts
only inside ``checkpoints_of(tenant)``.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.conversations.checkpoint_scope import checkpoints_of
from domain.conversations.models import CopilotThread, CopilotTurn
from domain.errors import Forbidden, Invalid
from domain.tenancy import TenantContext

MAX_CHAT_ID = 120
DEFAULT_RETENTION = timedelta(days=30)


def thread_key(tenant: TenantContext, *, channel: str, chat: str) -> str:
    if not chat or len(chat) > MAX_CHAT_ID or any(c.isspace() for c in chat):
        raise Invalid("A thread id is 1-120 characters without spaces.", details={"field": "thread"})
    return f"{channel}:{tenant.org_id}:{chat}"


async def open_thread(
    session: AsyncSession, tenant: TenantContext, *, channel: str, chat: str, now: datetime
) -> CopilotThread:
    """The caller's thread for this chat, created on first use; refused if it is someone else's."""
    if tenant.user_id is None:
        raise Forbidden("The copilot talks to people: sign in first.")
    key = thread_key(tenant, channel=channel, chat=chat)
    await session.execute(
        insert(CopilotThread)
        .values(
            organization_id=tenant.org_id,
            thread_key=key,
            user_id=tenant.user_id,
            channel=channel,
            chat=chat,
            last_used_at=now,
        )
        .on_conflict_do_nothing(index_elements=["thread_key"])
    )
    thread = (
        await session.execute(select(CopilotThread).where(CopilotThread.thread_key == key).with_for_update())
    ).scalar_one()
    if thread.user_id != tenant.user_id:
        raise Forbidden("That conversation belongs to someone else.")
    thread.last_used_at, thread.pruned_at = now, None
    await session.flush()
    return thread


async def owned_thread(session: AsyncSession, tenant: TenantContext, key: str) -> CopilotThread | None:
    thread = (
        await session.execute(select(CopilotThread).where(CopilotThread.thread_key == key))
    ).scalar_one_or_none()
    return thread if thread is not None and thread.user_id == tenant.user_id else None


async def record_turn(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    thread_key: str,
    planner: str,
    tool: str | None,
    outcome: str,
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
    llm_calls: int = 0,
    said: str | None = None,
    answer: str | None = None,
    pending_action_id: uuid.UUID | None = None,
) -> CopilotTurn:
    assert tenant.user_id is not None
    turn = CopilotTurn(
        said=said,
        answer=answer,
        pending_action_id=pending_action_id,
        organization_id=tenant.org_id,
        thread_key=thread_key,
        user_id=tenant.user_id,
        planner=planner,
        tool=tool,
        outcome=outcome,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        llm_calls=llm_calls,
    )
    session.add(turn)
    await session.flush()
    return turn


async def prune_threads(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    now: datetime,
    delete_checkpoints: Callable[[Sequence[str]], Awaitable[None]],
    retention: timedelta = DEFAULT_RETENTION,
) -> int:
    """Drop the checkpoints of threads idle longer than ``retention``; the thread rows and turns stay.

    The checkpointer deletes as ``tenant`` (its tables are under RLS), so a job prunes organization
    by organization, each with its own tenant."""
    idle = list(
        (
            await session.execute(
                select(CopilotThread)
                .where(CopilotThread.last_used_at < now - retention, CopilotThread.pruned_at.is_(None))
                .with_for_update(skip_locked=True)
            )
        ).scalars()
    )
    if idle:
        with checkpoints_of(tenant):
            await delete_checkpoints([t.thread_key for t in idle])
        for thread in idle:
            thread.pruned_at = now
        await session.flush()
    return len(idle)


async def history(
    session: AsyncSession, tenant: TenantContext, thread_key: str, *, limit: int = 50
) -> list[CopilotTurn]:
    """The last turns of the caller's own conversation, oldest first (a chat page's history)."""
    if await owned_thread(session, tenant, thread_key) is None:
        return []
    rows = await session.scalars(
        select(CopilotTurn)
        .where(CopilotTurn.thread_key == thread_key, CopilotTurn.user_id == tenant.user_id)
        .order_by(CopilotTurn.created_at.desc(), CopilotTurn.id.desc())
        .limit(limit)
    )
    return list(reversed(rows.all()))
