"""A person's language: their own choice (``users.language``), else the organization's locale.

The web app, emails and the bot all ask this module, so "which language" has one answer. Families and
students have no account: they get the organization's locale."""

from __future__ import annotations

import uuid
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from domain.auth import service as auth
from domain.auth.models import User
from domain.db import use_tenant
from domain.orgs.models import Organization

Language = Literal["en", "es"]
LANGUAGES: tuple[Language, ...] = ("en", "es")


def of_locale(locale: str | None) -> Language:
    """'es', 'es_ES', 'es-MX' → 'es'; anything Cadence does not speak → English."""
    prefix = (locale or "").replace("-", "_").split("_")[0].lower()
    return "es" if prefix == "es" else "en"


def spoken(choice: str | None, org_locale: str | None) -> Language:
    """The person's own choice when they made one, else the organization's locale."""
    return "es" if choice == "es" else "en" if choice == "en" else of_locale(org_locale)


async def organization_locale(session: AsyncSession, user_id: uuid.UUID, org_id: uuid.UUID) -> str | None:
    """The locale of an organization the person belongs to (read under that tenant, as row-level
    security asks: at login no tenant is set yet), or None when they are not a member."""
    membership = await auth.membership_in(session, user_id=user_id, org_id=org_id)
    if membership is None:
        return None
    await use_tenant(session, membership.tenant(user_id))
    org = await session.get(Organization, org_id)
    return org.locale if org is not None else None


async def set_language(session: AsyncSession, user: User, language: Language | None) -> User:
    """Store the person's choice; None hands the decision back to the organization's locale."""
    user.language = language
    await session.flush()
    return user
