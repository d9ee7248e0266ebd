"""What a school's public registration form shows before anything is sent: the school's name and the
language to speak (families have no account: the organization's locale)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from domain.auth import language as languages
from domain.db import use_tenant
from domain.errors import NotFound
from domain.orgs.service import get_organization, organization_id_by_slug
from domain.tenancy import TenantContext


@dataclass(frozen=True)
class RegistrationForm:
    organization: str
    language: languages.Language
    locale: str


async def describe(session: AsyncSession, *, org_slug: str) -> RegistrationForm:
    org_id = await organization_id_by_slug(session, org_slug)
    if org_id is None:
        raise NotFound("No such registration form.")  # the same words as a submission to it
    tenant = TenantContext.anonymous(org_id)
    await use_tenant(session, tenant)
    org = await get_organization(session, tenant)
    return RegistrationForm(
        organization=org.name, language=languages.of_locale(org.locale), locale=org.locale
    )
