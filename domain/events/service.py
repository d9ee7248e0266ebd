"""Append a domain event to the outbox, in the caller's transaction; dispatched after commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.events.models import DomainEvent
from domain.tenancy import TenantContext


async def emit(
    session: AsyncSession, tenant: TenantContext, type: str, payload: dict[str, Any]
) -> DomainEvent:
    event = DomainEvent(organization_id=tenant.org_id, type=type, payload=payload)
    session.add(event)
    await session.flush()
    return event
