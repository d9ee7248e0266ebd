"""Organizations (the tenants) and their members and invitations."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import available_timezones

import holidays
import phonenumbers
from babel import Locale, UnknownLocaleError
from babel.numbers import list_currencies
from slugify import slugify
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit import service as audit
from domain.auth.models import User
from domain.auth.security import new_token, token_hash
from domain.contact import require_email
from domain.db import use_tenant
from domain.errors import Conflict, Forbidden, Invalid, NotFound
from domain.events import service as events
from domain.exports import kept
from domain.orgs.models import Invitation, Organization, OrganizationMember, OrganizationType
from domain.orgs.permissions import require_admin, require_office
from domain.orgs.schemas import MemberOut, OrganizationSettingsIn
from domain.tenancy import Role, TenantContext

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


async def organization_id_by_slug(session: AsyncSession, slug: str) -> uuid.UUID | None:
    """Resolve a slug before any tenant is set (public pages, the command line)."""
    result = await session.scalar(text("SELECT cadence_org_id_by_slug(:slug)"), {"slug": slug})
    return result if isinstance(result, uuid.UUID) else None


def known_zone(name: str) -> bool:
    """An IANA zone. 'localtime' is in Python's list (the server's /etc/localtime) but names no zone a
    browser or a calendar app knows: the pages' Intl.DateTimeFormat throws on it."""
    return name != "localtime" and name in available_timezones()


async def create_organization(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    name: str,
    type: OrganizationType,
    slug: str | None = None,
    timezone: str = "UTC",
    currency: str = "EUR",
    locale: str = "en",
    country: str | None = None,
) -> tuple[Organization, TenantContext]:
    """Create an organization with its creator as admin, and bind the session to it."""
    name = name.strip()
    if not name:
        raise Invalid("The organization needs a name.", details={"field": "name"})
    slug = slug.strip().lower() if slug else slugify(name, max_length=63, word_boundary=True)
    if not _SLUG.match(slug):
        raise Invalid("A slug uses lowercase letters, digits and single hyphens.", details={"field": "slug"})
    if not known_zone(timezone):
        raise Invalid(
            "Unknown timezone {timezone!r}.", values={"timezone": timezone}, details={"field": "timezone"}
        )
    currency = currency.upper()
    if not _CURRENCY.match(currency):
        raise Invalid("The currency is a 3-letter ISO 4217 code such as EUR.", details={"field": "currency"})
    country = country.upper() if country else None
    if country is not None and country not in phonenumbers.SUPPORTED_REGIONS:
        raise Invalid(
            "Unknown country code {country!r}; use ISO 3166 like ES.",
            values={"country": country},
            details={"field": "country"},
        )
    if await organization_id_by_slug(session, slug) is not None:
        raise Conflict(
            "The address {slug!r} is taken; choose another slug.",
            values={"slug": slug},
            details={"field": "slug"},
        )

    org_id = uuid.uuid4()
    tenant = TenantContext(org_id=org_id, role=Role.ADMIN, user_id=user_id, timezone=timezone)
    # RLS lets a session insert only the organization it has set as current.
    await use_tenant(session, tenant)
    org = Organization(
        id=org_id,
        name=name,
        slug=slug,
        type=type,
        timezone=timezone,
        currency=currency,
        locale=locale,
        country=country,
    )
    session.add(org)
    await session.flush()
    member = OrganizationMember(organization_id=org_id, user_id=user_id, role=Role.ADMIN)
    session.add(member)
    await session.flush()
    await audit.record(
        session,
        tenant,
        action="organization.created",
        entity_type="organization",
        entity_id=org_id,
        after={"name": name, "slug": slug, "type": type.value},
    )
    await events.emit(session, tenant, "organization.created", {"organization_id": str(org_id)})
    return org, tenant


MONEY_LOCK_NAMESPACE = 0x25C0  # migration 0025's "money of this organization" lock


async def get_organization(session: AsyncSession, tenant: TenantContext) -> Organization:
    org = await session.get(Organization, tenant.org_id)
    if org is None:
        raise NotFound("No such organization.")
    return org


