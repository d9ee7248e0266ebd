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

from domain.tenancy import TenantContext

_TENANT_KEY = "cadence.tenant"
_SET_TENANT = text(
    "SELECT set_config('app.org_id', :org_id, true), set_config('app.user_id', :user_id, true)"
)


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    kwargs.setdefault("pool_pre_ping", True)
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
