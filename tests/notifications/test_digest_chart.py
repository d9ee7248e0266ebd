"""The weekly digest email carries its chart: the digest (planned by the real job) draws the attendance of
the last eight weeks once, and the email sender, from the ledger row alone, sends it through a local SMTP
server (aiosmtpd) as the plain text unchanged plus an HTML alternative with the PNG inline (``cid:``).
Another summary of the same admin, and a digest with nothing marked, go as plain text without an image."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import respx
from aiosmtpd.controller import Controller
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import copilot.summaries
from channels import jobs
from channels.notify.senders import SmtpSender, TelegramSender
from domain.attendance import service as attendance
from domain.attendance.models import AttendanceStatus
from domain.attendance.schemas import Mark
from domain.db import unit_of_work
from domain.notifications.models import Channel, Kind, Notification
from domain.reports.charts import stored_chart
from domain.settings import Settings
from tests.domain.studio import build_studio
from tests.notifications.helpers import MONDAY, class_on, ledger, madrid

PNG = b"\x89PNG\r\n\x1a\n"
TOKEN = "123:DIGEST"
BOT = f"https://api.telegram.org/bot{TOKEN}"


@dataclass
class Inbox:
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture(name="smtp")
def smtp_fixture() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        yield inbox, port
    finally:
        server.stop()


async def _digest_rows(
    sessions: async_sessionmaker[AsyncSession], tenant: Any, user_id: Any
) -> dict[str, Notification]:
    async with unit_of_work(sessions, tenant) as session:
        return {r.kind: r for r in await ledger(session) if r.recipient == f"user:{user_id}"}


async def test_the_digest_email_carries_its_chart_inline_and_reads_without_it(
    sessions: async_sessionmaker[AsyncSession],
    smtp: tuple[Inbox, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(copilot.summaries, "get_settings", lambda: Settings(data_dir=tmp_path))
    async with unit_of_work(sessions) as session:
        studio = await build_studio(session)
        for weeks_ago in (1, 2):  # marks in the eight weeks the chart covers
            lesson = await class_on(session, studio, MONDAY - timedelta(weeks=weeks_ago))
            marks = [Mark(student_id=studio.students["Ana"].id, status=AttendanceStatus.PRESENT)]
            now = datetime.now(UTC)
            await attendance.mark_attendance(
                session, studio.admin, lesson.id, marks=marks, today=MONDAY, now=now
            )
    async with unit_of_work(sessions) as session:
        elsewhere = await build_studio(session)  # another school, nothing marked
    await jobs.plan_summaries(sessions, Settings(telegram_token=None), now=madrid(9, 30))
    rows = await _digest_rows(sessions, studio.admin, studio.admin.user_id)
    digest, other = rows[Kind.ADMIN_DIGEST], rows[Kind.MISSING_DATA]
    their_digest = (await _digest_rows(sessions, elsewhere.admin, elsewhere.admin.user_id))[Kind.ADMIN_DIGEST]
    assert their_digest.period == digest.period  # the same week: only the organization tells them apart
    inbox, port = smtp
    sender = SmtpSender("127.0.0.1", port, sender="cadence@example.test", charts=tmp_path / "charts")
    for row in (digest, other, their_digest):
        await sender.send(row)
    sent_digest, sent_other, sent_theirs = inbox.messages

    plain = sent_digest.get_body(preferencelist=("plain",))
    said = plain.get_content().replace("\r\n", "\n") if plain is not None else ""  # SMTP's line ends
    assert said.rstrip("\n") == digest.body.rstrip("\n")  # the text unchanged: it reads without the image
    images = [p for p in sent_digest.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 1
    png = images[0].get_content()
    assert png.startswith(PNG) and len(png) > 5000
    rich = sent_digest.get_body(preferencelist=("html",))
    assert rich is not None and f"cid:{images[0]['Content-ID'][1:-1]}" in rich.get_content()
    assert images[0].get_content_disposition() == "inline"

    for plain_only in (sent_other, sent_theirs):  # missing records; the other school's digest
        assert not plain_only.is_multipart()
        assert [p for p in plain_only.walk() if p.get_content_maintype() == "image"] == []
    assert [d.name for d in (tmp_path / "charts").iterdir()] == [str(studio.admin.org_id)]


async def test_a_digest_with_nothing_marked_goes_as_text(
    sessions: async_sessionmaker[AsyncSession],
    smtp: tuple[Inbox, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(copilot.summaries, "get_settings", lambda: Settings(data_dir=tmp_path))
    async with unit_of_work(sessions) as session:
        studio = await build_studio(session)
    await jobs.plan_summaries(sessions, Settings(telegram_token=None), now=madrid(9, 30))
    digest = (await _digest_rows(sessions, studio.admin, studio.admin.user_id))[Kind.ADMIN_DIGEST]
    inbox, port = smtp
    await SmtpSender("127.0.0.1", port, sender="cadence@example.test", charts=tmp_path / "charts").send(
        digest
    )
    assert not inbox.messages[0].is_multipart() and "Tuition not paid" in inbox.messages[0].get_content()
    assert not (tmp_path / "charts").exists()  # nothing to draw, nothing drawn


def _row(org_id: uuid.UUID, kind: Kind, address: str) -> Notification:
    return Notification(
        id=uuid.uuid4(),
        organization_id=org_id,
        recipient="user:x",
        kind=kind.value,
        period="2026-W49",
        channel=Channel.TELEGRAM,
        address=address,
        subject="Weekly digest",
        body="Attendance: 90%.",
    )


async def test_a_digest_to_telegram_sends_its_chart_after_the_text_and_a_refused_photo_costs_no_resend(
    tmp_path: Path,
) -> None:
    org = uuid.uuid4()
    chart = stored_chart(tmp_path, org, Kind.ADMIN_DIGEST.value, "2026-W49")
    chart.parent.mkdir(parents=True)
    chart.write_bytes(PNG + b"a drawn chart")
    me = {"id": 1, "is_bot": True, "first_name": "Cadence", "username": "cadence_bot"}
    message = {"message_id": 5, "date": 0, "chat": {"id": 777, "type": "private"}, "text": "x"}
    with respx.mock(assert_all_called=False) as telegram:
        telegram.post(f"{BOT}/getMe").respond(json={"ok": True, "result": me})
        text = telegram.post(f"{BOT}/sendMessage").respond(json={"ok": True, "result": message})
        photo = telegram.post(f"{BOT}/sendPhoto").respond(json={"ok": True, "result": message})
        sender = TelegramSender(TOKEN, charts=tmp_path)
        await sender.send(_row(org, Kind.ADMIN_DIGEST, "777"))
        assert text.call_count == 1 and photo.call_count == 1
        assert PNG + b"a drawn chart" in photo.calls[0].request.content  # the file uploaded as it was drawn
        await sender.send(_row(org, Kind.MISSING_DATA, "777"))  # another summary: no chart
        await sender.send(_row(uuid.uuid4(), Kind.ADMIN_DIGEST, "777"))  # another school's digest: none
        assert text.call_count == 3 and photo.call_count == 1

        photo.respond(
            400, json={"ok": False, "error_code": 400, "description": "Bad Request: IMAGE_PROCESS_FAILED"}
        )
        await sender.send(_row(org, Kind.ADMIN_DIGEST, "777"))  # does not raise: the ledger will not resend
        assert text.call_count == 4 and photo.call_count == 2
