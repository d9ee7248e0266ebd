"""The audit trail, read: what changed, by whom, when and why (reconciliation decisions, family changes,
attendance overrides, …). Admins and staff."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Query, Response

from channels.http.deps import DB, Tenant
from channels.http.exports import EXPORTABLE, Exporter
from domain.audit.trail import AuditOut, trail

router = APIRouter(tags=["audit"])


@router.get("/audit", response_model=list[AuditOut], responses=EXPORTABLE)
async def audit_trail(
    tenant: Tenant,
    db: DB,
    export: Exporter,
    entity_type: Annotated[str | None, Query(max_length=50, examples=["bank_line"])] = None,
    entity_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Sequence[AuditOut] | Response:
    """Newest first; narrowed to one kind of record (``entity_type``) or one record (``entity_id``)."""
    out = await trail(db, tenant, entity_type=entity_type, entity_id=entity_id, limit=limit)
    return await export.items(out, AuditOut, "audit")
