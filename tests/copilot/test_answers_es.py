"""The answer comes in the language asked: a Spanish question gets Spanish sentences with money and
dates as Spain writes them ("3.136,00 €", "noviembre de 2026"); the same question in English gets
exactly the English answer it always got. Babel puts a non-breaking space before "€" (\\xa0)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from sqlalchemy.ext.asyncio import AsyncSession

from copilot.service import Copilot
from domain.payments import service as payments
from tests.copilot.helpers import TODAY, ask
from tests.domain.studio import Studio, build_studio


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
