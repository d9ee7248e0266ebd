"""A Spanish-speaking teacher's whole day through the fake Bot API server, and an English one's as the
control: linking with a code, the morning agenda (sent by the scheduled jobs) and its roll button, the
roll with an earlier mark → toggles → Save → the preview → Confirm, a sick day the office covers with
a substitute who is told. Every text and button the teacher receives is checked against both of the
bot's catalogues: none of the other language's sentences arrives, and the expected ones do."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import tools
from channels import jobs
from channels.telegram import texts
from channels.telegram.agenda import BotSender
from channels.telegram.fake_api import FakeBotApi, Person
from copilot import summaries
from domain.attendance import service as attendance
from domain.attendance.models import AttendanceStatus
from domain.attendance.schemas import Mark
from domain.db import unit_of_work
from domain.notifications import outbox
from domain.notifications.models import Channel, Notification
from domain.orgs.models import Organization
from domain.settings import Settings
from domain.teachers import service as teachers
from domain.teachers.models import TeacherPaymentType
from domain.teachers.schemas import TeacherIn
from tests.channels.telegram_fake import (  # noqa: F401 - the *_fixture one is a fixture, shared
    TOKEN,
    FakeTelegram,
    class_today,
    fake_telegram_fixture,
    marks,
)
from tests.channels.telegram_support import studio
from tests.copilot.conftest import checkpointer  # noqa: F401 - the fixture, shared

ANSWERS = Path(tools.__file__).parent / "answers"
P, A, L = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT, AttendanceStatus.LATE

# What each language's run must show, in the order the day goes.
EXPECTED = {
    "es": {
        "connected": "Conectado. Trabajas con:",
        "agenda": "Tu día, ",
        "agenda_button": "📋 Lista: 18:00 Salsa Beginners",
        "roll": "Lista de Salsa Beginners",
        "save": "💾 Guardar",
        "changes": "Cambia marcas ya registradas:\n- José Martínez: ausente → tarde",
        "confirm": "Confirmar",
        "settled": "Confirmado: Guardar la lista de Salsa Beginners",
        "which_day": "¿Qué día no puedes dar clase?",
        "sick_preview": "Avisar de que no puedes dar clase",
        "substitute": "🔁 Asignar sustituto",
    },
    "en": {
        "connected": "Connected. You work with:",
        "agenda": "Your day, ",
        "agenda_button": "📋 Roll: 18:00 Salsa Beginners",
        "roll": "Roll of Salsa Beginners",
        "save": "💾 Save",
        "changes": "It changes marks already recorded:\n- José Martínez: absent → late",
        "confirm": "Confirm",
        "settled": "Confirmed: Save the roll of Salsa Beginners",
        "which_day": "Which day can't you teach?",
        "sick_preview": "Report that you can't teach on",
        "substitute": "🔁 Assign a substitute",
    },
}


def _answers(language: str) -> list[str]:
    """The tools' sentences (``tools/answers``: previews, what a write did, questions, refusals)."""

    def flat(node: object) -> list[str]:
        if isinstance(node, dict):
            return [t for value in node.values() for t in flat(value)]
        if isinstance(node, list):
            return [t for value in node for t in flat(value)]
        return [node] if isinstance(node, str) else []

    return flat(yaml.safe_load((ANSWERS / f"{language}.yaml").read_text(encoding="utf-8")))


def catalogue(language: str) -> list[str]:
    return [*texts._TEXTS[language].values(), *summaries._WORDS[language].values(), *_answers(language)]


def sentences(language: str) -> set[str]:
    """The catalogues' sentences of one language (the bot's, the summaries', the tools'), cut at their
    {fields}, that the other language's do not share (a command's name, a name): what must never reach
    the other language's speaker."""
    other = texts.SPANISH if language == texts.ENGLISH else texts.ENGLISH
    said, shared = catalogue(language), " ".join(catalogue(other))
    parts = {p.strip(" .,:\n") for text in said for p in re.split(r"\{[a-z_]+\}", text)}
    return {p for p in parts if len(p) >= 8 and p not in shared and not p.startswith("/")}


def received(api: FakeBotApi, person: Person) -> list[str]:
    """Every text and button label the bot sent to or edited in the person's chat, in order."""
    seen = []
    for call in api.calls:
        if call.method in ("sendMessage", "editMessageText") and int(call.params["chat_id"]) == person.id:
            seen.append(str(call.params["text"]))
            for row in (call.params.get("reply_markup") or {}).get("inline_keyboard", []):
                seen.extend(b["text"] for b in row)
    return seen


