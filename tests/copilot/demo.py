"""The demo organizations' people, as tenants (for copilot tests over the simulated school)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.auth import service as auth
from domain.orgs import service as orgs
from domain.tenancy import TenantContext


async def tenant_of(session: AsyncSession, slug: str, email: str) -> TenantContext:
    org_id = await orgs.organization_id_by_slug(session, slug)
    user = await auth.find_user_by_email(session, email)
    assert org_id and user
    membership = await auth.membership_in(session, user_id=user.id, org_id=org_id)
    assert membership
    return membership.tenant(user.id)
