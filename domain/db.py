"""Engines, sessions and the tenant hook that makes PostgreSQL enforce isolation.

Every transaction starts with ``set_config('app.org_id', …, true)`` (transaction-local), taken from
the ``TenantContext`` stored on the session. With no tenant the setting is '' and RLS policies, which
read ``NULLIF(current_setting('app.org_id', true), '')``, match no row: never a default tenant.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session, SessionTransaction

from domain.settings import get_settings
from domain.tenancy import TenantContext

_TENANT_KEY = "cadence.tenant"
_SET_TENANT = text(
    "SELECT set_config('app.org_id', :org_id, true), set_config('app.user_id', :user_id, true)"
)


def psycopg_options() -> dict[str, Any]:
    """Connection options every psycopg connection of ours takes (engines, the checkpointer's).

    Behind PgBouncer in transaction pooling mode consecutive transactions may run on different server
    connections, so a statement prepared in one is missing in the next: ``prepare_threshold=None``
    keeps psycopg from preparing any (``CADENCE_DATABASE_PREPARED_STATEMENTS=false``)."""
    return {} if get_settings().database_prepared_statements else {"prepare_threshold": None}


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An engine whose pool keeps ``CADENCE_DATABASE_POOL_SIZE`` connections open and reuses them.

    SQLAlchemy's default (5 kept + 10 overflow) closes an overflow connection as soon as it is returned,
    so a busy process opened and closed PostgreSQL sessions all the time (421 in 20 s at 32 clients);
    with no overflow a request briefly waits for a kept connection instead."""
    settings = get_settings()
    kwargs.setdefault("pool_pre_ping", True)
    if kwargs.get("poolclass") is None:  # NullPool (Celery tasks) takes no sizes
        kwargs.setdefault("pool_size", settings.database_pool_size)
        kwargs.setdefault("max_overflow", settings.database_max_overflow)
        kwargs.setdefault("pool_timeout", settings.database_pool_timeout_seconds)
    options = psycopg_options()
    if options:
        kwargs["connect_args"] = {**kwargs.get("connect_args", {}), **options}
    return create_async_engine(url, **kwargs)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def _tenant_params(tenant: TenantContext | None) -> dict[str, str]:
    if tenant is None:
        return {"org_id": "", "user_id": ""}
    return {"org_id": str(tenant.org_id), "user_id": str(tenant.user_id or "")}


@event.listens_for(Session, "after_begin")
def _apply_tenant(session: Session, transaction: SessionTransaction, connection: Connection) -> None:
    # Always set it, even to '': a pooled connection must never carry an earlier tenant.
    connection.execute(_SET_TENANT, _tenant_params(session.info.get(_TENANT_KEY)))


def current_tenant(session: AsyncSession) -> TenantContext | None:
    tenant: TenantContext | None = session.info.get(_TENANT_KEY)
    return tenant


async def use_tenant(session: AsyncSession, tenant: TenantContext | None) -> None:
    """Bind the session to a tenant, for the running transaction and every later one."""
    session.info[_TENANT_KEY] = tenant
    if session.in_transaction():
        await session.execute(_SET_TENANT, _tenant_params(tenant))


@asynccontextmanager
async def unit_of_work(
    sessions: async_sessionmaker[AsyncSession], tenant: TenantContext | None = None
) -> AsyncIterator[AsyncSession]:
    """One transaction for an entry point: committed on success, rolled back on any error."""
    async with sessions() as session:
        session.info[_TENANT_KEY] = tenant
        async with session.begin():
            yield session
