"""Queue, claim and record notifications; settings and opt-outs.

Exactly once per (recipient, kind, period): queueing inserts with ON CONFLICT DO NOTHING, so a job
that runs twice queues nothing the second time; claiming moves a row from pending to sending under a
row lock, so two workers never both send it; a worker that dies while sending leaves the row
``sending``, and the sweep marks it ``uncertain`` instead of sending it again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit import service as audit
from domain.errors import Forbidden, NotFound
from domain.notifications.models import Channel, Kind, Notification, NotificationSettings, OptOut, Status
from domain.notifications.quiet import quiet_until
from domain.notifications.schemas import Preferences, PreferencesPatch
from domain.orgs.models import OrganizationMember
from domain.orgs.permissions import is_office, require_admin
from domain.students.models import Student
from domain.teachers.models import Teacher
from domain.tenancy import TenantContext

MAX_ATTEMPTS = 5
SENDING_LEASE = timedelta(minutes=10)


@dataclass(frozen=True)
class Recipient:
    key: str  # "user:<id>" or "student:<id>"
    name: str
    channel: Channel
    address: str | None
    language: str | None = None  # the person's own choice ('en', 'es'); None: the organization's locale


@dataclass(frozen=True)
class Message:
    recipient: Recipient
    kind: Kind
    period: str
    subject: str
    body: str
    event_id: uuid.UUID | None = None


async def preferences(session: AsyncSession, tenant: TenantContext) -> Preferences:
    row = await session.scalar(
        select(NotificationSettings).order_by(NotificationSettings.created_at.desc()).limit(1)
    )
    return Preferences.model_validate(row) if row is not None else Preferences()


async def update_preferences(
    session: AsyncSession, tenant: TenantContext, *, patch: PreferencesPatch
) -> Preferences:
    require_admin(tenant)
    before = await preferences(session, tenant)
    after = before.model_copy(update=patch.model_dump(exclude_unset=True))
    values = Preferences.model_validate(after.model_dump()).model_dump()  # re-validated as a whole
    values["disabled_kinds"] = [k.value for k in after.disabled_kinds]
    session.add(NotificationSettings(organization_id=tenant.org_id, **values))
    await session.flush()
    await audit.record(
        session,
        tenant,
        action="notification_settings.updated",
        entity_type="organization",
        entity_id=tenant.org_id,
        before=before.model_dump(mode="json"),
        after=after.model_dump(mode="json"),
    )
    return after


def _may_manage(tenant: TenantContext, recipient: str) -> None:
    """The office manages anyone's opt-outs (a parent phones in); a person manages their own."""
    if not (is_office(tenant) or (tenant.user_id and recipient == f"user:{tenant.user_id}")):
        raise Forbidden("Only the office or the person themselves can change their notifications.")


async def _require_recipient_here(session: AsyncSession, recipient: str) -> None:
    """The recipient must be someone of this organization: a current member, or one of its students or
    teachers (archived ones too: they may still be written to). Tenant rows are read under RLS, so
    another organization's id is as unknown as an invented one."""
    kind, _, raw_id = recipient.partition(":")
    try:
        entity_id = uuid.UUID(raw_id)
    except ValueError:
        entity_id = None
    found: object = None
    if entity_id is not None and kind == "user":
        found = await session.scalar(
            select(OrganizationMember.id).where(
                OrganizationMember.user_id == entity_id, OrganizationMember.removed_at.is_(None)
            )
        )
    elif entity_id is not None and kind in ("student", "teacher"):
        model = Student if kind == "student" else Teacher
        found = await session.scalar(select(model.id).where(model.id == entity_id))
    if found is None:
        raise NotFound("No such recipient in this organization.", details={"field": "recipient"})


async def opt_out(session: AsyncSession, tenant: TenantContext, *, recipient: str, kind: Kind | None) -> None:
    """No more messages of ``kind`` (every kind when None) for ``recipient``; repeating is harmless."""
    _may_manage(tenant, recipient)
    await _require_recipient_here(session, recipient)
    inserted = await session.scalar(
        insert(OptOut)
        .values(organization_id=tenant.org_id, recipient=recipient, kind=kind.value if kind else None)
        .on_conflict_do_nothing()
        .returning(OptOut.id)
    )
    if inserted is not None:
        await audit.record(
            session,
            tenant,
            action="notification.opted_out",
            entity_type="notification_opt_out",
            entity_id=inserted,
            after={"recipient": recipient, "kind": kind.value if kind else "all"},
        )


async def opt_in(
    session: AsyncSession, tenant: TenantContext, *, recipient: str, kind: Kind | None, now: datetime
) -> None:
    """Withdraw an opt-out (the row stays, with the date it was withdrawn)."""
    _may_manage(tenant, recipient)
    same_kind = OptOut.kind.is_(None) if kind is None else OptOut.kind == kind.value
    await session.execute(
        update(OptOut)
        .where(OptOut.recipient == recipient, same_kind, OptOut.withdrawn_at.is_(None))
        .values(withdrawn_at=now)
    )


async def _opted_out(session: AsyncSession, recipients: set[str]) -> set[tuple[str, str | None]]:
    rows = await session.execute(
        select(OptOut.recipient, OptOut.kind).where(
            OptOut.recipient.in_(recipients), OptOut.withdrawn_at.is_(None)
        )
    )
    return {(r.recipient, r.kind) for r in rows}


