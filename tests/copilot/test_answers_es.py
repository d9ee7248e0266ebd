"""The answer comes in the language asked: a Spanish question gets Spanish sentences with money and
dates as Spain writes them ("3.136,00 €", "noviembre de 2026"); the same question in English gets
exactly the English answer it always got. Babel puts a non-breaking space before "€" (\\xa0)."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copilot.service import Copilot
from domain.db import unit_of_work
from domain.demo.seed import seed_demo
from domain.payments import service as payments
from domain.tenancy import TenantContext
from tests.copilot.helpers import TODAY, ask, tenant_of
from tests.domain.studio import Studio, build_studio

DEMO_NOW = datetime(2026, 11, 26, 18, tzinfo=UTC)  # the simulated school's "today" (a Thursday)


async def _owing_studio(session: AsyncSession) -> Studio:
    """Two students in Salsa Beginners, each owing November's 1,568.00 (3,136.00 in all)."""
    studio = await build_studio(session, names=("Ana García", "José Martínez"))
    studio.salsa.monthly_fee = Decimal("1568.00")
    await session.flush()
    await payments.generate_tuition(session, studio.admin, month=TODAY, today=TODAY)
    return studio


async def test_who_has_not_paid_asked_in_spanish_is_answered_in_spanish_with_euros_as_in_spain(
    session: AsyncSession, checkpointer: AsyncPostgresSaver
) -> None:
    studio = await _owing_studio(session)
    copilot = Copilot(checkpointer)
    said = await ask(copilot, session, studio.admin, "¿quién no ha pagado este mes?", str(uuid.uuid4()))
    assert said.tool_calls[0]["name"] == "unpaid_students" and said.language == "es"
    head, *rows = said.answer.splitlines()
    assert head == "2 alumnos no han pagado noviembre de 2026 del todo; faltan 3.136,00\xa0€:"
    assert rows[0].startswith("- Ana García: 1.568,00\xa0€ (")
    assert rows[1].startswith("- José Martínez: 1.568,00\xa0€ (")
    assert "EUR" not in said.answer and "November" not in said.answer


async def test_the_same_question_in_english_keeps_its_english_wording_and_formats(
    session: AsyncSession, checkpointer: AsyncPostgresSaver
) -> None:
    studio = await _owing_studio(session)
    copilot = Copilot(checkpointer)
    said = await ask(copilot, session, studio.admin, "who hasn't paid this month?", str(uuid.uuid4()))
    assert said.tool_calls[0]["name"] == "unpaid_students" and said.language == "en"
    head, *rows = said.answer.splitlines()
    assert head == "2 students haven't paid November 2026 in full, 3136.00 EUR outstanding:"
    assert rows[0].startswith("- Ana García: 1568.00 EUR (")


async def test_a_payment_said_in_spanish_is_previewed_confirmed_and_cancelled_in_spanish(
    session: AsyncSession, checkpointer: AsyncPostgresSaver
) -> None:
    studio = await _owing_studio(session)
    copilot = Copilot(checkpointer)
    chat = str(uuid.uuid4())
    proposed = await ask(copilot, session, studio.admin, "Ana García ha pagado 40€ por transferencia", chat)
    assert proposed.outcome == "pending" and proposed.pending_action is not None
    assert proposed.answer == (
        "Registrar un pago por transferencia de 40,00\xa0€ de Ana García, recibido el 24 nov 2026;"
        " cubre 40,00\xa0€ de los 1.568,00\xa0€ que debe. Confirma para aplicarlo."
    )
    assert proposed.pending_action["preview"] == proposed.answer.removesuffix(" Confirma para aplicarlo.")
    done = await ask(copilot, session, studio.admin, "sí", chat)
    assert done.outcome == "confirmed" and done.answer == "Registrado 40,00\xa0€; 1 cuota pagada."

    again = await ask(copilot, session, studio.admin, "José Martínez ha pagado 10 euros en efectivo", chat)
    assert again.answer.startswith("Registrar un pago en efectivo de 10,00\xa0€ de José Martínez")
    cancelled = await ask(copilot, session, studio.admin, "no", chat)
    assert cancelled.outcome == "cancelled" and cancelled.answer == "Cancelado; no se ha cambiado nada."


