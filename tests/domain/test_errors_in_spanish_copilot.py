"""A tool's refusal becomes the copilot's answer in the answer's language (``ctx.language``), from the same
catalogue the API's errors use; its ``data`` (the error's code) is the same in both."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from tests.domain.studio import build_studio
from tools import runner
from tools.base import ToolContext

NOW = datetime(2026, 11, 24, 20, tzinfo=UTC)


async def test_a_refusal_is_said_in_the_answers_language(session: AsyncSession) -> None:
    studio = await build_studio(session)
    english_ctx = ToolContext(session=session, tenant=studio.teacher, today=NOW.date(), now=NOW)
    spanish_ctx = replace(english_ctx, language="es")

    english = await runner.call(english_ctx, "unpaid_students", {})
    spanish = await runner.call(spanish_ctx, "unpaid_students", {})
    assert english.failed and spanish.failed
    assert english.output.data == spanish.output.data == {"error": "forbidden"}
    assert english.output.text == "Your role can't use unpaid_students; it is for the office."
    assert spanish.output.text == "Tu rol no puede usar unpaid_students; es para la oficina."

    unknown = await runner.call(spanish_ctx, "no_such_tool", {})
    assert unknown.output.text == "No hay ninguna herramienta llamada 'no_such_tool'."
