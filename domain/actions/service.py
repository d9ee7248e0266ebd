"""Guarded writes: a proposed action is bound to its user, organization and exact content, expires,
and is applied at most once — confirmed twice, or after a restart, it still runs once.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.actions.models import ActionStatus, PendingAction
from domain.errors import Conflict, Forbidden, NotFound
from domain.orgs.permissions import is_office
from domain.tenancy import TenantContext

DEFAULT_TTL = timedelta(minutes=15)
Apply = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


class ActionExpired(Conflict):
    keeps_changes = True  # the action is marked expired even though the confirmation fails


def action_hash(tool: str, args: dict[str, Any]) -> str:
    canonical = json.dumps({"tool": tool, "args": args}, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def propose(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    tool: str,
    args: dict[str, Any],
    preview: str,
    now: datetime,
    ttl: timedelta = DEFAULT_TTL,
    channel: str | None = None,
    thread_key: str | None = None,
) -> PendingAction:
    if tenant.user_id is None and tenant.api_key_id is None:
        raise Forbidden("A change proposed by the copilot needs a person to confirm it.")
    action = PendingAction(
        organization_id=tenant.org_id,
        user_id=tenant.user_id,
        api_key_id=tenant.api_key_id if tenant.user_id is None else None,
        tool=tool,
        args=args,
        action_hash=action_hash(tool, args),
        preview=preview,
        status=ActionStatus.PENDING,
        expires_at=now + ttl,
        channel=channel,
        thread_key=thread_key,
    )
    session.add(action)
    await session.flush()
    return action


async def lock(session: AsyncSession, tenant: TenantContext, action_id: uuid.UUID) -> PendingAction:
    """The action, row-locked until the transaction ends, with its status as committed *now*.

    Concurrent confirmations queue on the lock. ``populate_existing`` matters: if this session loaded
    the action earlier, the identity map would otherwise hand back the stale object, and the second of two
    confirmations would still see "pending" after the first committed "applied".
    """
    action = (
        await session.execute(
            select(PendingAction)
            .where(PendingAction.id == action_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if action is None:
        raise NotFound("No such pending action.")
    if action.user_id is None:  # proposed by another agent (an API key): the office decides
        if tenant.user_id is None or not is_office(tenant):
            raise Forbidden("A change proposed by an agent is confirmed by a person from the office.")
    elif action.user_id != tenant.user_id:
        raise Forbidden("This action was proposed to someone else; only they can confirm or cancel it.")
    return action


@dataclass(frozen=True)
class Confirmed:
    action: PendingAction
    result: dict[str, Any]
    applied_now: bool  # False when it had already been applied: nothing ran a second time


async def confirm(
    session: AsyncSession, tenant: TenantContext, action_id: uuid.UUID, *, now: datetime, apply: Apply
) -> Confirmed:
    """Apply the action once. The row lock serializes concurrent confirmations; the status says the rest."""
    action = await lock(session, tenant, action_id)
    if action.status is ActionStatus.APPLIED:
        return Confirmed(action, action.result or {}, applied_now=False)
    if action.status is ActionStatus.CANCELLED:
        raise Conflict("This action was cancelled; nothing was changed.")
    if action.status is ActionStatus.EXPIRED or action.expires_at <= now:
        action.status, action.decided_at = ActionStatus.EXPIRED, action.decided_at or now
        await session.flush()
        raise ActionExpired("This action expired; nothing was changed. Ask again to get a fresh preview.")
    if action_hash(action.tool, action.args) != action.action_hash:
        raise Conflict("This action does not match what was previewed; nothing was changed.")
    result = await apply(action.args)  # same transaction: the write and "applied" commit together
    action.status, action.decided_at, action.result = ActionStatus.APPLIED, now, result
    await session.flush()
    return Confirmed(action, result, applied_now=True)


async def cancel(
    session: AsyncSession, tenant: TenantContext, action_id: uuid.UUID, *, now: datetime
) -> PendingAction:
    action = await lock(session, tenant, action_id)
    if action.status is ActionStatus.APPLIED:
        raise Conflict("This action was already applied; it cannot be cancelled.")
    if action.status is ActionStatus.PENDING:
        action.status, action.decided_at = ActionStatus.CANCELLED, now
        await session.flush()
    return action


async def owner_of(session: AsyncSession, action_id: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID | None] | None:
    """(organization, proposer) of an action, found before any tenant is set; None if unknown."""
    row = (
        await session.execute(
            text("SELECT organization_id, user_id FROM cadence_pending_action_owner(:id)"), {"id": action_id}
        )
    ).first()
    return (row[0], row[1]) if row else None
