"""Every email Cadence sends (but the weekly digest, whose words are the summaries'), in English and in
Spanish, from the gettext catalogues, with money and dates the language's way: the catalogue covers every
sentence (placeholders intact); each kind, sent through its real path, reads the recipient's language — a
person's own choice, else the organization's locale; families the organization's locale."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.attendance import service as attendance
from domain.auth.models import User
from domain.db import unit_of_work
from domain.notifications import emails, outbox
from domain.notifications.models import Kind
from domain.notifications.words import CATALOGUES, Words
from domain.orgs.service import get_organization
from domain.payments import reminders
from domain.payments import service as payments
from domain.payouts import service as payouts
from domain.sessions import service as class_sessions
from domain.students import service as students
from domain.students.schemas import GuardianIn
from tests.domain.studio import Studio, build_studio
from tests.notifications.helpers import MONDAY, class_on, ledger, madrid

DELIVERY = outbox.Delivery(
    now=madrid(12),
    telegram=False,
    public_base_url="https://cadence.test",
    receipt_link_ttl=timedelta(days=30),
)
EMAILS = Path(emails.__file__)


def test_the_spanish_catalogue_covers_every_sentence_with_its_placeholders() -> None:
    used = {
        message
        for _, message, _, _ in extract_from_file("python", EMAILS, keywords={"w": None, "N_": None})
        if isinstance(message, str)
    }
    with (CATALOGUES / "es" / "LC_MESSAGES" / "cadence.po").open("rb") as po:
        spanish = {m.id: m for m in read_po(po) if m.id}
    assert len(used) > 25 and used <= set(spanish), used - set(spanish)
    for msgid in used:
        entry = spanish[msgid]
        assert entry.string and not entry.fuzzy, msgid
        assert sorted(re.findall(r"\{\w+\}", msgid)) == sorted(re.findall(r"\{\w+\}", str(entry.string))), (
            msgid
        )


def test_money_and_dates_the_languages_way() -> None:
    spanish, english = Words("es", "en"), Words("en", "en")
    assert spanish.money(Decimal("3136"), "EUR") == "3.136,00\xa0€"
    assert english.money(Decimal("3136"), "EUR") == "€3,136.00"
    assert spanish.weekday(date(2026, 12, 7)) == "lunes, 7 de diciembre"
    assert Words("es", "es_MX").day(date(2026, 12, 7)) == "7 de diciembre de 2026"
    line = emails.class_line(
        spanish, group="Salsa", day=date(2026, 12, 7), start=time(18, 30), end=time(19, 30)
    )
    assert line == "Salsa el lunes, 7 de diciembre a las 18:30–19:30"


@pytest.mark.parametrize(
    ("compose", "english", "spanish"),
    [
        (
            lambda w: emails.substitute(w, line="Salsa", teacher="Marco"),
            "Salsa goes ahead, taught by Marco.",
            "Salsa se mantiene; la imparte Marco.",
        ),
        (
            lambda w: emails.cancelled_for_absence(w, line="Salsa"),
            "Salsa is cancelled: the teacher is ill. Sorry!",
            "Salsa: cancelada porque el profesor está enfermo. ¡Lo sentimos!",
        ),
        (
            lambda w: emails.waitlist_offer(w, group="Salsa", name="Hugo", from_day=date(2026, 12, 7)),
            "A place is free in Salsa from 7 December 2026.",
            "Hay una plaza libre en Salsa desde el 7 de diciembre de 2026.",
        ),
        (
            lambda w: emails.schedule_changed(w, line="Salsa"),
            "Changed: Salsa. Please check your schedule.",
            "Cambio: Salsa. Revisa tu horario, por favor.",
        ),
    ],
)
def test_the_office_and_class_messages_in_both_languages(
    compose: Callable[[Words], emails.Text], english: str, spanish: str
) -> None:
    assert english in compose(Words("en")).body
    assert spanish in compose(Words("es")).body


async def school_in(session: AsyncSession, locale: str) -> Studio:
    studio = await build_studio(session)
    (await get_organization(session, studio.admin)).locale = locale
    await session.flush()
    return studio


async def choose(session: AsyncSession, user_id: object, language: str | None) -> None:
    person = await session.get(User, user_id)
    assert person is not None
    person.language = language
    await session.flush()


@pytest.mark.parametrize(
    ("locale", "subject", "amount", "until"),
    [
        ("en", "Tuition reminder", "€", "The link works until 30 December 2026."),
        (
            "es_ES",
            "Recordatorio de cuota",
            ",00\xa0€",
            "El enlace funciona hasta el 30 de diciembre de 2026.",
        ),
    ],
)
async def test_a_payment_reminder_with_its_upload_link_in_the_schools_language(
    sessions: async_sessionmaker[AsyncSession], locale: str, subject: str, amount: str, until: str
) -> None:
    async with unit_of_work(sessions) as session:
        studio = await school_in(session, locale)
        ana = studio.students["Ana"]
        await students.add_guardian(
            session,
            studio.admin,
            ana.id,
            data=GuardianIn(full_name="Marta García", email="marta@example.com"),
        )
        await payments.generate_tuition(session, studio.admin, month=date(2026, 11, 1), today=MONDAY)
        await reminders.send_reminder(session, studio.admin, ana.id, today=MONDAY)
    async with unit_of_work(sessions, studio.admin) as session:
        await outbox.dispatch(session, studio.admin, delivery=DELIVERY)
        (row,) = await ledger(session)
    assert row.kind == Kind.PAYMENT_REMINDER and row.subject == subject
    assert amount in row.body and until in row.body and "https://cadence.test/upload/" in row.body
    assert ("Hola" in row.body) is locale.startswith("es")


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        (None, "Salsa Beginners el lunes, 30 de noviembre a las 18:00: cancelada. Motivo: Studio flooded."),
        ("en", "Salsa Beginners on Monday 30 November at 18:00 is cancelled: Studio flooded."),
    ],
)
async def test_a_teacher_reads_a_cancelled_class_in_her_language_else_the_schools(
    sessions: async_sessionmaker[AsyncSession], choice: str | None, expected: str
) -> None:
    async with unit_of_work(sessions) as session:
        studio = await school_in(session, "es_ES")
        await choose(session, studio.teacher.user_id, choice)
        row = await class_on(session, studio, MONDAY)
        await class_sessions.cancel_session(session, studio.admin, row.id, reason="Studio flooded")
    async with unit_of_work(sessions, studio.admin) as session:
        await outbox.dispatch(session, studio.admin, delivery=DELIVERY)
        (sent,) = await ledger(session)
    assert sent.body == expected
    assert sent.subject == ("Class cancelled" if choice == "en" else "Clase cancelada")


@pytest.mark.parametrize(
    ("locale", "choice", "expected"),
    [
        (
            "es_ES",
            None,
            "Tu liquidación del 1 de octubre de 2026 al 31 de octubre de 2026 está aprobada: 19,50\xa0€.",
        ),
        (
            "en",
            "es",
            "Tu liquidación del 1 de octubre de 2026 al 31 de octubre de 2026 está aprobada: 19,50\xa0€.",
        ),
        ("es_ES", "en", "Your payout for 1 October 2026 to 31 October 2026 was approved: €19.50."),
    ],
)
async def test_an_approved_payout_in_the_teachers_language(
    sessions: async_sessionmaker[AsyncSession], locale: str, choice: str | None, expected: str
) -> None:
    async with unit_of_work(sessions) as session:
        studio = await school_in(session, locale)
        await choose(session, studio.teacher.user_id, choice)
        held = await class_on(session, studio, date(2026, 10, 5))
        await attendance.mark_all_except(
            session, studio.admin, held.id, except_student_ids=[], today=MONDAY, now=madrid(12)
        )
        await payouts.approve(
            session,
            studio.admin,
            teacher_id=studio.lucia.id,
            start=date(2026, 10, 1),
            end=date(2026, 10, 31),
            today=MONDAY,
            now=madrid(12),
        )
    async with unit_of_work(sessions, studio.admin) as session:
        await outbox.dispatch(session, studio.admin, delivery=DELIVERY)
        (row,) = [r for r in await ledger(session) if r.kind == Kind.PAYOUT_APPROVED]
    assert row.body == expected
