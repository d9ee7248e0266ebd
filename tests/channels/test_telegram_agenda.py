"""The morning agenda through the fake Bot API server: planned and delivered by the scheduled jobs, it
arrives with a roll button per class of the teacher's day; a tap opens that class's roster, as /roll
does. The buttons are signed for the teacher: the office's tap on them does nothing, hers does."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from channels import jobs
from channels.notify.senders import MaildirSender, Sender, TelegramSender
from channels.telegram.agenda import BotSender, with_roll_buttons
from channels.telegram.fake_api import CALLBACK_DATA_LIMIT, Person
from domain.notifications.models import Channel
from domain.settings import Settings
from tests.channels.telegram_fake import (  # noqa: F401 - the *_fixture one is a fixture, shared
    TOKEN,
    FakeTelegram,
    class_today,
    fake_telegram_fixture,
)
from tests.channels.telegram_support import studio
from tests.copilot.conftest import checkpointer  # noqa: F401 - the fixture, shared

LUCIA = Person(7001, "Lucía")
OFFICE = Person(7002, "Admin")


async def test_the_agenda_has_a_roll_button_per_class_for_its_teacher_only(
    fake_telegram: FakeTelegram, sessions: async_sessionmaker[AsyncSession]
) -> None:
    api, school = fake_telegram.api, await studio(sessions)
    today = school.admin.today()
    await class_today(sessions, school, today, at=time(10, 0))
    await class_today(sessions, school, today, at=time(18, 0))
    await fake_telegram.set_webhook()
    await fake_telegram.link(LUCIA, school.teacher.user_id)
    await fake_telegram.link(OFFICE, school.admin.user_id)

    morning = datetime.combine(today, time(7, 30), tzinfo=ZoneInfo(school.admin.timezone))
    await jobs.plan_summaries(sessions, Settings(telegram_token=TOKEN), now=morning)
    sender = BotSender(TOKEN, sessions, api_url=fake_telegram.url)
    sent = await jobs.deliver_notifications(sessions, senders={Channel.TELEGRAM: sender}, now=morning)
    assert sum(r.count for r in sent) == 1  # the teacher's agenda; the office has no digest today

    agenda = fake_telegram.last(LUCIA)
    assert agenda.text.startswith("Your day, ") and "\n\nToday's classes:\n" in agenda.text
    assert "#" not in agenda.text and agenda.text.count("Your day, ") == 1  # read as a chat, not Markdown
    assert agenda.labels() == ["📋 Roll: 10:00 Salsa Beginners", "📋 Roll: 18:00 Salsa Beginners"]
    assert all(len(d.encode()) <= CALLBACK_DATA_LIMIT for d in agenda.data())

    seen = len(api.bot_messages(OFFICE.id))  # the office may take any roll, but not with her button
    await api.deliver(api.press_of(OFFICE, agenda, agenda.data()[1], chat_id=OFFICE.id))
    assert len(api.bot_messages(OFFICE.id)) == seen and fake_telegram.last(LUCIA) is agenda

    await api.tap(LUCIA, agenda, "📋 Roll: 18:00 Salsa Beginners")
    roll = fake_telegram.last(LUCIA)
    assert roll is not agenda and roll.text.startswith("Roll of Salsa Beginners")
    assert roll.labels() == ["✅ Ana García", "✅ José Martínez", "✅ Sofía López", "💾 Save"]


def test_the_delivery_job_sends_telegram_through_the_bot_sender_and_keeps_the_others(
    tmp_path: Path,
) -> None:
    email = MaildirSender(tmp_path, sender="cadence@example.org")
    plain: dict[Channel, Sender] = {Channel.EMAIL: email, Channel.TELEGRAM: TelegramSender(TOKEN)}
    senders = with_roll_buttons(plain, async_sessionmaker())
    assert isinstance(senders[Channel.TELEGRAM], BotSender) and senders[Channel.EMAIL] is email
    assert with_roll_buttons({Channel.EMAIL: email}, async_sessionmaker()) == {Channel.EMAIL: email}