async def registration_path(session: AsyncSession, tenant: TenantContext) -> str:
    """Where the public registration form of the organization lives (``/join/<slug>``): the office hands
    it to families (a poster's QR code, the school's website)."""
    require_office(tenant, "see the registration form's address")
    return f"/join/{(await get_organization(session, tenant)).slug}"


async def update_settings(
    session: AsyncSession, tenant: TenantContext, *, data: OrganizationSettingsIn
) -> Organization:
    require_admin(tenant)
    org = await get_organization(session, tenant)
    changes = checked_settings(org, data)
    if changes.get("currency", org.currency) != org.currency and await _money_recorded(session, tenant):
        raise Conflict(
            "The amounts already recorded are in {currency}; the currency cannot change under them.",
            values={"currency": org.currency},
            details={"field": "currency"},
        )
    before = {field: getattr(org, field) for field in changes}
    for field, value in changes.items():
        setattr(org, field, value)
    await session.flush()
    if changes != before:
        await audit.record(
            session,
            tenant,
            action="organization.settings_changed",
            entity_type="organization",
            entity_id=org.id,
            before=before,
            after=changes,
        )
    return org


async def _money_recorded(session: AsyncSession, tenant: TenantContext) -> bool:
    """Whether this organization (RLS: only its rows) has any charge, payment or payout: their amounts
    carry no currency of their own, so relabelling them would change what they mean. First the lock that
    every statement recording money takes shared (migration 0025), exclusively: money being recorded at
    this moment is committed, and seen, before the answer; money recorded next waits for the change."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(:namespace, hashtext(:org))"),
        {"namespace": MONEY_LOCK_NAMESPACE, "org": str(tenant.org_id)},
    )
    query = text(
        "SELECT EXISTS (SELECT 1 FROM charges) OR EXISTS (SELECT 1 FROM payments)"
        " OR EXISTS (SELECT 1 FROM teacher_payouts)"
    )
    return bool(await session.scalar(query))


def checked_settings(org: Organization, data: OrganizationSettingsIn) -> dict[str, object]:
    """The changes asked for, each checked against its source of truth; the first wrong one is a 422 and
    nothing is stored. A new country without a region drops the old country's region."""
    changes: dict[str, object] = data.model_dump(exclude_unset=True)
    if "name" in changes:
        changes["name"] = str(changes["name"]).strip()
        if not changes["name"]:
            raise Invalid("The organization needs a name.", details={"field": "name"})
    if "timezone" in changes and not known_zone(str(changes["timezone"])):
        raise Invalid(
            "Unknown timezone {timezone!r}; use an IANA name such as Europe/Madrid.",
            values={"timezone": changes["timezone"]},
            details={"field": "timezone"},
        )
    if "currency" in changes:
        currency = str(changes["currency"]).upper()
        if not _CURRENCY.match(currency) or currency not in list_currencies():
            raise Invalid(
                "Unknown currency {currency!r}; use an ISO 4217 code such as EUR.",
                values={"currency": currency},
                details={"field": "currency"},
            )
        changes["currency"] = currency
    if "locale" in changes:
        try:
            changes["locale"] = str(Locale.parse(str(changes["locale"]).replace("-", "_")))
        except (UnknownLocaleError, ValueError) as exc:
            raise Invalid(
                "Unknown locale {locale!r}; use one such as es_ES or en_GB.",
                values={"locale": changes["locale"]},
                details={"field": "locale"},
            ) from exc
    if changes.get("country") is not None:
        code = str(changes["country"]).upper()
        if code not in phonenumbers.SUPPORTED_REGIONS:
            raise Invalid(
                "Unknown country code {code!r}; use ISO 3166 like ES.",
                values={"code": code},
                details={"field": "country"},
            )
        changes["country"] = code
    if "country" in changes and changes["country"] != org.country and "holiday_region" not in changes:
        changes["holiday_region"] = None  # the old country's region means nothing in the new one
    country: str | None = str(changes["country"]) if changes.get("country") else None
    if "country" not in changes:
        country = org.country
    asked = changes.get("holiday_region", org.holiday_region)
    if asked is not None:
        regions = holidays.list_supported_countries().get(str(country), []) if country else []
        region = next((r for r in regions if r.upper() == str(asked).upper()), None)
        if region is None:
            raise Invalid(
                "{asked!r} is not a holiday region of {country}; one of {regions}."
                if regions
                else "{asked!r} is not a holiday region of {country}.",
                values={"asked": asked, "country": country or "no country", "regions": ", ".join(regions)},
                details={"field": "holiday_region"},
            )
        if "holiday_region" in changes:
            changes["holiday_region"] = region
    if changes.get("public_holidays", org.public_holidays) and country is None:
        raise Invalid("Public holidays need the organization's country.", details={"field": "country"})
    skips_holidays = changes.get("public_holidays", org.public_holidays)
    if skips_holidays and str(country) not in holidays.list_supported_countries():
        raise Invalid(
            "No public holiday calendar for {country}.",
            values={"country": country},
            details={"field": "country"},
        )
    return changes


