"""LangGraph's Postgres checkpointer, acting for one organization at a time under row-level security.

The checkpoint tables carry ``organization_id`` and tenant policies (``migrations/checkpoints.py``),
but the saver has its own connection(s), which the session's tenant hook never touches. So every
operation here runs in a transaction that starts with ``set_config('app.org_id', …, true)``, taken
from the caller's tenant (``domain.conversations.checkpoint_scope``), never from the thread id: a
thread of another organization stays invisible even when asked for by name. The setting is
transaction-local, so it ends with the transaction and a connection never carries it into the next;
with no tenant in scope it is '' and the policies match no row.

A copilot turn runs inside ``thread_turn(thread_id)``: one transaction for all of the turn's reads and
its write (with ``durability="exit"`` LangGraph writes once, when the run stops), which also holds the
thread's lock, so two turns of one conversation never read the same state and both write after it.
The lock is taken once per turn and released when the turn's checkpoint commits — not when the
caller's own transaction does. Turns of different threads run side by side on the connection pool
(``TenantSaver.pooled``); a single connection (``from_conn_string``) serves one operation at a time.

Wrap entry points that run the graph in ``checkpoints_of(tenant)`` or ``acting_for_caller``.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import functools
import uuid
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Concatenate, ParamSpec, TypeVar

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import ChannelVersions, Checkpoint, CheckpointMetadata, CheckpointTuple
from langgraph.checkpoint.postgres import _ainternal
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.checkpoint.serde.base import SerializerProtocol
from psycopg import AsyncConnection, AsyncCursor, AsyncPipeline
from psycopg import sql as pgsql
from psycopg.pq import TransactionStatus
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool
from sqlalchemy.ext.asyncio import AsyncSession

from domain.conversations.checkpoint_scope import checkpoint_org, checkpoints_of
from domain.db import psycopg_options
from domain.tenancy import TenantContext

_SET_TENANT = "SELECT set_config('app.org_id', %s, true)"
# The first key of pg_advisory_xact_lock(int, int): a conversation's turns, and nothing else.
THREAD_LOCK_NAMESPACE = 0x16C0
DEFAULT_POOL_SIZE = 10
APPLICATION_NAME = "cadence-checkpoints"  # how the saver's connections show in pg_stat_activity

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S")


@dataclass
class _Turn:
    """A turn in progress: its connection inside its transaction, and what it read there."""

    saver: TenantSaver
    thread_id: str
    org: uuid.UUID | None
    conn: AsyncConnection[DictRow]
    # LangGraph saves from background tasks: one statement at a time on the turn's connection.
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    latest: CheckpointTuple | None = None  # the thread's latest checkpoint, as read in this turn
    read_latest: bool = False


_TURN: ContextVar[_Turn | None] = ContextVar("cadence_checkpoint_turn", default=None)


class TenantSaver(AsyncPostgresSaver):
    """``AsyncPostgresSaver`` whose every query runs with the caller's organization set."""

    def __init__(
        self,
        conn: _ainternal.Conn,
        pipe: AsyncPipeline | None = None,
        serde: SerializerProtocol | None = None,
    ) -> None:
        if pipe is not None:  # a shared pipeline would mix transactions of different tenants
            raise ValueError("TenantSaver runs each operation in its own transaction: no pipeline.")
        super().__init__(conn, serde=serde)
        # Turns of one thread queue here first, in the order they arrived, without holding a
        # connection while they wait; the advisory lock then orders them across processes.
        self._waiting: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    @classmethod
    @asynccontextmanager
    async def from_conn_string(
        cls, conn_string: str, *, pipeline: bool = False, serde: SerializerProtocol | None = None
    ) -> AsyncIterator[TenantSaver]:
        """A saver on one autocommit connection (a one-shot command; each operation waits its turn)."""
        if pipeline:
            raise ValueError("TenantSaver runs each operation in its own transaction: no pipeline.")
        async with await AsyncConnection.connect(
            conn_string,
            autocommit=True,
            row_factory=dict_row,
            **{"prepare_threshold": 0, **psycopg_options()},
        ) as conn:
            yield cls(conn=conn, serde=serde)

    @classmethod
    @asynccontextmanager
    async def pooled(
        cls, conn_string: str, *, max_size: int = DEFAULT_POOL_SIZE, serde: SerializerProtocol | None = None
    ) -> AsyncIterator[TenantSaver]:
        """A saver on a pool of ``max_size`` kept connections, for a server's concurrent turns."""
        pool: AsyncConnectionPool[AsyncConnection[DictRow]] = AsyncConnectionPool(
            conn_string,
            min_size=1,
            max_size=max_size,  # opened as turns need them, then kept (idle for 10 minutes): no churn
            open=False,
            kwargs={
                "autocommit": True,
                "prepare_threshold": 0,
                "row_factory": dict_row,
                "application_name": APPLICATION_NAME,
                **psycopg_options(),  # none prepared behind PgBouncer's transaction pooling
            },
        )
        async with pool:
            yield cls(pool, serde=serde)

    @asynccontextmanager
    async def thread_turn(self, thread_id: str) -> AsyncIterator[None]:
        """Run the block as one turn of ``thread_id``: one transaction, the thread's lock held by it.

        Every checkpoint operation inside (LangGraph's background saves included: they inherit the
        context) uses this transaction; it commits when the block ends and rolls back if it raises,
        so a failed turn leaves no checkpoint behind, like the caller's own rolled-back transaction."""
        inherited = _TURN.get()  # tasks started inside a turn inherit it
        if inherited is not None and inherited.saver is self:
            raise RuntimeError("A checkpoint turn of this saver is already open here.")
        org = checkpoint_org()
        waiting = self._waiting.setdefault(thread_id, asyncio.Lock())
        async with waiting, AsyncExitStack() as stack:
            if isinstance(self.conn, AsyncConnection):  # one connection: nothing else runs meanwhile
                await stack.enter_async_context(self.lock)
            conn = await stack.enter_async_context(_ainternal.get_connection(self.conn))
            if conn.info.transaction_status != TransactionStatus.IDLE:
                raise RuntimeError("TenantSaver needs a connection that is not inside a transaction.")
            # BEGIN, the tenant and the thread's lock in one round trip (simple protocol, no bind
            # parameters, so the values are quoted as literals here).
            await conn.execute(
                pgsql.SQL(
                    "BEGIN; SELECT set_config('app.org_id', {org}, true), "
                    "pg_advisory_xact_lock({namespace}, hashtext({thread}))"
                ).format(
                    org=pgsql.Literal(str(org) if org is not None else ""),
                    namespace=pgsql.Literal(THREAD_LOCK_NAMESPACE),
                    thread=pgsql.Literal(thread_id),
                ),
                prepare=False,
            )
            turn = _Turn(self, thread_id, org, conn)
            token = _TURN.set(turn)
            try:
                yield
            except BaseException:
                with contextlib.suppress(Exception):  # a broken connection is dropped by the pool
                    await conn.rollback()
                raise
            else:
                await conn.commit()
            finally:
                _TURN.reset(token)

    def _current_turn(self) -> _Turn | None:
        turn = _TURN.get()
        if turn is None or turn.saver is not self:
            return None
        if turn.org != checkpoint_org():  # the transaction's tenant is the one the turn began with
            raise RuntimeError("The checkpoint turn was opened for another organization.")
        return turn

    @asynccontextmanager
    async def _cursor(self, *, pipeline: bool = False) -> AsyncIterator[AsyncCursor[DictRow]]:
        # Every library method reaches the database through here. Inside a turn: its transaction.
        # Otherwise a transaction of the operation's own (instead of the library's per-statement
        # autocommit), which is what makes the transaction-local tenant cover all of its statements.
        turn = self._current_turn()
        if turn is not None:
            async with turn.lock, AsyncExitStack() as stack:
                if pipeline:  # a save: its statements go out together, in one round trip
                    await stack.enter_async_context(turn.conn.pipeline())
                yield await stack.enter_async_context(turn.conn.cursor(binary=True, row_factory=dict_row))
            return
        org = checkpoint_org()
        async with AsyncExitStack() as stack:
            if isinstance(self.conn, AsyncConnection):  # only a single connection needs the lock
                await stack.enter_async_context(self.lock)
            conn = await stack.enter_async_context(_ainternal.get_connection(self.conn))
            if conn.info.transaction_status != TransactionStatus.IDLE:
                # Inside someone else's transaction ours would be a savepoint and the tenant would
                # outlive the operation.
                raise RuntimeError("TenantSaver needs a connection that is not inside a transaction.")
            async with conn.transaction(), conn.cursor(binary=True, row_factory=dict_row) as cur:
                await cur.execute(_SET_TENANT, (str(org) if org is not None else "",))
                yield cur

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        # A turn reads its thread's latest checkpoint twice (is it waiting on a confirmation? then the
        # run itself): the second read is the first one's copy — nobody else can write it meanwhile.
        turn = self._turn_latest_of(config)
        if turn is None:
            return await super().aget_tuple(config)
        return copy.deepcopy(await self._latest(turn, config))

    async def peek_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        """``aget_tuple`` without the copy, for a caller that only looks (never changes what it gets)."""
        turn = self._turn_latest_of(config)
        return await (super().aget_tuple(config) if turn is None else self._latest(turn, config))

    def _turn_latest_of(self, config: RunnableConfig) -> _Turn | None:
        """The turn under way, when ``config`` asks for its thread's latest checkpoint."""
        turn = self._current_turn()
        configurable = config["configurable"]
        if (
            turn is None
            or configurable.get("thread_id") != turn.thread_id
            or configurable.get("checkpoint_ns")
            or configurable.get("checkpoint_id")
        ):
            return None
        return turn

    async def _latest(self, turn: _Turn, config: RunnableConfig) -> CheckpointTuple | None:
        if not turn.read_latest:
            turn.latest, turn.read_latest = await super().aget_tuple(config), True
        return turn.latest

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        self._forget_latest()
        return await super().aput(config, checkpoint, metadata, new_versions)

    async def aput_writes(
        self, config: RunnableConfig, writes: Sequence[tuple[str, Any]], task_id: str, task_path: str = ""
    ) -> None:
        self._forget_latest()
        await super().aput_writes(config, writes, task_id, task_path)

    async def adelete_thread(self, thread_id: str) -> None:
        self._forget_latest()
        await super().adelete_thread(thread_id)

    def _forget_latest(self) -> None:
        turn = self._current_turn()
        if turn is not None:
            turn.latest, turn.read_latest = None, False

    async def setup(self) -> None:
        raise NotImplementedError(
            "The checkpoint tables are created by the owner's migrations (migrations.runner), "
            "not by the app role."
        )

    async def aprune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        # keep_latest opens its own REPEATABLE READ transaction, which cannot start inside ours.
        if strategy != "delete":
            raise NotImplementedError("TenantSaver prunes whole threads only (strategy='delete').")
        await super().aprune(thread_ids, strategy=strategy)


def acting_for_caller(
    method: Callable[Concatenate[S, AsyncSession, TenantContext, P], Awaitable[R]],
) -> Callable[Concatenate[S, AsyncSession, TenantContext, P], Awaitable[R]]:
    """Run a ``(self, session, tenant, …)`` method with the checkpoint store scoped to ``tenant``."""

    async def scoped(
        self: S, session: AsyncSession, tenant: TenantContext, /, *args: P.args, **kwargs: P.kwargs
    ) -> R:
        with checkpoints_of(tenant):
            return await method(self, session, tenant, *args, **kwargs)

    functools.update_wrapper(scoped, method)
    return scoped


__all__ = ["TenantSaver", "acting_for_caller", "checkpoints_of"]
