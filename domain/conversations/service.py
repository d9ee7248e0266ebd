"""Conversation threads: who owns each, what each turn cost, and pruning old checkpoints.

Thread keys are built here, on the server, from (channel, organization, chat); a caller-supplied
thread id only ever names a chat inside the caller's own organization, and a thread is used only by
the person who started it. LangGraph's checkpoint tables derive their ``organization_id`` from this
key (``migrations/checkpoints.py``) and are under RLS like every tenant table: the checkpointer acts
only inside ``checkpoints_of(tenant)``.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domain.actions.models import PendingAction
from domain.conversations.checkpoint_scope import checkpoints_of
from domain.conversations.models import CopilotThread, CopilotTurn
from domain.db import unit_of_work
from domain.errors import Forbidden, Invalid
from domain.orgs.models import Organization
from domain.tenancy import TenantContext

MAX_CHAT_ID = 120
DEFAULT_RETENTION = timedelta(days=30)
# How stale ``last_used_at`` may get: updating it takes the thread's row lock until the caller commits,
# so it is refreshed at most this often (against a retention of days), not on every turn.
TOUCH_EVERY = timedelta(hours=1)
# The first key of pg_advisory_xact_lock(int, int): a proposed change handed from one turn to the next.
HANDOFF_LOCK_NAMESPACE = 0x16C1
# A message sent after another that is still unanswered waits for that one's turn: polled this often,
# for at most this long (a turn takes tens of milliseconds; a lost message must not hold the next one).
# The interval doubles up to the longest, so an id that never comes costs a few dozen short polls.
AFTER_POLL_SECONDS = 0.01
AFTER_POLL_LONGEST_SECONDS = 0.2
AFTER_WAIT_SECONDS = 5.0


def thread_key(tenant: TenantContext, *, channel: str, chat: str) -> str:
    if not chat or len(chat) > MAX_CHAT_ID or any(c.isspace() for c in chat):
        raise Invalid("A thread id is 1-120 characters without spaces.", details={"field": "thread"})
    return f"{channel}:{tenant.org_id}:{chat}"


@dataclass(frozen=True)
class OpenThread:
    thread: CopilotThread
    # Read in the same statement as the thread: every turn needs the organization's locale and names
    # version, and one round trip fewer is paid on every message.
    organization: Organization


async def open_thread(
    session: AsyncSession, tenant: TenantContext, *, channel: str, chat: str, now: datetime
) -> OpenThread:
    """The caller's thread for this chat, created on first use; refused if it is someone else's.

    No row lock for a thread in use: the turns of one conversation are kept apart by the checkpointer's
    turn (``copilot.checkpoints``), and a lock taken here would last until the caller commits, holding
    the next message back for the whole turn. Only a thread idle for ``TOUCH_EVERY`` (or pruned) is
    marked used again, which also makes the pruning job skip it or wait for it."""
    if tenant.user_id is None:
        raise Forbidden("The copilot talks to people: sign in first.")
    key = thread_key(tenant, channel=channel, chat=chat)
    by_key = (
        select(CopilotThread, Organization)
        .join(Organization, Organization.id == CopilotThread.organization_id)
        .where(CopilotThread.thread_key == key)
        # As the database has them now, not as this session last saw them: a trigger bumps the names
        # version (a name added or renamed), which an Organization already in the session would not show,
        # and the turn would plan with the names it knew before.
        .execution_options(populate_existing=True)
    )
    found = (await session.execute(by_key)).one_or_none()
    if found is None:
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
        found = (await session.execute(by_key)).one()
    thread, organization = found
    if thread.user_id != tenant.user_id:
        raise Forbidden("That conversation belongs to someone else.")
    if thread.pruned_at is not None or thread.last_used_at < now - TOUCH_EVERY:
        thread.last_used_at, thread.pruned_at = now, None
        await session.flush()
    return OpenThread(thread, organization)


async def hold_for_commit(session: AsyncSession, tenant: TenantContext, key: str) -> None:
    """Hold the conversation ``key`` until the caller's transaction ends.

    A turn that proposes a change (or finds one waiting) holds it, so the next turn, which may confirm
    that change, waits until the action is committed and visible instead of finding none. Turns that
    only read never take it. Transaction-scoped, so it suits a transaction-pooling PgBouncer."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(:namespace, hashtext(:key))"),
        {"namespace": HANDOFF_LOCK_NAMESPACE, "key": f"{tenant.org_id}/{key}"},
    )


async def thread_of_action(session: AsyncSession, tenant: TenantContext, action_id: uuid.UUID) -> str | None:
    """The conversation an action was proposed in (read without a lock: it never changes)."""
    return await session.scalar(select(PendingAction.thread_key).where(PendingAction.id == action_id))


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
    client_message_id: uuid.UUID | None = None,
    file_id: uuid.UUID | None = None,
) -> None:
    assert tenant.user_id is not None
    # One INSERT, not the ORM's unit of work: nothing reads the turn back (it is the conversation's
    # history, listed later), and a turn's bookkeeping is paid on every message.
    await session.execute(
        insert(CopilotTurn).values(
            # The moment it is recorded, not the transaction's start: a conversation's turns are listed in
            # the order they ran, though their transactions may have begun in another order.
            created_at=func.clock_timestamp(),
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
            client_message_id=client_message_id,
            file_id=file_id,
        )
    )


async def wait_for_message(
    session: AsyncSession, tenant: TenantContext, thread_key: str, message_id: uuid.UUID
) -> bool:
    """Wait until the turn answering the client's message ``message_id`` in this conversation is
    committed (a message sent right after it must not overtake it), for at most ``AFTER_WAIT_SECONDS``:
    a message that never arrived, or failed, holds nobody back for longer. True once it is recorded.

    Each poll is a short transaction of its own on the session's engine, so it sees turns committed
    meanwhile and the waiting holds none of the pool's connections: they are shared by every person of
    every school, and a client naming ids that never come must not take them for seconds (review of issue
    16). So call it before anything else used ``session`` (which then has no connection yet). It runs
    before the conversation's lock is taken, so the turn waited for can take it."""
    recorded = (
        select(CopilotTurn.id)
        .where(
            CopilotTurn.thread_key == thread_key,
            CopilotTurn.client_message_id == message_id,
            CopilotTurn.user_id == tenant.user_id,
        )
        .limit(1)
    )
    engine = session.bind if isinstance(session.bind, AsyncEngine) else None
    polls = async_sessionmaker(engine, expire_on_commit=False) if engine is not None else None

    async def is_recorded() -> bool:
        if polls is None:  # a session bound to one connection (tests): there is no pool to spare
            return await session.scalar(recorded) is not None
        async with unit_of_work(polls, tenant) as poll:
            return await poll.scalar(recorded) is not None

    # The turn waited for may run in another worker process: polled, no in-process Event can tell. A
    # deadline rather than a cancellation: a poll is never cut off halfway through its transaction.
    clock = asyncio.get_running_loop().time
    deadline, interval = clock() + AFTER_WAIT_SECONDS, AFTER_POLL_SECONDS
    while not await is_recorded():
        left = deadline - clock()
        if left <= 0:
            return False
        await asyncio.sleep(min(interval, left))
        interval = min(interval * 2, AFTER_POLL_LONGEST_SECONDS)
    return True


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