async def teachers_see_contacts(session: AsyncSession, tenant: TenantContext) -> bool:
    return (await get_organization(session, tenant)).teachers_see_contacts


async def org_country(session: AsyncSession, tenant: TenantContext) -> str | None:
    """The organization's country: the default region for phone numbers."""
    return (await get_organization(session, tenant)).country


async def list_members(
    session: AsyncSession, tenant: TenantContext, *, member_id: uuid.UUID | None = None
) -> list[MemberOut]:
    """Active members with their accounts (the office's list: emails are contact details); one member
    when ``member_id`` is given."""
    require_office(tenant, "see the organization's members")
    query = (
        select(OrganizationMember, User)
        .join(User, User.id == OrganizationMember.user_id)
        .where(OrganizationMember.removed_at.is_(None))
        .order_by(User.email)
    )
    if member_id is not None:
        query = query.where(OrganizationMember.id == member_id)
    return [
        MemberOut(id=m.id, user_id=u.id, email=u.email, name=u.name, role=m.role, created_at=m.created_at)
        for m, u in await session.execute(query)
    ]


async def _active_member(session: AsyncSession, member_id: uuid.UUID) -> OrganizationMember:
    member = await session.get(OrganizationMember, member_id)
    if member is None or member.removed_at is not None:
        raise NotFound("No such member.")
    return member


async def _ensure_another_admin(session: AsyncSession, member: OrganizationMember) -> None:
    if member.role is not Role.ADMIN:
        return
    # The admins' rows are locked: two admins taking each other's role at once would each count the other
    # and leave the school with none. The second waits here and counts again after the first's change.
    admins = (
        await session.scalars(
            select(OrganizationMember.id)
            .where(OrganizationMember.role == Role.ADMIN, OrganizationMember.removed_at.is_(None))
            .with_for_update()
        )
    ).all()
    if len(admins) <= 1:
        raise Conflict("An organization must keep at least one admin.")


async def change_member_role(
    session: AsyncSession, tenant: TenantContext, *, member_id: uuid.UUID, role: Role
) -> OrganizationMember:
    require_admin(tenant)
    member = await _active_member(session, member_id)
    if member.role is role:
        return member
    if role is not Role.ADMIN:
        await _ensure_another_admin(session, member)
    before = member.role
    member.role = role
    await session.flush()
    await kept.forget_person(session, tenant, user_id=member.user_id)  # made for the role they had
    await audit.record(
        session,
        tenant,
        action="member.role_changed",
        entity_type="organization_member",
        entity_id=member.id,
        before={"role": before.value},
        after={"role": role.value},
    )
    return member


async def remove_member(
    session: AsyncSession, tenant: TenantContext, *, member_id: uuid.UUID, now: datetime
) -> OrganizationMember:
    require_admin(tenant)
    member = await _active_member(session, member_id)
    await _ensure_another_admin(session, member)
    member.removed_at = now
    member.removed_by_user_id = tenant.user_id
    await session.flush()
    await kept.forget_person(session, tenant, user_id=member.user_id)  # not theirs if they come back
    await audit.record(
        session,
        tenant,
        action="member.removed",
        entity_type="organization_member",
        entity_id=member.id,
        before={"role": member.role.value, "user_id": str(member.user_id)},
    )
    return member


