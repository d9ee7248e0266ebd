"""Small factory functions over the real services (no giant fixture modules)."""

from __future__ import annotations

import itertools
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from domain.auth import service as auth
from domain.auth.models import User
from domain.db import use_tenant
from domain.orgs import service as orgs
from domain.orgs.models import Organization, OrganizationMember, OrganizationType
from domain.tenancy import Role, TenantContext

PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)


def unique_email(label: str = "user") -> str:
    return f"{label}-{next(_counter)}-{uuid.uuid4().hex[:6]}@example.org"


async def make_user(session: AsyncSession, label: str = "user") -> User:
    return await auth.signup(session, email=unique_email(label), password=PASSWORD, name=label.title())


async def make_org(
    session: AsyncSession, admin: User, *, name: str | None = None
) -> tuple[Organization, TenantContext]:
    name = name or f"Studio {uuid.uuid4().hex[:8]}"
    org, tenant = await orgs.create_organization(
        session, user_id=admin.id, name=name, type=OrganizationType.SCHOOL, timezone="Europe/Madrid"
    )
    return org, tenant


async def add_member(session: AsyncSession, org_id: uuid.UUID, user: User, role: Role) -> TenantContext:
    """Add ``user`` to the organization (as its admin would) and return the user's own context there."""
    await use_tenant(session, TenantContext(org_id=org_id, role=Role.ADMIN))
    session.add(OrganizationMember(organization_id=org_id, user_id=user.id, role=role))
    await session.flush()
    return await tenant_of(session, user, org_id)


async def tenant_of(session: AsyncSession, user: User, org_id: uuid.UUID) -> TenantContext:
    """The context the channels would build for ``user`` acting in ``org_id`` (via the membership lookup)."""
    membership = await auth.membership_in(session, user_id=user.id, org_id=org_id)
    assert membership is not None, "not a member"
    return membership.tenant(user.id)