async def test_a_payment_said_in_english_is_previewed_as_it_always_was(
    session: AsyncSession, checkpointer: AsyncPostgresSaver
) -> None:
    studio = await _owing_studio(session)
    copilot = Copilot(checkpointer)
    proposed = await ask(copilot, session, studio.admin, "Ana García paid 40 by transfer", str(uuid.uuid4()))
    assert proposed.answer == (
        "Record a bank transfer payment of 40.00 from Ana García received 2026-11-24,"
        " covering 40.00 of 1568.00 owed. Confirm to apply."
    )


@pytest.fixture
async def school(
    sessions: async_sessionmaker[AsyncSession], checkpointer: AsyncPostgresSaver
) -> AsyncIterator[tuple[AsyncSession, TenantContext, Copilot]]:
    """The simulated school (seed 7, small) on 2026-11-26, asked by its admin."""
    await seed_demo(sessions, today=DEMO_NOW.date(), size="small", seed=7)
    async with unit_of_work(sessions) as session:
        admin = await tenant_of(session, "demo-school", "admin@demo-school.example")
    async with sessions() as session:
        yield session, admin, Copilot(checkpointer)


# A Spanish question per report, the tool it is, and how its answer opens (es-ES dates, "€", "%").
REPORTS_ASKED_IN_SPANISH = [
    (
        "asistencia en las clases de Andrés Martin el mes pasado",
        "attendance_summary",
        r"Asistencia de las clases de Andrés Martin en octubre de 2026: \d+\xa0% \(\d+ de \d+ registros",
    ),
    (
        "alumnos en riesgo de dejarlo",
        "dropout_risk",
        r"\d+ alumnos podrían estar a punto de dejarlo \(de \d+ activos\):\n- .+ \(puntuación \d+,\d\): ",
    ),
    (
        "¿cuánto dinero entró el mes pasado?",
        "revenue_summary",
        r"Ingresos en octubre de 2026: previstos \d+\.\d{3},\d\d\xa0€, cobrados \d+\.\d{3},\d\d\xa0€",
    ),
    (
        "carga de trabajo de los profes este mes",
        "teacher_load",
        r"Carga de clases del 1 nov 2026 al 26 nov 2026:\n- ",
    ),
    (
        "como van los grupos",
        "group_health",
        r"Estado de los grupos del 30 oct 2026 al 26 nov 2026 \(\d+ de \d+ necesitan atención\):"
        r"\n- .+ alumnos, asistencia \d+\xa0%",
    ),
    (
        "¿qué clases están sin pasar lista?",
        "missing_attendance",
        r"Falta pasar lista en \d+ clases desde el ",
    ),
    (
        "horario de sala sur la próxima semana",
        "schedule",
        r"\d+ clases en Sala Sur del 30 nov 2026 al 6 dic 2026:\n- \d+ (nov|dic) 2026, \d\d:\d\d ",
    ),
]


async def test_each_report_asked_in_spanish_is_answered_in_spanish_and_in_english_as_always(
    school: tuple[AsyncSession, TenantContext, Copilot],
) -> None:
    session, admin, copilot = school
    for question, tool, opening in REPORTS_ASKED_IN_SPANISH:
        said = await ask(copilot, session, admin, question, str(uuid.uuid4()), now=DEMO_NOW)
        assert said.tool_calls[0]["name"] == tool and said.language == "es", question
        assert re.match(opening, said.answer), said.answer
        assert "EUR" not in said.answer and "2026-" not in said.answer, said.answer
    english = await ask(
        copilot, session, admin, "which students are at risk?", str(uuid.uuid4()), now=DEMO_NOW
    )
    assert english.tool_calls[0]["name"] == "dropout_risk" and english.language == "en"
    assert re.match(
        r"\d+ students may be about to drop out \(of \d+ active\):\n- .+ \(score \d+\.\d\): ", english.answer
    )
    english = await ask(copilot, session, admin, "revenue last month", str(uuid.uuid4()), now=DEMO_NOW)
    assert re.match(r"Revenue October 2026: expected \d+\.\d\d EUR, collected \d+\.\d\d, ", english.answer)
