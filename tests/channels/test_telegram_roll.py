"""A teacher's roll through the fake Bot API server, end to end over HTTP: linking with a code, /today's
roll button, the roster as toggle buttons showing earlier marks, Save → a preview that names the marks
it changes → Confirm → the marks in the database exactly as tapped. Taps that must do nothing (another
person's, a second delivery, an old keyboard), a class of 30 on pages, Spanish, and polling mode."""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from channels.telegram.bot import BotDeps, build_application
from channels.telegram.fake_api import CALLBACK_DATA_LIMIT, Person
from channels.telegram.polling import poll
from domain.attendance import service as attendance
from domain.attendance.models import AttendanceStatus
from domain.attendance.schemas import Mark
from domain.db import unit_of_work
from domain.scheduling import service as scheduling
from domain.sessions import service as class_sessions
from domain.sessions.schemas import SessionIn
from tests.channels.telegram_fake import (  # noqa: F401 - the *_fixture one is a fixture, shared
    TOKEN,
    FakeTelegram,
    class_today,
    fake_telegram_fixture,
    marks,
)
from tests.channels.telegram_support import studio
from tests.copilot.conftest import checkpointer  # noqa: F401 - the fixture, shared

LUCIA = Person(5001, "Lucía")
MARCO = Person(5002, "Marco")
ROSA = Person(5003, "Rosa", language_code="es")
P, A, L = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT, AttendanceStatus.LATE


async def test_link_today_roll_save_confirm_through_the_webhook(
    fake_telegram: FakeTelegram, sessions: async_sessionmaker[AsyncSession]
) -> None:
    api, school = fake_telegram.api, await studio(sessions)
    today = school.admin.today()
    lesson = await class_today(sessions, school, today)
    async with unit_of_work(sessions, school.admin) as session:  # a mark recorded earlier
        await attendance.mark_attendance(
            session,
            school.admin,
            lesson.id,
            marks=[Mark(student_id=school.students["José"].id, status=A)],
            today=today,
            now=datetime.now(UTC),
        )
    await fake_telegram.set_webhook()
    await fake_telegram.link(LUCIA, school.teacher.user_id)
    assert fake_telegram.last(LUCIA).text.startswith("Connected. You work with:")
    assert [c["command"] for c in api.commands[""]] == [
        "today",
        "roll",
        "sick",
        "unpaid",
        "cover",
        "org",
        "language",
        "help",
    ]

    await api.say(LUCIA, "/today")
    agenda = fake_telegram.last(LUCIA)
    assert agenda.labels() == ["📋 Roll: 18:00 Salsa Beginners"]
    await api.tap(LUCIA, agenda, agenda.data()[0])
    roll = fake_telegram.last(LUCIA)
    assert roll.labels() == ["✅ Ana García", "❌ José Martínez", "✅ Sofía López", "💾 Save"]
    assert "2 present, 1 absent" in roll.text
    assert all(len(d.encode()) <= CALLBACK_DATA_LIMIT for d in roll.data())

    await api.tap(LUCIA, roll, "✅ Ana García")  # → absent
    await api.tap(LUCIA, roll, "❌ José Martínez")  # → late
    await api.tap(LUCIA, roll, "✅ Sofía López")  # → absent
    assert roll.labels() == ["❌ Ana García", "⏰ José Martínez", "❌ Sofía López", "💾 Save"]
    assert await marks(sessions, school, lesson.id) == {"José": A}  # nothing stored before Save

    save = roll.data()[-1]
    await api.tap(LUCIA, roll, "💾 Save")
    assert roll.text.startswith("Save the roll of Salsa Beginners")
    assert "It changes marks already recorded:\n- José Martínez: absent → late" in roll.text
    assert roll.labels() == ["Confirm", "Cancel"]
    proposed = len([c for c in api.calls if c.method == "editMessageText"])
    await api.deliver(api.press_of(LUCIA, roll, save))  # Save delivered again: no second preview
    assert len([c for c in api.calls if c.method == "editMessageText"]) == proposed

    confirm = roll.data()[0]
    await api.deliver(api.press_of(MARCO, roll, confirm, chat_id=MARCO.id))  # not linked: told so only
    await api.tap(LUCIA, roll, "Confirm")
    assert await marks(sessions, school, lesson.id) == {"Ana": A, "José": L, "Sofía": A}
    assert roll.text.startswith("Confirmed: Save the roll") and roll.buttons == []
    await api.deliver(api.press_of(LUCIA, roll, confirm))  # the same Confirm again: applied once
    assert await marks(sessions, school, lesson.id) == {"Ana": A, "José": L, "Sofía": A}


