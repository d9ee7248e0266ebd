"""The audit trail, read: what changed, by whom, when and why (reconciliation decisions, family changes,
attendance overrides, …). Admins and staff."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from channels.http.deps import DB, Tenant
from domain.audit.trail import AuditOut, trail

router = APIRouter(tags=["audit"])


@router.get("/audit", response_model=list[AuditOut])
async def audit_trail(
    tenant: Tenant,
    db: DB,
    entity_type: Annotated[str | None, Query(max_length=50, examples=["bank_line"])] = None,
    entity_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[AuditOut]:
    """Newest first; narrowed to one kind of record (``entity_type``) or one record (``entity_id``)."""
    return await trail(db, tenant, entity_type=entity_type, entity_id=entity_id, limit=limit)