@pytest.mark.parametrize("language", ["es", "en"])
async def test_a_teachers_whole_day_is_in_her_language(
    language: str, fake_telegram: FakeTelegram, sessions: async_sessionmaker[AsyncSession]
) -> None:
    api, school, want = fake_telegram.api, await studio(sessions), EXPECTED[language]
    lucia, office = Person(8001, "Lucía", language), Person(8002, "Admin", language)
    today = school.admin.today()
    async with unit_of_work(sessions, school.admin) as session:  # the school speaks it too
        await session.execute(update(Organization).values(locale=f"{language}_ES"))
        carmen = await teachers.create_teacher(
            session,
            school.admin,
            data=TeacherIn(
                full_name="Carmen Ruiz",
                payment_type=TeacherPaymentType.PER_CLASS,
                rate_per_class=Decimal("40.00"),
                email="carmen@example.org",
            ),
        )
    lesson = await class_today(sessions, school, today)
    tomorrow = await class_today(sessions, school, today + timedelta(days=1), at=time(19, 0))
    await fake_telegram.set_webhook()

    await fake_telegram.link(lucia, school.teacher.user_id)  # the link flow
    await fake_telegram.link(office, school.admin.user_id)
    assert fake_telegram.last(lucia).text.startswith(want["connected"])

    morning = datetime.combine(today, time(7, 30), tzinfo=ZoneInfo(school.admin.timezone))
    await jobs.plan_summaries(sessions, Settings(telegram_token=TOKEN), now=morning)
    sender = BotSender(TOKEN, sessions, api_url=fake_telegram.url)
    await jobs.deliver_notifications(sessions, senders={Channel.TELEGRAM: sender}, now=morning)
    agenda = fake_telegram.last(lucia)
    assert agenda.text.startswith(want["agenda"]) and agenda.labels() == [want["agenda_button"]]

    async with unit_of_work(sessions, school.admin) as session:  # the office marked José meanwhile
        await attendance.mark_attendance(
            session,
            school.admin,
            lesson.id,
            marks=[Mark(student_id=school.students["José"].id, status=A)],
            today=today,
            now=datetime.now(UTC),
        )
    await api.tap(lucia, agenda, want["agenda_button"])  # the roll, with José's earlier mark
    roll = fake_telegram.last(lucia)
    assert roll.text.startswith(want["roll"])
    assert roll.labels() == ["✅ Ana García", "❌ José Martínez", "✅ Sofía López", want["save"]]
    await api.tap(lucia, roll, "✅ Ana García")  # → absent
    await api.tap(lucia, roll, "❌ José Martínez")  # → late
    await api.tap(lucia, roll, want["save"])
    assert want["changes"] in roll.text and roll.labels()[0] == want["confirm"]
    await api.tap(lucia, roll, want["confirm"])
    assert await marks(sessions, school, lesson.id) == {"Ana": A, "José": L, "Sofía": P}
    assert roll.text.startswith(want["settled"]) and roll.buttons == []

    await api.say(lucia, "/sick")  # tomorrow's class: the office is told, then covers it
    which = fake_telegram.last(lucia)
    assert which.text.startswith(want["which_day"])
    await api.tap(lucia, which, which.data()[-1])
    preview = fake_telegram.last(lucia)
    assert preview.text.startswith(want["sick_preview"]) and preview.labels()[0] == want["confirm"]
    await api.tap(lucia, preview, want["confirm"])
    async with unit_of_work(sessions, school.admin) as session:
        told = list((await session.scalars(select(Notification.recipient))).all())
    assert f"user:{school.admin.user_id}" in told  # the office
    await api.say(office, "/cover")
    offer = fake_telegram.last(office)
    await api.tap(office, offer, want["substitute"])
    await api.tap(office, fake_telegram.last(office), "Carmen Ruiz")
    await api.tap(office, fake_telegram.last(office), want["confirm"])
    async with unit_of_work(sessions, school.admin) as session:
        delivery = outbox.Delivery(datetime.now(UTC), True, "http://cadence.test", timedelta(days=7))
        await outbox.dispatch(session, school.admin, delivery=delivery)
        told = list((await session.scalars(select(Notification.recipient))).all())
    assert f"teacher:{carmen.id}" in told and tomorrow.id  # the substitute

    day = received(api, lucia)
    other = texts.SPANISH if language == texts.ENGLISH else texts.ENGLISH
    leaked = [(s, t) for t in [*day, *received(api, office)] for s in sentences(other) if s in t]
    assert leaked == []  # nor to the office, who speaks it too
    assert sum(1 for t in day for s in sentences(language) if s in t) >= 10  # the day was in it


async def test_refusals_in_the_bots_flows_are_spanish_for_a_spanish_speaker(
    fake_telegram: FakeTelegram, sessions: async_sessionmaker[AsyncSession]
) -> None:
    api, school = fake_telegram.api, await studio(sessions)
    rosa, lucia = Person(8101, "Rosa", "es"), Person(8102, "Lucía", "es")
    await fake_telegram.set_webhook()
    await api.say(rosa, "/start not-a-code")
    assert fake_telegram.last(rosa).text == "Ese código ya no vale; pide uno nuevo en Cadence."
    await fake_telegram.link(lucia, school.teacher.user_id)
    await api.say(lucia, "/cover")  # a teacher does not decide for the office
    assert fake_telegram.last(lucia).text == "Solo la oficina puede ver las clases por cubrir."
    english = Person(8103, "Rose", "en")  # the control: the domain's own sentence
    await api.say(english, "/start not-a-code")
    assert fake_telegram.last(english).text == "That code is not valid any more; get a new one in Cadence."
