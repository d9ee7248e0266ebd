"""Messages a person's own action calls for, queued in the same transaction as that action: the invitation
to the person invited, the acknowledgement to whoever filled in the registration form. In the reader's
language: an invited person who already has an account reads their own choice, anyone else the
organization's locale. Queued like every notification (once per recipient, kind and period; sent by the
worker after the commit), so a refused invitation or registration sends nothing."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from domain.auth import service as auth
from domain.auth.models import User
from domain.notifications import emails, recipients
from domain.notifications.models import Channel, Kind
from domain.notifications.service import Message, Recipient, preferences, queue
from domain.notifications.words import words_for
from domain.orgs.models import Invitation
from domain.orgs.service import get_organization
from domain.students.models import Student
from domain.tenancy import TenantContext


async def invitation(
    session: AsyncSession, tenant: TenantContext, invited: Invitation, *, accept_url: str, now: datetime
) -> None:
    org = await get_organization(session, tenant)
    inviter = await session.get(User, tenant.user_id) if tenant.user_id else None
    account = await auth.find_user_by_email(session, invited.email)
    w = words_for(account.language if account else None, org.locale)
    said = emails.invitation(
        w,
        inviter=(inviter.name or inviter.email) if inviter else org.name,
        school=org.name,
        role=invited.role.value,
        link=accept_url,
        until=invited.expires_at.astimezone(ZoneInfo(org.timezone)).date(),
    )
    to = Recipient(f"invitation:{invited.email}", invited.email, Channel.EMAIL, invited.email, w.language)
    message = Message(to, Kind.INVITATION, f"invitation:{invited.id}", said.subject, said.body)
    await queue(session, tenant, message, prefs=await preferences(session, tenant), now=now)


async def registration_received(
    session: AsyncSession, tenant: TenantContext, student: Student, *, to_email: str | None, now: datetime
) -> None:
    """The acknowledgement of a registration, to the address the form gave (a guardian's for a child)."""
    if not to_email:
        return
    org = await get_organization(session, tenant)
    said = emails.registration_received(words_for(None, org.locale), name=student.full_name, school=org.name)
    message = Message(
        recipients.family(student.id, student.full_name, to_email),
        Kind.REGISTRATION_RECEIVED,
        f"registration:{student.id}",
        said.subject,
        said.body,
    )
    await queue(session, tenant, message, prefs=await preferences(session, tenant), now=now)
