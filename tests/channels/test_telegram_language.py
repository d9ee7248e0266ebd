"""The person's own language in the bot, through the fake Bot API server: /language (or /idioma) keeps
the choice on their account (``users.language``), it sticks across messages, beats their Telegram app's
language and reaches the morning agenda; "automatic" hands it back to the Telegram app, else the
school's locale. Someone not linked cannot set anything (with a linked person as the control)."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from channels import jobs
from channels.telegram.agenda import BotSender
from channels.telegram.fake_api import Person
from domain.auth.models import User
from domain.db import unit_of_work
from domain.notifications.models import Channel
from domain.orgs.models import Organization
from domain.settings import Settings
from tests.channels.telegram_fake import (  # noqa: F401 - the *_fixture one is a fixture, shared
    TOKEN,
    FakeTelegram,
    class_today,
    fake_telegram_fixture,
)
from tests.channels.telegram_support import studio
from tests.copilot.conftest import checkpointer  # noqa: F401 - the fixture, shared

HELP_EN, HELP_ES = "I'm Cadence, your school's assistant.", "Soy Cadence, el asistente de tu escuela."


async def languages(sessions: async_sessionmaker[AsyncSession]) -> dict[object, str | None]:
    """Everyone's own setting, by user id."""
    async with unit_of_work(sessions) as session:
        return {user: language for user, language in await session.execute(select(User.id, User.language))}


async def test_the_choice_sticks_beats_telegram_and_reaches_the_agenda(
    fake_telegram: FakeTelegram, sessions: async_sessionmaker[AsyncSession]
) -> None:
    api, school = fake_telegram.api, await studio(sessions)
    lucia = Person(9001, "Lucía", language_code="en")  # her Telegram app speaks English
    await class_today(sessions, school, school.admin.today())
    await fake_telegram.set_webhook()
    await fake_telegram.link(lucia, school.teacher.user_id)
    await api.say(lucia, "/help")
    assert fake_telegram.last(lucia).text.startswith(HELP_EN)

    await api.say(lucia, "/idioma es")
    assert fake_telegram.last(lucia).text == "A partir de ahora te hablo en español."
    for said in ("/help", "/roll"):  # later messages: Spanish, though her Telegram says English
        await api.say(lucia, said)
    help_es, roll = api.bot_messages(lucia.id)[-2:]
    assert help_es.text.startswith(HELP_ES) and roll.text.startswith("Lista de Salsa Beginners")

    today = school.admin.today()
    morning = datetime.combine(today, time(7, 30), tzinfo=ZoneInfo(school.admin.timezone))
    await jobs.plan_summaries(sessions, Settings(telegram_token=TOKEN), now=morning)
    sender = BotSender(TOKEN, sessions, api_url=fake_telegram.url)
    await jobs.deliver_notifications(sessions, senders={Channel.TELEGRAM: sender}, now=morning)
    agenda = fake_telegram.last(lucia)  # an English school: the agenda follows her choice
    assert agenda.text.startswith("Tu día, ") and agenda.labels() == ["📋 Lista: 18:00 Salsa Beginners"]

    await api.say(lucia, "/language")
    offer = fake_telegram.last(lucia)
    assert offer.labels() == [
        "English",
        "Español",
        "🌐 Automático (el de Telegram o, si no, el de la escuela)",
    ]
    await api.tap(lucia, offer, "English")
    assert fake_telegram.last(lucia).text == "From now on I speak English with you."
    assert (await languages(sessions))[school.teacher.user_id] == "en"
    await api.say(lucia, "/help")
    assert fake_telegram.last(lucia).text.startswith(HELP_EN)


async def test_automatic_is_the_telegram_app_then_the_school(
    fake_telegram: FakeTelegram, sessions: async_sessionmaker[AsyncSession]
) -> None:
    api, school = fake_telegram.api, await studio(sessions)
    async with unit_of_work(sessions, school.admin) as session:
        await session.execute(update(Organization).values(locale="es_ES"))  # a Spanish school
    lucia, office = Person(9011, "Lucía"), Person(9012, "Admin", language_code="en")  # no app language
    await fake_telegram.set_webhook()
    await fake_telegram.link(lucia, school.teacher.user_id)
    await fake_telegram.link(office, school.admin.user_id)
    await api.say(lucia, "/help")
    await api.say(office, "/help")
    assert fake_telegram.last(lucia).text.startswith(HELP_ES)  # the school's locale
    assert fake_telegram.last(office).text.startswith(HELP_EN)  # the Telegram app's, before the school's

    await api.say(lucia, "/language en")
    await api.say(lucia, "/language auto")
    assert fake_telegram.last(lucia).text.startswith("Te hablo en el idioma de tu Telegram")
    assert (await languages(sessions))[school.teacher.user_id] is None
    await api.say(lucia, "/language klingon")
    assert fake_telegram.last(lucia).text == "Hablo inglés (/idioma en) o español (/idioma es)."


async def test_someone_not_linked_cannot_set_a_language(
    fake_telegram: FakeTelegram, sessions: async_sessionmaker[AsyncSession]
) -> None:
    api, school = fake_telegram.api, await studio(sessions)
    stranger, lucia = Person(9021, "Stranger"), Person(9022, "Lucía")
    await fake_telegram.set_webhook()
    await fake_telegram.link(lucia, school.teacher.user_id)
    before = await languages(sessions)

    await api.say(stranger, "/idioma es")
    assert fake_telegram.last(stranger).text.startswith("Hello! This bot works for people of schools")
    await api.say(lucia, "/language")  # her buttons, pressed in the stranger's chat: nothing is kept
    offer = fake_telegram.last(lucia)
    await api.deliver(api.press_of(stranger, offer, "lang:es", chat_id=stranger.id))
    assert fake_telegram.last(stranger).text.startswith("Hello! This bot works for people of schools")
    assert await languages(sessions) == before

    await api.tap(lucia, offer, "Español")  # the control: a linked person's press is kept
    assert (await languages(sessions)) == before | {school.teacher.user_id: "es"}
