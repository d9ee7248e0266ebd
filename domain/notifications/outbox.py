"""The outbox dispatcher: committed domain events become notifications and webhook deliveries.

Runs after commit by construction (it reads only committed events), at least once per event: an
event is marked dispatched in the same transaction that queues its notifications, so a crash before
the commit leaves both undone and the next run repeats the work; the ledger's unique
(recipient, kind, period) makes that repetition queue nothing twice. A consumer that raises is
isolated in a savepoint: its event is retried later, the others go on.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.events.models import DomainEvent
from domain.groups.models import Group
from domain.notifications import emails, recipients
from domain.notifications.models import Channel, Kind
from domain.notifications.service import Message, Recipient, preferences, queue
from domain.notifications.words import Words, words_for
from domain.orgs.service import get_organization
from domain.payments import receipts
from domain.payouts.models import TeacherPayout
from domain.sessions.models import ClassSession
from domain.tenancy import TenantContext
from domain.webhooks import service as webhooks
from domain.webhooks.models import WebhookEndpoint

log = logging.getLogger(__name__)
MAX_EVENT_ATTEMPTS = 10


@dataclass(frozen=True)
class Delivery:
    """What the dispatcher needs from the outside: the time, the channels, links' base address."""

    now: datetime
    telegram: bool
    public_base_url: str
    receipt_link_ttl: timedelta


Consumer = Callable[[AsyncSession, TenantContext, DomainEvent, Delivery], Awaitable[list[Message]]]


def _local_date(tenant: TenantContext, moment: datetime) -> str:
    return moment.astimezone(ZoneInfo(tenant.timezone)).date().isoformat()


async def payment_reminder(
    session: AsyncSession, tenant: TenantContext, event: DomainEvent, delivery: Delivery
) -> list[Message]:
    """A read-only reminder to the family, in the organization's language, with a link to the page
    where they upload the transfer receipt."""
    p = event.payload
    student_id = uuid.UUID(p["student_id"])
    link, token = await receipts.create_link(
        session, tenant, student_id=student_id, now=delivery.now, ttl=delivery.receipt_link_ttl
    )
    org = await get_organization(session, tenant)
    text = emails.payment_reminder(
        words_for(None, org.locale),  # a family has no account: the school's language
        name=p["to_name"],
        amount=p["outstanding"],
        currency=p["currency"],
        link=receipts.upload_url(delivery.public_base_url, token),
        until=link.expires_at.astimezone(ZoneInfo(tenant.timezone)).date(),
    )
    return [
        Message(
            recipients.family(student_id, p["to_name"], p.get("to_email")),
            Kind.PAYMENT_REMINDER,
            _local_date(tenant, event.created_at),  # at most one reminder per family per day
            text.subject,
            text.body,
            event.id,
        )
    ]


async def _about_a_class(
    session: AsyncSession,
    tenant: TenantContext,
    event: DomainEvent,
    delivery: Delivery,
    *,
    kind: Kind,
    period: str,
    with_end: bool,
    text: Callable[[Words, str], emails.Text],
) -> list[Message]:
    """A message to whoever teaches the class now (a substitute learns of it this way), in their
    language; none for a class already past, which is history rather than news."""
    row = await session.get(ClassSession, uuid.UUID(event.payload["session_id"]))
    assert row is not None
    if row.date < delivery.now.astimezone(ZoneInfo(tenant.timezone)).date():
        return []
    to = await recipients.teacher(session, tenant, row.teacher_id, telegram=delivery.telegram)
    w = words_for(to.language, (await get_organization(session, tenant)).locale)
    group = await session.get(Group, row.group_id) if row.group_id else None
    line = emails.class_line(
        w,
        group=group.name if group else None,
        day=row.date,
        start=row.start_time,
        end=row.end_time if with_end else None,
    )
    said = text(w, line)
    return [Message(to, kind, period, said.subject, said.body, event.id)]


async def session_cancelled(
    session: AsyncSession, tenant: TenantContext, event: DomainEvent, delivery: Delivery
) -> list[Message]:
    reason = event.payload.get("reason")
    return await _about_a_class(
        session,
        tenant,
        event,
        delivery,
        kind=Kind.SESSION_CANCELLED,
        period=f"session:{event.payload['session_id']}",
        with_end=False,
        text=lambda w, line: emails.session_cancelled(w, line=line, reason=reason),
    )


async def schedule_changed(
    session: AsyncSession, tenant: TenantContext, event: DomainEvent, delivery: Delivery
) -> list[Message]:
    return await _about_a_class(
        session,
        tenant,
        event,
        delivery,
        kind=Kind.SCHEDULE_CHANGED,
        period=f"event:{event.id}",
        with_end=True,
        text=lambda w, line: emails.schedule_changed(w, line=line),
    )


async def payout_approved(
    session: AsyncSession, tenant: TenantContext, event: DomainEvent, delivery: Delivery
) -> list[Message]:
    payout = await session.get(TeacherPayout, uuid.UUID(event.payload["payout_id"]))
    assert payout is not None
    org = await get_organization(session, tenant)
    to = await recipients.teacher(session, tenant, payout.teacher_id, telegram=delivery.telegram)
    text = emails.payout_approved(
        words_for(to.language, org.locale),
        start=payout.period_start,
        end=payout.period_end,
        amount=payout.total_amount,
        currency=org.currency,
    )
    return [Message(to, Kind.PAYOUT_APPROVED, f"payout:{payout.id}", text.subject, text.body, event.id)]


def webhook_message(endpoint: WebhookEndpoint, event: DomainEvent) -> Message:
    """The event as JSON for one endpoint; the period is the event, so each endpoint gets it once."""
    body = json.dumps(
        {
            "id": str(event.id),
            "type": event.type,
            "created_at": event.created_at.isoformat(),
            "organization_id": str(event.organization_id),
            "data": event.payload,
        },
        separators=(",", ":"),
        sort_keys=True,
    )
    to = Recipient(f"webhook:{endpoint.id}", endpoint.url, Channel.WEBHOOK, endpoint.url)
    return Message(to, Kind.WEBHOOK, f"event:{event.id}", event.type, body, event.id)


CONSUMERS: Mapping[str, Consumer] = {
    "payment.reminder_requested": payment_reminder,
    "session.cancelled": session_cancelled,
    "session.updated": schedule_changed,
    "payout.approved": payout_approved,
}


async def dispatch(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    delivery: Delivery,
    consumers: Mapping[str, Consumer] = CONSUMERS,
    limit: int = 500,
) -> int:
    """Turn this organization's undispatched events into notifications; returns events handled."""
    events = (
        await session.scalars(
            select(DomainEvent)
            .where(DomainEvent.dispatched_at.is_(None), DomainEvent.attempts < MAX_EVENT_ATTEMPTS)
            .order_by(DomainEvent.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    prefs = await preferences(session, tenant)
    endpoints = await webhooks.active_endpoints(session) if events else []
    handled = 0
    for event in events:
        consumer = consumers.get(event.type)
        try:
            async with session.begin_nested():
                messages = await consumer(session, tenant, event, delivery) if consumer else []
                messages += [webhook_message(e, event) for e in endpoints if webhooks.wants(e, event.type)]
                for message in messages:
                    await queue(session, tenant, message, prefs=prefs, now=delivery.now)
        except Exception:
            log.exception("outbox: %s %s failed; it will be retried", event.type, event.id)
            event.attempts += 1
            continue
        event.dispatched_at = delivery.now
        event.attempts += 1
        handled += 1
    await session.flush()
    return handled
