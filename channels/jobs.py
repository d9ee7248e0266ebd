"""Scheduled jobs: each visits every organization in turn, in its own transaction and tenant context.

They are plain async functions so the command line, tests and the Celery worker (``channels.worker``)
run the same code. Each is safe to repeat: tuition runs and overdue notices never create anything
twice, and notifications are queued and sent once per recipient and period.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from channels.notify.senders import Sender
from copilot import proactive
from copilot.phrasing import Phraser
from domain.conversations import service as conversations
from domain.db import unit_of_work
from domain.notifications import outbox
from domain.notifications import service as notifications
from domain.notifications.models import Channel
from domain.orgs.models import Organization
from domain.payments import service as payments
from domain.scheduling import service as scheduling
from domain.settings import Settings
from domain.tenancy import Role, TenantContext


@dataclass(frozen=True)
class OrgResult:
    slug: str
    today: date
    count: int


async def organization_ids(sessions: async_sessionmaker[AsyncSession]) -> list[uuid.UUID]:
    async with unit_of_work(sessions) as session:
        return list((await session.execute(text("SELECT cadence_active_org_ids()"))).scalars())


@asynccontextmanager
async def as_organization(
    sessions: async_sessionmaker[AsyncSession], org_id: uuid.UUID
) -> AsyncIterator[tuple[AsyncSession, TenantContext, Organization]]:
    """A transaction as the organization's own scheduler: admin rights, no user, its timezone."""
    tenant = TenantContext(org_id=org_id, role=Role.ADMIN)
    async with unit_of_work(sessions, tenant) as session:
        org = await session.get(Organization, org_id)
        assert org is not None
        yield session, TenantContext(org_id=org_id, role=Role.ADMIN, timezone=org.timezone), org


async def _each_organization(
    sessions: async_sessionmaker[AsyncSession],
    now: datetime | None,
    work: Callable[[AsyncSession, TenantContext, date], Awaitable[int]],
) -> list[OrgResult]:
    """Run ``work`` once per organization, in its own transaction, with that organization's date."""
    now = now or datetime.now(UTC)
    results = []
    for org_id in await organization_ids(sessions):
        async with as_organization(sessions, org_id) as (session, tenant, org):
            today = now.astimezone(tenant.now().tzinfo).date()
            results.append(OrgResult(org.slug, today, await work(session, tenant, today)))
    return results


async def detect_overdue(
    sessions: async_sessionmaker[AsyncSession], *, now: datetime | None = None
) -> list[OrgResult]:
    """Daily: announce charges that became overdue, by each organization's own date."""
    moment = now or datetime.now(UTC)

    async def work(session: AsyncSession, tenant: TenantContext, today: date) -> int:
        return (await payments.detect_overdue(session, tenant, today=today, now=moment)).newly_overdue

    return await _each_organization(sessions, moment, work)


async def generate_tuition(
    sessions: async_sessionmaker[AsyncSession], *, now: datetime | None = None, month: date | None = None
) -> list[OrgResult]:
    """Monthly: every organization's tuition charges for the month (this month by default)."""

    async def work(session: AsyncSession, tenant: TenantContext, today: date) -> int:
        return (await payments.generate_tuition(session, tenant, month=month or today, today=today)).created

    return await _each_organization(sessions, now, work)


async def prune_conversations(
    sessions: async_sessionmaker[AsyncSession],
    *,
    checkpointer: BaseCheckpointSaver[Any],
    retention: timedelta,
    now: datetime | None = None,
) -> list[OrgResult]:
    """Daily: drop the LangGraph checkpoints of conversations idle longer than ``retention``."""
    moment = now or datetime.now(UTC)

    async def delete(keys: Sequence[str]) -> None:
        for key in keys:
            await checkpointer.adelete_thread(key)

    async def work(session: AsyncSession, tenant: TenantContext, today: date) -> int:
        return await conversations.prune_threads(
            session, tenant, now=moment, delete_checkpoints=delete, retention=retention
        )

    return await _each_organization(sessions, moment, work)


