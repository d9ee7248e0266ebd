"""Linking Telegram users to Cadence users and choosing the organization the bot acts in.

Nothing here is tenant data: a link belongs to a person, who may work for several organizations.
The tenant the bot acts as is always rebuilt from the person's current memberships.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.auth import service as auth
from domain.auth.schemas import Membership
from domain.auth.security import token_hash
from domain.errors import Conflict, NotFound
from domain.notifications.models import TelegramAccount
from domain.telegram.models import TelegramLinkCode, TelegramUpdate
from domain.tenancy import TenantContext

CODE_TTL = timedelta(minutes=30)


async def new_link_code(session: AsyncSession, *, user_id: uuid.UUID, now: datetime) -> str:
    """A one-time code for ``/start CODE`` (also fits a t.me deep link); shown once."""
    code = secrets.token_urlsafe(12)
    session.add(TelegramLinkCode(user_id=user_id, code_hash=token_hash(code), expires_at=now + CODE_TTL))
    await session.flush()
    return code


async def redeem(
    session: AsyncSession, *, code: str, telegram_user_id: int, chat_id: int, now: datetime
) -> TelegramAccount:
    """Bind the Telegram user to the code's Cadence user. The code works once, before it expires."""
    link = await session.scalar(
        select(TelegramLinkCode).where(TelegramLinkCode.code_hash == token_hash(code)).with_for_update()
    )
    if link is None or link.used_at is not None or link.expires_at <= now:
        raise NotFound("That code is not valid any more; get a new one in Cadence.")
    taken = await session.scalar(
        select(TelegramAccount).where(
            TelegramAccount.telegram_user_id == telegram_user_id, TelegramAccount.user_id != link.user_id
        )
    )
    if taken is not None:
        raise Conflict("This Telegram account is already linked to another Cadence user.")
    link.used_at = now
    await session.execute(
        insert(TelegramAccount)
        .values(user_id=link.user_id, telegram_user_id=telegram_user_id, chat_id=chat_id)
        .on_conflict_do_update(
            index_elements=[TelegramAccount.user_id],
            set_={"telegram_user_id": telegram_user_id, "chat_id": chat_id},
        )
    )
    account = await session.get(TelegramAccount, link.user_id, populate_existing=True)
    assert account is not None
    return account


async def account_of(session: AsyncSession, telegram_user_id: int) -> TelegramAccount | None:
    return await session.scalar(
        select(TelegramAccount).where(TelegramAccount.telegram_user_id == telegram_user_id)
    )


async def claim_update(session: AsyncSession, update_id: int) -> bool:
    """Claim the update for this transaction; False if it is already done. The claim holds only if
    the transaction commits: while it runs, a second claim of the same id waits on the row (and then
    gets False), and a rollback releases it for Telegram's redelivery."""
    inserted = await session.scalar(
        insert(TelegramUpdate)
        .values(update_id=update_id)
        .on_conflict_do_nothing()
        .returning(TelegramUpdate.update_id)
    )
    return inserted is not None


async def memberships(session: AsyncSession, account: TelegramAccount) -> list[Membership]:
    return await auth.list_memberships(session, user_id=account.user_id)


async def choose_organization(
    session: AsyncSession, account: TelegramAccount, org_id: uuid.UUID
) -> Membership:
    membership = await auth.membership_in(session, user_id=account.user_id, org_id=org_id)
    if membership is None:
        raise NotFound("You are not a member of that organization.")
    await session.execute(
        update(TelegramAccount)
        .where(TelegramAccount.user_id == account.user_id)
        .values(active_organization_id=org_id)
    )
    return membership


async def acting_as(session: AsyncSession, account: TelegramAccount) -> TenantContext | None:
    """The tenant the bot acts as: the chosen organization if still a member, the only one if there
    is one; None when the person must choose (/org)."""
    found = await memberships(session, account)
    chosen = next((m for m in found if m.organization_id == account.active_organization_id), None)
    if chosen is None and len(found) == 1:
        chosen = found[0]
    return chosen.tenant(account.user_id) if chosen else None
