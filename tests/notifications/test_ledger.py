"""The ledger: queued once per (recipient, kind, period); opt-outs, switched-off kinds, quiet hours,
retries and the worker that died mid-send."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
import respx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from channels import jobs
from channels.notify.senders import TelegramSender
from domain.db import unit_of_work
from domain.errors import Forbidden
from domain.notifications import recipients
from domain.notifications import service as notifications
from domain.notifications.models import Channel, Kind, Status, TelegramAccount
from domain.notifications.schemas import Preferences, PreferencesPatch
from domain.notifications.service import Message, Recipient
from tests.domain.studio import Studio, build_studio
from tests.notifications.helpers import MONDAY, Recorder, ledger, madrid

TOKEN = "123456:TEST"
BOT = f"https://api.telegram.org/bot{TOKEN}"
TUESDAY = MONDAY + timedelta(days=1)


def reminder(to: Recipient, period: str = "2026-11-30") -> Message:
    return Message(to, Kind.PAYMENT_REMINDER, period, "Tuition reminder", "80.00 EUR open")


async def studio_of(sessions: async_sessionmaker[AsyncSession]) -> Studio:
    async with unit_of_work(sessions) as session:
        return await build_studio(session)


async def test_a_message_is_queued_once_per_recipient_kind_and_period(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    studio = await studio_of(sessions)
    family = recipients.family(studio.students["Ana"].id, "Ana García", "ana@example.com")
    async with unit_of_work(sessions, studio.admin) as session:
        prefs = Preferences()
        first = await notifications.queue(
            session, studio.admin, reminder(family), prefs=prefs, now=madrid(10)
        )
        again = await notifications.queue(
            session, studio.admin, reminder(family), prefs=prefs, now=madrid(11)
        )
        next_day = await notifications.queue(
            session, studio.admin, reminder(family, "2026-12-01"), prefs=prefs, now=madrid(10)
        )
        rows = await ledger(session)
    assert (first, again, next_day) == (True, False, True)
    assert [(r.period, r.status) for r in rows] == [
        ("2026-11-30", Status.PENDING),
        ("2026-12-01", Status.PENDING),
    ]


async def test_opted_out_recipients_and_switched_off_kinds_are_recorded_but_never_sent(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    studio = await studio_of(sessions)
    ana = recipients.family(studio.students["Ana"].id, "Ana García", "ana@example.com")
    jose = recipients.family(studio.students["José"].id, "José Martínez", "jose@example.com")
    sofia = recipients.family(studio.students["Sofía"].id, "Sofía López", None)
    async with unit_of_work(sessions, studio.admin) as session:
        await notifications.opt_out(session, studio.admin, recipient=ana.key, kind=None)
        prefs = await notifications.preferences(session, studio.admin)
        for to in (ana, jose, sofia):
            await notifications.queue(session, studio.admin, reminder(to), prefs=prefs, now=madrid(10))
        # Opting out after the message was queued still stops it at delivery.
        await notifications.opt_out(session, studio.admin, recipient=jose.key, kind=Kind.PAYMENT_REMINDER)
    email = Recorder()
    await jobs.deliver_notifications(sessions, senders={Channel.EMAIL: email}, now=madrid(10, 5))
    async with unit_of_work(sessions, studio.admin) as session:
        rows = {r.recipient: r for r in await ledger(session)}
    assert email.sent == []
    assert (rows[ana.key].status, rows[ana.key].reason) == (Status.SKIPPED, "opted out")
    assert (rows[jose.key].status, rows[jose.key].reason) == (Status.SKIPPED, "opted out")
    assert rows[sofia.key].status is Status.SKIPPED and "no email address" in (rows[sofia.key].reason or "")

    # Positive control: opting back in lets the next period through; a switched-off kind does not.
    async with unit_of_work(sessions, studio.admin) as session:
        await notifications.opt_in(session, studio.admin, recipient=ana.key, kind=None, now=madrid(11))
        await notifications.update_preferences(
            session, studio.admin, patch=PreferencesPatch(disabled_kinds=[Kind.SESSION_CANCELLED])
        )
        prefs = await notifications.preferences(session, studio.admin)
        await notifications.queue(
            session, studio.admin, reminder(ana, "2026-12-01"), prefs=prefs, now=madrid(11)
        )
        cancelled = Message(ana, Kind.SESSION_CANCELLED, "x", "Class cancelled", "…")
        await notifications.queue(session, studio.admin, cancelled, prefs=prefs, now=madrid(11))
    await jobs.deliver_notifications(sessions, senders={Channel.EMAIL: email}, now=madrid(11, 5))
    assert [(n.recipient, n.period) for n in email.sent] == [(ana.key, "2026-12-01")]
    async with unit_of_work(sessions, studio.admin) as session:
        switched_off = [r for r in await ledger(session) if r.kind == Kind.SESSION_CANCELLED]
    assert [r.status for r in switched_off] == [Status.SKIPPED]


async def test_people_manage_their_own_opt_outs_and_the_office_anyones(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    studio = await studio_of(sessions)
    own = f"user:{studio.teacher.user_id}"
    async with unit_of_work(sessions, studio.teacher) as session:
        await notifications.opt_out(session, studio.teacher, recipient=own, kind=Kind.TEACHER_AGENDA)
        with pytest.raises(Forbidden):
            await notifications.opt_out(
                session, studio.teacher, recipient=f"user:{studio.admin.user_id}", kind=None
            )
    async with unit_of_work(sessions, studio.staff) as session:
        await notifications.opt_out(
            session, studio.staff, recipient=f"student:{studio.students['Ana'].id}", kind=None
        )
        with pytest.raises(Forbidden):
            await notifications.update_preferences(
                session, studio.staff, patch=PreferencesPatch(agenda_hour=6)
            )


async def test_telegram_messages_wait_for_the_end_of_quiet_hours_and_go_out_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    studio = await studio_of(sessions)
    assert studio.teacher.user_id is not None
    async with unit_of_work(sessions, studio.admin) as session:
        session.add(TelegramAccount(user_id=studio.teacher.user_id, telegram_user_id=777, chat_id=777))
        await session.flush()
        lucia = await recipients.user(session, studio.teacher.user_id, telegram=True)
        message = Message(
            lucia, Kind.SESSION_CANCELLED, "session:1", "Class cancelled", "Salsa is cancelled."
        )
        await notifications.queue(session, studio.admin, message, prefs=Preferences(), now=madrid(22))
    assert (lucia.channel, lucia.address) == (Channel.TELEGRAM, "777")

    with respx.mock(assert_all_called=False) as telegram:
        get_me = telegram.post(f"{BOT}/getMe").respond(
            json={
                "ok": True,
                "result": {"id": 1, "is_bot": True, "first_name": "Cadence", "username": "cadence_bot"},
            }
        )
        send = telegram.post(f"{BOT}/sendMessage").respond(
            json={
                "ok": True,
                "result": {"message_id": 5, "date": 0, "chat": {"id": 777, "type": "private"}, "text": "x"},
            }
        )
        senders = {Channel.TELEGRAM: TelegramSender(TOKEN)}
        at_night = await jobs.deliver_notifications(sessions, senders=senders, now=madrid(22, 30))
        async with unit_of_work(sessions, studio.admin) as session:
            (waiting,) = await ledger(session)
        assert send.call_count == 0 and at_night[0].count == 0
        assert waiting.status is Status.PENDING and waiting.not_before == madrid(7, day=TUESDAY)

        morning = madrid(7, 1, day=TUESDAY)
        await jobs.deliver_notifications(sessions, senders=senders, now=morning)
        await jobs.deliver_notifications(sessions, senders=senders, now=morning + timedelta(minutes=5))
        assert send.call_count == 1 and get_me.called
        form = dict(httpx.QueryParams(send.calls[0].request.content.decode()))
        assert form["chat_id"] == "777" and "Salsa is cancelled." in form["text"]
    async with unit_of_work(sessions, studio.admin) as session:
        (sent,) = await ledger(session)
    assert (sent.status, sent.attempts, sent.sent_at) == (Status.SENT, 1, morning)


async def test_a_refused_send_is_retried_later_and_a_send_cut_short_is_never_repeated(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    studio = await studio_of(sessions)
    ana = recipients.family(studio.students["Ana"].id, "Ana García", "ana@example.com")
    jose = recipients.family(studio.students["José"].id, "José Martínez", "jose@example.com")
    async with unit_of_work(sessions, studio.admin) as session:
        for to in (ana, jose):
            await notifications.queue(
                session, studio.admin, reminder(to), prefs=Preferences(), now=madrid(10)
            )

    class Refusing(Recorder):
        async def send(self, notification: object) -> None:
            raise ConnectionRefusedError("mail server down")

    await jobs.deliver_notifications(sessions, senders={Channel.EMAIL: Refusing()}, now=madrid(10))
    async with unit_of_work(sessions, studio.admin) as session:
        rows = await ledger(session)
        assert {(r.status, r.attempts) for r in rows} == {(Status.PENDING, 1)}
        assert all("mail server down" in (r.reason or "") for r in rows)
        # Simulate a worker that claimed José's reminder and died before recording the result.
        stuck = next(r for r in rows if r.recipient == jose.key)
        stuck.status, stuck.claimed_at = Status.SENDING, madrid(10)

    email = Recorder()
    await jobs.deliver_notifications(sessions, senders={Channel.EMAIL: email}, now=madrid(10, 30))
    async with unit_of_work(sessions, studio.admin) as session:
        by_recipient = {r.recipient: r for r in await ledger(session)}
    assert [n.recipient for n in email.sent] == [ana.key]  # retried after its back-off
    assert by_recipient[ana.key].status is Status.SENT
    assert by_recipient[jose.key].status is Status.UNCERTAIN  # not sent a second time
