"""Append an entry to the audit log: who did what to which row, with before and after."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.models import AuditEntry
from domain.tenancy import TenantContext


async def record(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    action: str,
    entity_type: str,
    entity_id: uuid.UUID | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        organization_id=tenant.org_id,
        actor_user_id=tenant.user_id,
        actor_api_key_id=tenant.api_key_id,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        before=before,
        after=after,
        reason=reason,
    )
    session.add(entry)
    await session.flush()
    return entry