async def dispatch_outbox(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, *, now: datetime | None = None
) -> list[OrgResult]:
    """Every few seconds: committed domain events become queued notifications."""
    moment = now or datetime.now(UTC)
    delivery = outbox.Delivery(
        now=moment,
        telegram=bool(settings.telegram_token),
        public_base_url=settings.public_base_url,
        receipt_link_ttl=timedelta(days=settings.receipt_link_ttl_days),
    )

    async def work(session: AsyncSession, tenant: TenantContext, today: date) -> int:
        return await outbox.dispatch(session, tenant, delivery=delivery)

    return await _each_organization(sessions, moment, work)


async def plan_summaries(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, *, now: datetime | None = None
) -> list[OrgResult]:
    """Every few minutes: queue the agendas, digests and previews whose local hour has come."""
    moment = now or datetime.now(UTC)
    telegram = bool(settings.telegram_token)
    phrase: proactive.Phrase = proactive.as_written
    if settings.llm_base_url:
        phrase = Phraser(
            base_url=settings.llm_base_url,
            model=settings.llm_model,
            api_key=settings.llm_api_key,
            timeout=settings.llm_timeout_seconds,
        )

    async def work(session: AsyncSession, tenant: TenantContext, today: date) -> int:
        planned = await proactive.plan(session, tenant, now=moment, telegram=telegram, phrase=phrase)
        return sum(p.queued for p in planned)

    return await _each_organization(sessions, moment, work)


async def deliver_notifications(
    sessions: async_sessionmaker[AsyncSession],
    *,
    senders: Mapping[Channel, Sender],
    now: datetime | None = None,
) -> list[OrgResult]:
    """Every few seconds: send what is due, outside quiet hours; returns how many were sent.

    The claim commits before anything is sent, and each result is recorded right after its send, so
    a crash leaves at most the one message in flight ``sending`` (later marked ``uncertain``).
    """
    moment = now or datetime.now(UTC)
    if Channel.TELEGRAM in senders:  # the morning agenda gets a roll button per class
        from channels.telegram.agenda import with_roll_buttons

        senders = with_roll_buttons(senders, sessions)
    results = []
    for org_id in await organization_ids(sessions):
        async with as_organization(sessions, org_id) as (session, tenant, org):
            await notifications.sweep_stuck(session, tenant, now=moment)
            claimed = await notifications.claim_due(session, tenant, now=moment)
        sent = 0
        for item in claimed:
            sender = senders.get(item.channel)
            error = None
            try:
                if sender is None:
                    raise RuntimeError(f"no {item.channel.value} sender is configured")
                await sender.send(item)
            except Exception as exc:  # any channel failure is recorded and retried later
                error = f"{type(exc).__name__}: {exc}"
            async with as_organization(sessions, org_id) as (session, tenant, _):
                if error is None:
                    await notifications.mark_sent(session, tenant, item.id, now=moment)
                    sent += 1
                else:
                    await notifications.mark_failed(session, tenant, item.id, error=error, now=moment)
        results.append(OrgResult(org.slug, moment.astimezone(tenant.now().tzinfo).date(), sent))
    return results


async def generate_schedule(
    sessions: async_sessionmaker[AsyncSession], *, now: datetime | None = None, until: date | None = None
) -> list[OrgResult]:
    """Daily: every organization's classes up to its horizon (or ``until``); creates nothing twice."""

    async def work(session: AsyncSession, tenant: TenantContext, today: date) -> int:
        return (await scheduling.generate(session, tenant, today=today, until=until)).created

    return await _each_organization(sessions, now, work)


async def fit_insight_models(
    sessions: async_sessionmaker[AsyncSession], *, now: datetime | None = None
) -> list[OrgResult]:
    """Weekly: refit each organization's dropout and late-payment models on its history (count: fitted)."""
    from domain.insights.store import fit_models  # scikit-learn and pandas load only for this job

    async def work(session: AsyncSession, tenant: TenantContext, today: date) -> int:
        return sum(f.fitted for f in await fit_models(session, tenant, today=today))

    return await _each_organization(sessions, now, work)