async def test_someone_elses_tap_and_an_old_keyboard_do_nothing(
    fake_telegram: FakeTelegram, sessions: async_sessionmaker[AsyncSession]
) -> None:
    api, school = fake_telegram.api, await studio(sessions)
    lesson = await class_today(sessions, school, school.admin.today())
    await fake_telegram.set_webhook()
    await fake_telegram.link(LUCIA, school.teacher.user_id)
    await fake_telegram.link(MARCO, school.admin.user_id)  # the office: may take any roll itself
    await api.say(LUCIA, "/roll")  # one class today: its roll at once
    roll = fake_telegram.last(LUCIA)
    first = roll.labels()
    ana = roll.data()[0]

    sent_before = len(api.bot_messages(MARCO.id))
    await api.deliver(api.press_of(MARCO, roll, ana, chat_id=MARCO.id))  # Lucía's button, Marco's tap
    assert roll.labels() == first and len(api.bot_messages(MARCO.id)) == sent_before
    await api.tap(LUCIA, roll, ana)  # control: hers works
    assert roll.labels()[0] == "❌ Ana García"
    await api.deliver(api.press_of(LUCIA, roll, ana))  # the old button, no longer shown: nothing
    assert roll.labels()[0] == "❌ Ana García"

    await api.tap(LUCIA, roll, roll.data()[-1])  # Save
    await api.tap(LUCIA, roll, "Confirm")
    assert await marks(sessions, school, lesson.id) == {"Ana": A, "José": P, "Sofía": P}


async def test_a_class_of_thirty_fits_in_pages(
    fake_telegram: FakeTelegram, sessions: async_sessionmaker[AsyncSession]
) -> None:
    api = fake_telegram.api
    names = tuple(f"Alumna{n:02d} Prueba" for n in range(1, 31))
    school = await studio(sessions, names)
    lesson = await class_today(sessions, school, school.admin.today())
    await fake_telegram.set_webhook()
    await fake_telegram.link(LUCIA, school.teacher.user_id)
    await api.say(LUCIA, "/roll")
    roll = fake_telegram.last(LUCIA)
    assert roll.labels()[:2] == ["✅ Alumna01 Prueba", "✅ Alumna02 Prueba"]
    assert roll.labels()[10:] == ["◀", "Page 1/3", "▶", "💾 Save"]
    await api.tap(LUCIA, roll, "◀")  # wraps round to the last page
    assert roll.labels()[9:11] == ["✅ Alumna30 Prueba", "◀"]
    await api.tap(LUCIA, roll, "✅ Alumna30 Prueba")
    await api.tap(LUCIA, roll, "▶")  # back to the first page; the tap is kept
    await api.tap(LUCIA, roll, "✅ Alumna01 Prueba")
    await api.tap(LUCIA, roll, "❌ Alumna01 Prueba")  # absent → late
    assert "28 present, 1 absent, 1 late" in roll.text
    assert all(len(d.encode()) <= CALLBACK_DATA_LIMIT for d in roll.data())
    await api.tap(LUCIA, roll, "💾 Save")
    await api.tap(LUCIA, roll, "Confirm")
    recorded = await marks(sessions, school, lesson.id)
    assert len(recorded) == 30 and recorded["Alumna30"] is A and recorded["Alumna01"] is L
    assert sum(status is P for status in recorded.values()) == 28


