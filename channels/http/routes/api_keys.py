from __future__ import annotations

import uuid
from collections.abc import Sequence

from fastapi import APIRouter, Response, status

from channels.http.deps import DB, Now, Tenant
from channels.http.exports import EXPORTABLE, Exporter
from domain.auth import api_keys
from domain.auth.schemas import ApiKeyCreatedOut, ApiKeyIn, ApiKeyOut

router = APIRouter(prefix="/org/api-keys", tags=["api keys"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ApiKeyCreatedOut)
async def create_api_key(body: ApiKeyIn, tenant: Tenant, db: DB, now: Now) -> ApiKeyCreatedOut:
    """Create a key for another agent or a script. The key is shown only in this response."""
    key, raw = await api_keys.create_api_key(
        db, tenant, name=body.name, scopes=body.scopes, expires_at=body.expires_at, now=now
    )
    return ApiKeyCreatedOut(**ApiKeyOut.model_validate(key).model_dump(), key=raw)


@router.get("", response_model=list[ApiKeyOut], responses=EXPORTABLE)
async def list_api_keys(tenant: Tenant, db: DB, export: Exporter) -> Sequence[ApiKeyOut] | Response:
    out = [ApiKeyOut.model_validate(k) for k in await api_keys.list_api_keys(db, tenant)]
    return await export.items(out, ApiKeyOut, "api-keys")


@router.delete("/{key_id}", response_model=ApiKeyOut)
async def revoke_api_key(key_id: uuid.UUID, tenant: Tenant, db: DB, now: Now) -> ApiKeyOut:
    return ApiKeyOut.model_validate(await api_keys.revoke_api_key(db, tenant, key_id=key_id, now=now))
