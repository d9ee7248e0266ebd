"""LangGraph's Postgres checkpointer, acting for one organization at a time under row-level security.

The checkpoint tables carry ``organization_id`` and tenant policies (``migrations/checkpoints.py``),
but the saver has its own connection(s), which the session's tenant hook never touches. So every
operation here runs in one transaction that starts with ``set_config('app.org_id', …, true)``, taken
from the caller's tenant (``domain.conversations.checkpoint_scope``), never from the thread id: a
thread of another organization stays invisible even when asked for by name. The setting is
transaction-local, so it ends with the operation and a connection never carries it into the next;
with no tenant in scope it is '' and the policies match no row.

Use ``TenantSaver.from_conn_string`` (or pass an autocommit connection or pool) wherever a saver is
built; wrap entry points that run the graph in ``checkpoints_of(tenant)`` or ``acting_for_caller``.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Concatenate, ParamSpec, TypeVar

from langgraph.checkpoint.postgres import _ainternal
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.checkpoint.serde.base import SerializerProtocol
from psycopg import AsyncConnection, AsyncCursor, AsyncPipeline
from psycopg.pq import TransactionStatus
from psycopg.rows import DictRow, dict_row
from sqlalchemy.ext.asyncio import AsyncSession

from domain.conversations.checkpoint_scope import checkpoint_org, checkpoints_of
from domain.tenancy import TenantContext

_SET_TENANT = "SELECT set_config('app.org_id', %s, true)"

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S")


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

    @classmethod
    @asynccontextmanager
    async def from_conn_string(
        cls, conn_string: str, *, pipeline: bool = False, serde: SerializerProtocol | None = None
    ) -> AsyncIterator[TenantSaver]:
        """A saver on its own autocommit connection (each operation then opens its own transaction)."""
        if pipeline:
            raise ValueError("TenantSaver runs each operation in its own transaction: no pipeline.")
        async with await AsyncConnection.connect(
            conn_string, autocommit=True, prepare_threshold=0, row_factory=dict_row
        ) as conn:
            yield cls(conn=conn, serde=serde)

    @asynccontextmanager
    async def _cursor(self, *, pipeline: bool = False) -> AsyncIterator[AsyncCursor[DictRow]]:
        # Every library method reaches the database through here. The transaction (instead of the
        # library's per-statement autocommit) is what makes the transaction-local tenant cover all
        # of the operation's statements; ``executemany`` still batches in pipeline mode on its own.
        org = checkpoint_org()
        async with self.lock, _ainternal.get_connection(self.conn) as conn:
            if conn.info.transaction_status != TransactionStatus.IDLE:
                # Inside someone else's transaction ours would be a savepoint and the tenant would
                # outlive the operation.
                raise RuntimeError("TenantSaver needs a connection that is not inside a transaction.")
            async with conn.transaction(), conn.cursor(binary=True, row_factory=dict_row) as cur:
                await cur.execute(_SET_TENANT, (str(org) if org is not None else "",))
                yield cur

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