def _blocked(opted: set[tuple[str, str | None]], recipient: str, kind: str) -> bool:
    return (recipient, None) in opted or (recipient, kind) in opted


async def queue(
    session: AsyncSession, tenant: TenantContext, message: Message, *, prefs: Preferences, now: datetime
) -> bool:
    """Record the message once; True if it was new. Messages that must not go out are recorded as
    skipped, with the reason, so the period counts as handled."""
    to = message.recipient
    reason = None
    if not prefs.sends(message.kind):
        reason = "switched off in the organization's settings"
    elif not to.address:
        reason = f"no {to.channel.value} address for {to.name}"
    elif _blocked(await _opted_out(session, {to.key}), to.key, message.kind.value):
        reason = "opted out"
    created = await session.scalar(
        insert(Notification)
        .values(
            organization_id=tenant.org_id,
            recipient=to.key,
            kind=message.kind.value,
            period=message.period,
            channel=to.channel,
            address=to.address,
            subject=message.subject,
            body=message.body,
            status=Status.SKIPPED if reason else Status.PENDING,
            reason=reason,
            event_id=message.event_id,
            not_before=now,
        )
        .on_conflict_do_nothing(
            index_elements=[
                Notification.organization_id,
                Notification.recipient,
                Notification.kind,
                Notification.period,
            ]
        )
        .returning(Notification.id)
    )
    return created is not None


async def already_queued(session: AsyncSession, recipients: set[str], kind: Kind, period: str) -> bool:
    """Whether every one of ``recipients`` already has this (kind, period): lets a repeated run skip
    building a message it would not queue anyway."""
    found = await session.scalars(
        select(Notification.recipient).where(
            Notification.recipient.in_(recipients),
            Notification.kind == kind.value,
            Notification.period == period,
        )
    )
    return set(found.all()) >= recipients


async def claim_due(
    session: AsyncSession, tenant: TenantContext, *, now: datetime, limit: int = 100
) -> list[Notification]:
    """The messages to send now, moved to ``sending``. In quiet hours nothing is claimed: the due
    messages wait until the window ends. Opt-outs are checked again here (they may be newer)."""
    prefs = await preferences(session, tenant)
    due = list(
        (
            await session.scalars(
                select(Notification)
                .where(Notification.status == Status.PENDING, Notification.not_before <= now)
                .order_by(Notification.not_before, Notification.created_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
    )
    if not due:
        return []
    local = now.astimezone(ZoneInfo(tenant.timezone))
    until = quiet_until(local, prefs.quiet_start, prefs.quiet_end)
    if until is not None:  # people wait for the morning; machines (webhooks) do not
        for row in (r for r in due if r.channel is not Channel.WEBHOOK):
            row.not_before = until.astimezone(UTC)
        due = [r for r in due if r.channel is Channel.WEBHOOK]
    opted = await _opted_out(session, {row.recipient for row in due})
    claimed = []
    for row in due:
        if _blocked(opted, row.recipient, row.kind):
            row.status, row.reason = Status.SKIPPED, "opted out"
        elif not prefs.sends(Kind(row.kind)):
            row.status, row.reason = Status.SKIPPED, "switched off in the organization's settings"
        else:
            row.status, row.claimed_at, row.attempts = Status.SENDING, now, row.attempts + 1
            claimed.append(row)
    await session.flush()
    return claimed


async def mark_sent(
    session: AsyncSession, tenant: TenantContext, notification_id: uuid.UUID, *, now: datetime
) -> None:
    await session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.status == Status.SENDING)
        .values(status=Status.SENT, sent_at=now, reason=None)
    )


async def mark_failed(
    session: AsyncSession, tenant: TenantContext, notification_id: uuid.UUID, *, error: str, now: datetime
) -> None:
    """The channel refused it: try again later with a growing delay, up to MAX_ATTEMPTS."""
    row = await session.get(Notification, notification_id, with_for_update=True)
    if row is None or row.status is not Status.SENDING:
        return
    row.reason = error[:500]
    if row.attempts >= MAX_ATTEMPTS:
        row.status = Status.FAILED
    else:
        row.status, row.not_before = Status.PENDING, now + timedelta(minutes=2**row.attempts)
    await session.flush()


async def sweep_stuck(session: AsyncSession, tenant: TenantContext, *, now: datetime) -> int:
    """Claims older than the lease belong to a worker that died mid-send: the message may or may not
    have left, so it is marked ``uncertain`` (shown to the office), never sent a second time."""
    result = await session.execute(
        update(Notification)
        .where(Notification.status == Status.SENDING, Notification.claimed_at < now - SENDING_LEASE)
        .values(status=Status.UNCERTAIN, reason="the worker stopped while sending; not retried")
        .returning(Notification.id)
    )
    return len(result.all())


async def ledger(
    session: AsyncSession, tenant: TenantContext, *, kind: Kind | None = None, limit: int = 200
) -> list[Notification]:
    """The latest notifications, newest first (office only: it shows who was told what)."""
    if not is_office(tenant):
        raise Forbidden("Only the office can read the notification log.")
    query = select(Notification).order_by(Notification.created_at.desc()).limit(limit)
    if kind is not None:
        query = query.where(Notification.kind == kind.value)
    return list((await session.scalars(query)).all())
