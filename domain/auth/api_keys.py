"""API keys per organization: created by admins, shown once, stored hashed, revocable."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit import service as audit
from domain.auth.models import ApiKey
from domain.auth.security import new_token, token_hash
from domain.db import use_tenant
from domain.errors import Invalid, NotFound, Unauthorized
from domain.orgs.permissions import require_admin
from domain.tenancy import Role, Scope, TenantContext

KEY_PREFIX = "cad_"


async def create_api_key(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    name: str,
    scopes: list[Scope],
    expires_at: datetime | None,
    now: datetime,
) -> tuple[ApiKey, str]:
    require_admin(tenant)
    if expires_at is not None and expires_at <= now:
        raise Invalid("The expiry must be in the future.", details={"field": "expires_at"})
    raw = new_token(KEY_PREFIX)
    key = ApiKey(
        organization_id=tenant.org_id,
        name=name.strip(),
        prefix=raw[: len(KEY_PREFIX) + 8],
        key_hash=token_hash(raw),
        scopes=sorted({s.value for s in scopes}),
        created_by_user_id=tenant.user_id,
        expires_at=expires_at,
    )
    session.add(key)
    await session.flush()
    await audit.record(
        session,
        tenant,
        action="api_key.created",
        entity_type="api_key",
        entity_id=key.id,
        after={"name": key.name, "scopes": key.scopes},
    )
    return key, raw


async def list_api_keys(session: AsyncSession, tenant: TenantContext) -> list[ApiKey]:
    require_admin(tenant)
    return list((await session.execute(select(ApiKey).order_by(ApiKey.created_at))).scalars())


async def revoke_api_key(
    session: AsyncSession, tenant: TenantContext, *, key_id: uuid.UUID, now: datetime
) -> ApiKey:
    require_admin(tenant)
    key = await session.get(ApiKey, key_id)
    if key is None:
        raise NotFound("No such API key.")
    if key.revoked_at is None:
        key.revoked_at = now
        await audit.record(session, tenant, action="api_key.revoked", entity_type="api_key", entity_id=key.id)
    await session.flush()
    return key


async def authenticate_api_key(session: AsyncSession, *, raw: str, now: datetime) -> TenantContext:
    """The tenant an API key acts for; binds the session to it. Unauthorized if unknown or dead."""
    row = (
        await session.execute(text("SELECT * FROM cadence_api_key_lookup(:h)"), {"h": token_hash(raw)})
    ).one_or_none()
    if row is None or row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        raise Unauthorized("Invalid, revoked or expired API key.")
    scopes = frozenset(Scope(s) for s in row.scopes if s in {m.value for m in Scope})
    tenant = TenantContext(
        org_id=row.organization_id,
        role=Role.ADMIN if Scope.ADMIN in scopes else Role.STAFF,
        api_key_id=row.id,
        scopes=scopes,
        timezone=row.timezone,
    )
    await use_tenant(session, tenant)
    await session.execute(update(ApiKey).where(ApiKey.id == row.id).values(last_used_at=now))
    return tenant