async def test_spanish_throughout_for_a_spanish_speaking_teacher(
    fake_telegram: FakeTelegram, sessions: async_sessionmaker[AsyncSession]
) -> None:
    api, school = fake_telegram.api, await studio(sessions)
    await class_today(sessions, school, school.admin.today())
    await fake_telegram.set_webhook()
    await fake_telegram.link(ROSA, school.teacher.user_id)
    assert fake_telegram.last(ROSA).text.startswith("Conectado. Trabajas con:")
    assert [c["description"] for c in api.commands["es"]][:2] == [
        "Tus clases de hoy",
        "Pasar lista de una clase de hoy",
    ]
    await api.say(ROSA, "/today")
    agenda = fake_telegram.last(ROSA)
    assert agenda.labels() == ["📋 Lista: 18:00 Salsa Beginners"]
    await api.tap(ROSA, agenda, agenda.data()[0])
    roll = fake_telegram.last(ROSA)
    assert roll.text.startswith("Lista de Salsa Beginners") and "3 presentes" in roll.text
    assert roll.labels()[-1] == "💾 Guardar"
    await api.tap(ROSA, roll, "✅ Ana García")
    await api.tap(ROSA, roll, "💾 Guardar")
    assert roll.text.startswith("Guardar la lista de Salsa Beginners")
    assert roll.text.endswith("Confirma para aplicarlo.") and roll.labels() == ["Confirmar", "Cancelar"]
    await api.tap(ROSA, roll, "Confirmar")
    assert roll.text.startswith("Confirmado: Guardar la lista de Salsa Beginners") and roll.buttons == []
    assert not roll.text.endswith("Confirma para aplicarlo.")
    await api.say(ROSA, "/help")
    assert fake_telegram.last(ROSA).text.startswith("Soy Cadence, el asistente de tu escuela.")
    await api.say(Person(5009, "Extraña", language_code="es-ES"), "hola")  # not linked, in Spanish too
    assert api.last(5009).text.startswith("¡Hola! Este bot es para la gente de escuelas que usan Cadence.")


async def test_the_roll_by_polling(
    fake_telegram: FakeTelegram, sessions: async_sessionmaker[AsyncSession]
) -> None:
    api, school = fake_telegram.api, await studio(sessions)
    lesson = await class_today(sessions, school, school.admin.today())
    application = build_application(
        TOKEN, BotDeps(sessions=sessions, copilot=fake_telegram.app.state.copilot), api_url=fake_telegram.url
    )
    async with application:

        async def then(handled: int) -> None:
            assert await poll(application, sessions, until_idle=True) == handled

        await fake_telegram.link(LUCIA, school.teacher.user_id)
        await then(1)
        await api.say(LUCIA, "/roll")
        await then(1)
        roll = fake_telegram.last(LUCIA)
        await api.tap(LUCIA, roll, "✅ Sofía López")
        await then(1)
        await api.tap(LUCIA, roll, "💾 Save")
        await then(1)
        await api.tap(LUCIA, roll, "Confirm")
        await then(1)
    assert await marks(sessions, school, lesson.id) == {"Ana": P, "José": P, "Sofía": A}
    assert api.waiting() == 0  # every update confirmed


async def test_a_substitute_takes_the_roll_of_the_class_they_cover(
    fake_telegram: FakeTelegram, sessions: async_sessionmaker[AsyncSession]
) -> None:
    api, school = fake_telegram.api, await studio(sessions)
    today = school.admin.today()
    async with unit_of_work(sessions, school.admin) as session:  # Marco's class today, not Lucía's
        lesson = await class_sessions.create_session(
            session,
            school.admin,
            data=SessionIn(
                group_id=school.salsa.id, teacher_id=school.marco.id, date=today, start_time=time(19)
            ),
        )
    await fake_telegram.set_webhook()
    await fake_telegram.link(LUCIA, school.teacher.user_id)
    await api.say(LUCIA, "/roll")
    assert fake_telegram.last(LUCIA).text == "You have no class to take the roll of today."
    async with unit_of_work(sessions, school.admin) as session:
        await scheduling.assign_substitute(session, school.admin, lesson.id, teacher_id=school.lucia.id)
    await api.say(LUCIA, "/roll")  # she covers it today: it is hers to take
    roll = fake_telegram.last(LUCIA)
    assert roll.text.startswith("Roll of Salsa Beginners") and "19:00" in roll.text
    await api.tap(LUCIA, roll, "✅ Ana García")
    await api.tap(LUCIA, roll, "💾 Save")
    await api.tap(LUCIA, roll, "Confirm")
    assert await marks(sessions, school, lesson.id) == {"Ana": A, "José": P, "Sofía": P}
