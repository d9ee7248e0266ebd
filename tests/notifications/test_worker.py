"""The background jobs for real: a Celery worker process, the embedded Redis as broker and result
backend, a local SMTP server (aiosmtpd), and their own database (the worker commits)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from celery import Celery
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from channels.embedded import APP_ROLE, DatabaseUrls, EmbeddedPostgres, EmbeddedRedis
from channels.worker import create_celery
from domain.auth.models import User
from domain.db import create_engine, session_factory, unit_of_work
from domain.notifications import service as notifications
from domain.notifications.models import Kind
from domain.payments import reminders
from domain.payments import service as payments
from domain.sessions import service as class_sessions
from domain.settings import Settings
from domain.students import service as students
from domain.students.schemas import GuardianIn
from migrations.runner import upgrade
from tests.domain.studio import Studio, build_studio
from tests.notifications.helpers import MONDAY, class_on, madrid

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Inbox:
    """What the SMTP server received."""

    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str, subject: str | None = None) -> list[Message]:
        return [
            m for m in self.messages if m["To"] == address and (subject is None or m["Subject"] == subject)
        ]


@dataclass
class Background:
    celery: Celery
    inbox: Inbox
    sessions: async_sessionmaker[AsyncSession]

    def run(self, task: str, now: datetime) -> dict[str, int]:
        result: dict[str, int] = self.celery.send_task(task, kwargs={"now": now.isoformat()}).get(timeout=120)
        return result


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def worker_database(database_urls: DatabaseUrls) -> DatabaseUrls:
    data_dir = Settings().data_dir
    server = EmbeddedPostgres(data_dir if data_dir.is_absolute() else ROOT / data_dir)
    server.start()  # attaches to the server the session fixture started
    urls = server.ensure_database("cadence_worker_test", recreate=True)
    upgrade(urls.owner, APP_ROLE)
    return urls


@pytest.fixture(scope="module")
def background_services(
    worker_database: DatabaseUrls, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Celery, Inbox]]:
    """Redis, an SMTP server and one worker process, for the whole module."""
    home = tmp_path_factory.mktemp("worker")
    redis = EmbeddedRedis(home)
    redis_url = redis.start()
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    smtp.start()
    env = {
        **os.environ,
        "CADENCE_DATABASE_URL": worker_database.app,
        "CADENCE_REDIS_URL": redis_url,
        "CADENCE_SMTP_HOST": "127.0.0.1",
        "CADENCE_SMTP_PORT": str(smtp.port),
        "CADENCE_DATA_DIR": str(home),
        "CADENCE_PUBLIC_BASE_URL": "https://cadence.test",
    }
    env.pop("CADENCE_TELEGRAM_TOKEN", None)
    log = (home / "worker.log").open("w")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "channels.worker",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    celery = create_celery(Settings(redis_url=redis_url))
    try:
        deadline = time.monotonic() + 90
        while not celery.control.ping(timeout=1.0):
            assert worker.poll() is None, (home / "worker.log").read_text()
            assert time.monotonic() < deadline, (
                "the worker did not start: " + (home / "worker.log").read_text()
            )
        yield celery, inbox
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        log.close()
        smtp.stop()
        celery.close()
        redis.stop()


@pytest.fixture
async def background(
    background_services: tuple[Celery, Inbox], worker_database: DatabaseUrls
) -> AsyncIterator[Background]:
    engine = create_engine(worker_database.app)
    celery, inbox = background_services
    yield Background(celery, inbox, session_factory(engine))
    await engine.dispose()


async def new_studio(background: Background, *, class_today: bool = False) -> tuple[Studio, str, str]:
    """A committed studio; returns it with the teacher's and the admin's email addresses."""
    async with unit_of_work(background.sessions) as session:
        studio = await build_studio(session)
        if class_today:
            await class_on(session, studio, MONDAY)
        teacher = await session.get(User, studio.teacher.user_id)
        admin = await session.get(User, studio.admin.user_id)
        assert teacher is not None and admin is not None
        return studio, teacher.email, admin.email


async def test_a_summary_is_delivered_once_when_its_tasks_run_twice(background: Background) -> None:
    studio, lucia, _ = await new_studio(background, class_today=True)
    first = background.run("cadence.plan_summaries", madrid(7, 5))
    second = background.run("cadence.plan_summaries", madrid(7, 5))  # a beat that fired twice
    background.run("cadence.deliver_notifications", madrid(7, 6))
    background.run("cadence.deliver_notifications", madrid(7, 6))
    assert first[studio.org.slug] >= 1 and second[studio.org.slug] == 0
    (agenda,) = background.inbox.to(lucia)
    assert agenda["Subject"] == "Your day, Monday 2026-11-30"
    assert "Salsa Beginners" in agenda.get_payload()


async def test_a_payment_reminder_waits_out_quiet_hours(background: Background) -> None:
    studio, _, _ = await new_studio(background)
    family = f"family-{uuid.uuid4().hex[:8]}@example.com"
    ana = studio.students["Ana"]
    async with unit_of_work(background.sessions, studio.admin) as session:
        await students.add_guardian(
            session, studio.admin, ana.id, data=GuardianIn(full_name="Marta García", email=family)
        )
        await payments.generate_tuition(session, studio.admin, month=MONDAY, today=MONDAY)
        await reminders.send_reminder(session, studio.admin, ana.id, today=MONDAY)
    background.run("cadence.dispatch_outbox", madrid(22, 0))
    background.run("cadence.deliver_notifications", madrid(22, 1))
    background.run("cadence.deliver_notifications", madrid(6, 59, day=MONDAY + timedelta(days=1)))
    assert background.inbox.to(family) == []  # 22:01 and 06:59 are quiet hours
    background.run("cadence.deliver_notifications", madrid(7, 1, day=MONDAY + timedelta(days=1)))
    (reminder,) = background.inbox.to(family, "Tuition reminder")
    assert "https://cadence.test/upload/" in reminder.get_payload()


async def test_a_cancelled_class_reaches_its_teacher_once(background: Background) -> None:
    studio, lucia, _ = await new_studio(background)
    async with unit_of_work(background.sessions, studio.admin) as session:
        row = await class_on(session, studio, MONDAY + timedelta(days=1))
        await class_sessions.cancel_session(session, studio.admin, row.id, reason="Teacher ill")
    for _ in range(2):
        background.run("cadence.dispatch_outbox", madrid(12, 0))
        background.run("cadence.deliver_notifications", madrid(12, 1))
    (cancelled,) = background.inbox.to(lucia, "Class cancelled")
    assert "Teacher ill" in cancelled.get_payload()


async def test_an_opted_out_recipient_gets_nothing(background: Background) -> None:
    studio, _, admin = await new_studio(background)
    async with unit_of_work(background.sessions, studio.admin) as session:
        await notifications.opt_out(
            session, studio.admin, recipient=f"user:{studio.admin.user_id}", kind=Kind.ADMIN_DIGEST
        )
    background.run("cadence.plan_summaries", madrid(9, 30))
    background.run("cadence.deliver_notifications", madrid(9, 31))
    subjects = [m["Subject"] for m in background.inbox.to(admin)]
    assert subjects == ["Records to complete"]  # control: the kind not opted out still arrives


async def test_the_outbox_redispatches_after_a_crash_without_duplicates(background: Background) -> None:
    from domain.notifications import outbox

    studio, lucia, _ = await new_studio(background)
    async with unit_of_work(background.sessions, studio.admin) as session:
        for week in (1, 2):
            row = await class_on(session, studio, MONDAY + timedelta(days=7 * week))
            await class_sessions.cancel_session(session, studio.admin, row.id, reason="Venue closed")

    async def crash(*args: object) -> list[notifications.Message]:
        raise SystemExit("killed mid-batch")

    delivery = outbox.Delivery(madrid(12), False, "https://cadence.test", timedelta(days=30))
    with pytest.raises(SystemExit):
        async with unit_of_work(background.sessions, studio.admin) as session:
            await outbox.dispatch(
                session, studio.admin, delivery=delivery, consumers={"session.cancelled": crash}
            )
    for _ in range(2):
        background.run("cadence.dispatch_outbox", madrid(12, 1))
        background.run("cadence.deliver_notifications", madrid(12, 2))
    assert len(background.inbox.to(lucia, "Class cancelled")) == 2
