"""Archiving: rows with history are never deleted; they leave the everyday lists instead."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit import service as audit
from domain.errors import Conflict
from domain.events import service as events
from domain.tenancy import TenantContext


class Archivable(Protocol):
    id: uuid.UUID
    archived_at: datetime | None


async def archive(
    session: AsyncSession, tenant: TenantContext, row: Archivable, *, kind: str, now: datetime
) -> None:
    """Stamp ``archived_at``, audit it and announce ``<kind>.archived``; archiving twice is a conflict."""
    if row.archived_at is not None:
        raise Conflict("This {kind} is already archived.", values={"kind": kind})
    row.archived_at = now
    await session.flush()
    await audit.record(session, tenant, action=f"{kind}.archived", entity_type=kind, entity_id=row.id)
    await events.emit(session, tenant, f"{kind}.archived", {f"{kind}_id": str(row.id)})


async def end_once(
    session: AsyncSession,
    tenant: TenantContext,
    row: Any,
    field: str,
    *,
    now: datetime,
    action: str,
    entity_type: str,
) -> None:
    """Stamp a row's end (``withdrawn_at``, ``disabled_at``, ``revoked_at``) and audit it. Unlike
    archiving, repeating it is harmless: a row already ended keeps its first date and nothing is logged."""
    if getattr(row, field) is not None:
        return
    setattr(row, field, now)
    await session.flush()
    await audit.record(session, tenant, action=action, entity_type=entity_type, entity_id=row.id)
