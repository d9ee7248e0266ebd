"""A Spanish conversation through the whole copilot (graph, checkpoints, confirmation): the question
comes back in Spanish, the bare answer to it is understood, and "sí" confirms the write once."""

from __future__ import annotations

import uuid

from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from sqlalchemy.ext.asyncio import AsyncSession

from copilot.service import Copilot
from tests.copilot.helpers import ask, marks, studio_with_class


async def test_a_spanish_conversation_asks_understands_the_answer_and_confirms_with_si(
    session: AsyncSession, checkpointer: AsyncPostgresSaver
) -> None:
    studio = await studio_with_class(session)
    copilot = Copilot(checkpointer)
    chat = str(uuid.uuid4())
    asked = await ask(copilot, session, studio.teacher, "marca todos presentes menos jose", chat)
    assert asked.outcome == "clarify" and asked.answer == "¿Qué grupo o clase?"
    proposed = await ask(copilot, session, studio.teacher, "salsa beginners", chat)  # no word of either
    assert proposed.pending_action is not None
    assert proposed.tool_calls[0]["args"]["group"] == "Salsa Beginners"
    assert await marks(session) == 0
    done = await ask(copilot, session, studio.teacher, "sí", chat)
    assert done.outcome == "confirmed"
    assert await marks(session) == 3
    again = await ask(copilot, session, studio.teacher, "vale", chat)
    assert again.outcome == "refused" and again.answer == "No hay nada pendiente de confirmar."
    assert await marks(session) == 3


async def test_a_teacher_asking_in_spanish_is_refused_in_spanish_and_english_stays_english(
    session: AsyncSession, checkpointer: AsyncPostgresSaver
) -> None:
    studio = await studio_with_class(session)
    copilot = Copilot(checkpointer)
    refused = await ask(copilot, session, studio.teacher, "borra a jose", str(uuid.uuid4()))
    assert refused.outcome == "refused" and refused.answer.startswith("No puedo borrar registros")
    refused = await ask(copilot, session, studio.teacher, "delete jose", str(uuid.uuid4()))
    assert refused.outcome == "refused" and refused.answer.startswith("I can't delete records")
