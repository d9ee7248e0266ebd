"""A sick day through the fake Bot API server: the teacher's /sick → which day → a preview of the
classes → Confirm → the office is notified (nobody else); the office's /cover → "assign a substitute"
→ who → preview → Confirm → the class is the substitute's, who is notified, and only now the families
are told. Buttons sent to one person do nothing for another; a teacher cannot cover classes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from channels.telegram.fake_api import Person
from domain.absences.models import TeacherAbsence
from domain.db import unit_of_work
from domain.notifications import outbox
from domain.notifications.models import Notification
from domain.sessions.models import ClassSession, SessionStatus
from domain.teachers import service as teachers
from domain.teachers.models import TeacherPaymentType
from domain.teachers.schemas import TeacherIn
from tests.channels.telegram_fake import (  # noqa: F401 - the *_fixture one is a fixture, shared
    FakeTelegram,
    class_today,
    fake_telegram_fixture,
)
from tests.channels.telegram_support import studio
from tests.copilot.conftest import checkpointer  # noqa: F401 - the fixture, shared

LUCIA = Person(6001, "Lucía")
OFFICE = Person(6002, "Admin")


async def _notifications(sessions: async_sessionmaker[AsyncSession], tenant: object) -> list[Notification]:
    async with unit_of_work(sessions, tenant) as session:  # type: ignore[arg-type]
        return list((await session.scalars(select(Notification).order_by(Notification.created_at))).all())


async def test_a_sick_day_reaches_the_office_and_a_substitute_is_told(
    fake_telegram: FakeTelegram, sessions: async_sessionmaker[AsyncSession]
) -> None:
    api, school = fake_telegram.api, await studio(sessions)
    tomorrow = school.admin.today() + timedelta(days=1)
    lesson = await class_today(sessions, school, tomorrow)
    async with unit_of_work(sessions, school.admin) as session:
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
    await fake_telegram.set_webhook()
    await fake_telegram.link(LUCIA, school.teacher.user_id)
    await fake_telegram.link(OFFICE, school.admin.user_id)

    await api.say(LUCIA, "/sick")
    which = fake_telegram.last(LUCIA)
    assert which.text.startswith("Which day can't you teach?") and len(which.data()) == 1
    seen = len(api.bot_messages(OFFICE.id))
    await api.deliver(api.press_of(OFFICE, which, which.data()[0], chat_id=OFFICE.id))  # not hers: nothing
    assert await _notifications(sessions, school.admin) == [] and len(api.bot_messages(OFFICE.id)) == seen
    await api.tap(LUCIA, which, which.data()[0])
    preview = fake_telegram.last(LUCIA)
    assert "Salsa Beginners, " in preview.text and "18:00" in preview.text
    assert preview.labels() == ["Confirm", "Cancel"]
    await api.tap(LUCIA, preview, "Confirm")
    assert fake_telegram.last(LUCIA).text.startswith("Done: the office knows")

    told = await _notifications(sessions, school.admin)
    assert [(n.recipient, n.channel.value) for n in told] == [(f"user:{school.admin.user_id}", "telegram")]
    assert "/cover" in told[0].body and "Salsa Beginners" in told[0].body  # families: not yet
    async with unit_of_work(sessions, school.admin) as session:
        assert len((await session.scalars(select(TeacherAbsence))).all()) == 1

    await api.say(LUCIA, "/cover")  # a teacher does not decide for the office
    assert fake_telegram.last(LUCIA).text == "Only admin, staff can see the classes to cover."
    await api.say(OFFICE, "/cover")
    offer = fake_telegram.last(OFFICE)
    assert offer.text.startswith("Lucía Romero is off: Salsa Beginners")
    assert offer.labels() == ["🔁 Assign a substitute", "✖ Cancel the class"]
    await api.tap(OFFICE, offer, "🔁 Assign a substitute")
    who = fake_telegram.last(OFFICE)
    assert who.labels() == ["Carmen Ruiz", "Marco Bianchi"]  # not Lucía herself
    await api.tap(OFFICE, who, "Carmen Ruiz")
    decision = fake_telegram.last(OFFICE)
    assert "taught by Carmen Ruiz instead; 3 families will be told" in decision.text
    await api.tap(OFFICE, decision, "Confirm")

    async with unit_of_work(sessions, school.admin) as session:
        row = await session.get(ClassSession, lesson.id, populate_existing=True)
        assert row is not None and row.teacher_id == carmen.id and row.status is SessionStatus.SCHEDULED
        delivery = outbox.Delivery(datetime.now(UTC), True, "http://cadence.test", timedelta(days=7))
        await outbox.dispatch(session, school.admin, delivery=delivery)
    recipients = [n.recipient for n in await _notifications(sessions, school.admin)]
    assert f"teacher:{carmen.id}" in recipients  # the substitute, by the schedule change
    families = [r for r in recipients if r.startswith("student:")]
    assert sorted(families) == sorted(f"student:{s.id}" for s in school.students.values())
    assert "Carmen Ruiz" in fake_telegram.last(OFFICE).text
    await api.say(OFFICE, "/cover")
    assert fake_telegram.last(OFFICE).text == "No class is waiting for a substitute or a cancellation."


async def test_the_office_cancels_a_class_of_a_sick_teacher_in_spanish(
    fake_telegram: FakeTelegram, sessions: async_sessionmaker[AsyncSession]
) -> None:
    api, school = fake_telegram.api, await studio(sessions)
    lesson = await class_today(sessions, school, school.admin.today() + timedelta(days=2))
    lucia, office = Person(6003, "Lucía", "es"), Person(6004, "Admin", "es")
    await fake_telegram.set_webhook()
    await fake_telegram.link(lucia, school.teacher.user_id)
    await fake_telegram.link(office, school.admin.user_id)
    await api.say(lucia, "/sick")
    which = fake_telegram.last(lucia)
    assert which.text.startswith("¿Qué día no puedes dar clase?")
    await api.tap(lucia, which, which.data()[0])
    preview = fake_telegram.last(lucia)
    assert preview.text.startswith("Avisar de que no puedes dar clase") and preview.labels() == [
        "Confirmar",
        "Cancelar",
    ]
    await api.tap(lucia, preview, "Confirmar")
    await api.say(office, "/cover")
    offer = fake_telegram.last(office)
    assert offer.labels() == ["🔁 Asignar sustituto", "✖ Cancelar la clase"]
    await api.tap(office, offer, "✖ Cancelar la clase")
    decision = fake_telegram.last(office)
    assert decision.text.startswith("Cancelar Salsa Beginners") and "3 familias" in decision.text
    async with unit_of_work(sessions, school.admin) as session:  # nothing before Confirm
        row = await session.get(ClassSession, lesson.id, populate_existing=True)
        assert row is not None and row.status is SessionStatus.SCHEDULED
    await api.tap(office, decision, "Confirmar")
    async with unit_of_work(sessions, school.admin) as session:
        row = await session.get(ClassSession, lesson.id, populate_existing=True)
        assert row is not None and row.status is SessionStatus.CANCELLED
    families = [n for n in await _notifications(sessions, school.admin) if n.recipient.startswith("student:")]
    assert len(families) == 3 and all(n.kind == "session_cancelled" for n in families)