async def invite_member(
    session: AsyncSession, tenant: TenantContext, *, email: str, role: Role, now: datetime, ttl: timedelta
) -> tuple[Invitation, str]:
    """Invite by email with a role; returns the invitation and its token (shown once)."""
    require_admin(tenant)
    email = require_email(email)
    already = await session.scalar(
        select(func.count())
        .select_from(OrganizationMember)
        .join(User, User.id == OrganizationMember.user_id)
        .where(User.email == email, OrganizationMember.removed_at.is_(None))
    )
    if already:
        raise Conflict("{email} is already a member.", values={"email": email}, details={"field": "email"})
    # A new invitation replaces any pending one for the same address.
    await session.execute(
        update(Invitation)
        .where(Invitation.email == email, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    token = new_token()
    invitation = Invitation(
        organization_id=tenant.org_id,
        email=email,
        role=role,
        token_hash=token_hash(token),
        invited_by_user_id=tenant.user_id,
        expires_at=now + ttl,
    )
    session.add(invitation)
    await session.flush()
    await audit.record(
        session,
        tenant,
        action="invitation.created",
        entity_type="invitation",
        entity_id=invitation.id,
        after={"email": email, "role": role.value},
    )
    await events.emit(
        session, tenant, "invitation.created", {"invitation_id": str(invitation.id), "email": email}
    )
    return invitation, token


async def list_invitations(session: AsyncSession, tenant: TenantContext) -> list[Invitation]:
    require_admin(tenant)
    return list((await session.execute(select(Invitation).order_by(Invitation.created_at.desc()))).scalars())


async def revoke_invitation(
    session: AsyncSession, tenant: TenantContext, *, invitation_id: uuid.UUID, now: datetime
) -> Invitation:
    require_admin(tenant)
    invitation = await session.get(Invitation, invitation_id)
    if invitation is None:
        raise NotFound("No such invitation.")
    if invitation.accepted_at is not None:
        raise Conflict("This invitation was already accepted.")
    if invitation.revoked_at is None:
        invitation.revoked_at = now
        await audit.record(
            session, tenant, action="invitation.revoked", entity_type="invitation", entity_id=invitation.id
        )
    await session.flush()
    return invitation


async def accept_invitation(session: AsyncSession, *, user: User, token: str, now: datetime) -> TenantContext:
    """Join the inviting organization with the invited role; binds the session to it."""
    row = (
        await session.execute(text("SELECT * FROM cadence_invitation_lookup(:h)"), {"h": token_hash(token)})
    ).one_or_none()
    if row is None:
        raise NotFound("No such invitation.")
    if row.revoked_at is not None or row.accepted_at is not None:
        raise Conflict("This invitation is no longer valid.")
    if row.expires_at <= now:
        raise Conflict("This invitation has expired; ask for a new one.")
    if row.email != user.email:
        raise Forbidden("This invitation was sent to another email address.")
    tenant = TenantContext(org_id=row.organization_id, role=Role(row.role), user_id=user.id)
    await use_tenant(session, tenant)
    org = await get_organization(session, tenant)
    tenant = TenantContext(org_id=org.id, role=tenant.role, user_id=user.id, timezone=org.timezone)
    await use_tenant(session, tenant)
    active = await session.scalar(
        select(OrganizationMember).where(
            OrganizationMember.user_id == user.id, OrganizationMember.removed_at.is_(None)
        )
    )
    if active is not None:
        raise Conflict("You are already a member of this organization.")
    member = OrganizationMember(organization_id=org.id, user_id=user.id, role=tenant.role)
    session.add(member)
    invitation = await session.get(Invitation, row.id)
    assert invitation is not None  # visible: the session is now bound to its organization
    invitation.accepted_at = now
    invitation.accepted_by_user_id = user.id
    await session.flush()
    await audit.record(
        session,
        tenant,
        action="invitation.accepted",
        entity_type="invitation",
        entity_id=invitation.id,
        after={"member_id": str(member.id), "role": tenant.role.value},
    )
    await events.emit(
        session, tenant, "member.joined", {"member_id": str(member.id), "user_id": str(user.id)}
    )
    return tenant
