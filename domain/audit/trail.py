"""Reading the audit log: what was changed, by whom, when and why — newest first. The office only (it
names amounts and people)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.models import AuditEntry
from domain.auth.models import User
from domain.orgs.permissions import require_office
from domain.tenancy import TenantContext


class AuditOut(BaseModel):
    id: uuid.UUID
    at: datetime
    action: str
    entity_type: str
    entity_id: uuid.UUID | None
    by: str | None  # the person's name or email; None for an API key or the system
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str | None


async def trail(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    entity_type: str | None = None,
    entity_id: uuid.UUID | None = None,
    limit: int = 50,
) -> list[AuditOut]:
    require_office(tenant, "read the audit trail")
    query = (
        select(AuditEntry, User)
        .outerjoin(User, User.id == AuditEntry.actor_user_id)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id)
        .limit(limit)
    )
    if entity_type is not None:
        query = query.where(AuditEntry.entity_type == entity_type)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    return [
        AuditOut(
            id=entry.id,
            at=entry.created_at,
            action=entry.action,
            entity_type=entry.entity_type,
            entity_id=entry.entity_id,
            by=(user.name or user.email) if user is not None else None,
            before=entry.before,
            after=entry.after,
            reason=entry.reason,
        )
        for entry, user in await session.execute(query)
    ]
