"""Celery: a worker runs the jobs, a single beat schedules them, Redis carries the messages.

Started by ``cadence up`` (worker and beat as child processes) or separately in production::

    celery -A channels.worker worker --loglevel=info
    celery -A channels.worker beat --loglevel=info   # exactly one beat per deployment

Each task opens its own engine with NullPool and closes it: a Celery task runs its coroutine with
``asyncio.run`` on a fresh event loop, and pooled asyncpg/psycopg connections must not outlive the
loop that made them. Tasks are acknowledged late and rejected when the worker dies, so a killed task
runs again; every job is idempotent (the notification ledger sends once per recipient and period).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

from celery import Celery
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.pool import NullPool

from channels import jobs
from channels.notify.senders import senders_from
from domain.db import create_engine, session_factory
from domain.settings import Settings, get_settings

T = TypeVar("T")


def celery_url(redis_url: str) -> str:
    """redis-py spells a unix socket ``unix:///path``; Celery and kombu spell it ``redis+socket://``."""
    if redis_url.startswith("unix://"):
        return "redis+socket://" + redis_url.removeprefix("unix://")
    return redis_url


def create_celery(settings: Settings) -> Celery:
    url = celery_url(settings.redis_url) if settings.redis_url else "memory://"
    app = Celery("cadence")
    app.conf.update(
        broker_url=url,
        result_backend=url if settings.redis_url else None,
        result_expires=3600,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        timezone="UTC",
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        # No countdowns or ETAs are used, so a task is never held past the visibility timeout
        # (which would make Redis hand it to a second worker).
        broker_transport_options={"visibility_timeout": 3600},
        beat_schedule={
            "dispatch-outbox": {
                "task": "cadence.dispatch_outbox",
                "schedule": settings.outbox_interval_seconds,
            },
            "deliver-notifications": {
                "task": "cadence.deliver_notifications",
                "schedule": settings.delivery_interval_seconds,
            },
            "plan-summaries": {
                "task": "cadence.plan_summaries",
                "schedule": settings.summaries_interval_seconds,
            },
            "detect-overdue": {"task": "cadence.detect_overdue", "schedule": 3600.0},
            "generate-tuition": {"task": "cadence.generate_tuition", "schedule": 6 * 3600.0},
            "generate-schedule": {"task": "cadence.generate_schedule", "schedule": 6 * 3600.0},
            "fit-insight-models": {"task": "cadence.fit_insight_models", "schedule": 7 * 24 * 3600.0},
        },
    )
    return app


app = create_celery(get_settings())


def _run(job: Callable[[async_sessionmaker[AsyncSession], Settings], Awaitable[T]]) -> T:
    settings = get_settings()
    if not settings.database_url:
        raise RuntimeError("CADENCE_DATABASE_URL is not set (cadence up sets it for its worker).")
    database_url = settings.database_url

    async def go() -> T:
        engine = create_engine(database_url, poolclass=NullPool)
        try:
            return await job(session_factory(engine), settings)
        finally:
            await engine.dispose()

    return asyncio.run(go())


def _now(now: str | None) -> datetime:
    """Tasks take the moment as ISO text (JSON), so tests and catch-up runs can name it."""
    return datetime.fromisoformat(now) if now else datetime.now(UTC)


@app.task(name="cadence.dispatch_outbox")
def dispatch_outbox(now: str | None = None) -> dict[str, int]:
    return _run(lambda sessions, s: _counted(jobs.dispatch_outbox(sessions, s, now=_now(now))))


@app.task(name="cadence.plan_summaries")
def plan_summaries(now: str | None = None) -> dict[str, int]:
    return _run(lambda sessions, s: _counted(jobs.plan_summaries(sessions, s, now=_now(now))))


@app.task(name="cadence.deliver_notifications")
def deliver_notifications(now: str | None = None) -> dict[str, int]:
    return _run(
        lambda sessions, s: _counted(
            jobs.deliver_notifications(sessions, senders=senders_from(s), now=_now(now))
        )
    )


@app.task(name="cadence.detect_overdue")
def detect_overdue(now: str | None = None) -> dict[str, int]:
    return _run(lambda sessions, s: _counted(jobs.detect_overdue(sessions, now=_now(now))))


@app.task(name="cadence.generate_tuition")
def generate_tuition(now: str | None = None) -> dict[str, int]:
    return _run(lambda sessions, s: _counted(jobs.generate_tuition(sessions, now=_now(now))))


async def _counted(results: Awaitable[list[jobs.OrgResult]]) -> dict[str, int]:
    """Per organization slug, how much the job did (the task's JSON result)."""
    return {r.slug: r.count for r in await results}


@app.task(name="cadence.generate_schedule")
def generate_schedule(now: str | None = None) -> dict[str, int]:
    return _run(lambda sessions, s: _counted(jobs.generate_schedule(sessions, now=_now(now))))


@app.task(name="cadence.fit_insight_models")
def fit_insight_models(now: str | None = None) -> dict[str, int]:
    return _run(lambda sessions, s: _counted(jobs.fit_insight_models(sessions, now=_now(now))))
