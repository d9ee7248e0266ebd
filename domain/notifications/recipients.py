"""Who a message goes to and over which channel: Telegram when the person linked it (and the bot is
configured), email otherwise. Families (students, guardians) are reached by email."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.auth.models import User
from domain.notifications.models import Channel, TelegramAccount
from domain.notifications.service import Recipient
from domain.orgs.models import OrganizationMember
from domain.teachers.models import Teacher
from domain.tenancy import Role, TenantContext


async def user(session: AsyncSession, user_id: uuid.UUID, *, telegram: bool) -> Recipient:
    person = await session.get(User, user_id)
    assert person is not None
    name = person.name or person.email
    if telegram:
        account = await session.get(TelegramAccount, user_id)
        if account is not None:
            return Recipient(f"user:{user_id}", name, Channel.TELEGRAM, str(account.chat_id), person.language)
    return Recipient(f"user:{user_id}", name, Channel.EMAIL, person.email, person.language)


async def teacher(
    session: AsyncSession, tenant: TenantContext, teacher_id: uuid.UUID, *, telegram: bool
) -> Recipient:
    row = await session.get(Teacher, teacher_id)
    assert row is not None and row.organization_id == tenant.org_id
    if row.user_id is not None:
        return await user(session, row.user_id, telegram=telegram)
    return Recipient(f"teacher:{teacher_id}", row.full_name, Channel.EMAIL, row.email)


def family(student_id: uuid.UUID, name: str, email: str | None) -> Recipient:
    return Recipient(f"student:{student_id}", name, Channel.EMAIL, email)


async def admins(session: AsyncSession, tenant: TenantContext, *, telegram: bool) -> list[Recipient]:
    """The organization's active admins, the office's decision-makers."""
    ids = (
        await session.scalars(
            select(OrganizationMember.user_id)
            .where(OrganizationMember.role == Role.ADMIN, OrganizationMember.removed_at.is_(None))
            .order_by(OrganizationMember.created_at)
        )
    ).all()
    return [await user(session, user_id, telegram=telegram) for user_id in ids]
