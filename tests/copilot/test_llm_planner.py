"""The LLM planner against a mocked OpenAI-compatible endpoint (respx): one call per question,
answers rendered from tools, writes only after confirmation, and the offline planner as fallback."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import httpx
import pytest
import respx
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from channels.embedded import DatabaseUrls, libpq_url
from copilot.checkpoints import TenantSaver
from copilot.llm import LLMPlanner
from copilot.service import Copilot
from domain.conversations.models import CopilotTurn
from domain.db import use_tenant
from domain.errors import Forbidden
from tests.copilot.conftest import tool_call
from tests.copilot.helpers import NOW, TODAY, ask, marks, studio_with_class


async def test_a_read_question_costs_one_llm_call_and_the_answer_comes_from_the_tool(
    session: AsyncSession, checkpointer: AsyncPostgresSaver, llm: respx.MockRouter, llm_planner: LLMPlanner
) -> None:
    studio = await studio_with_class(session)
    route = llm.post("/chat/completions").mock(return_value=tool_call("group_roster", {"group": "salsa"}))
    result = await ask(
        Copilot(checkpointer, planner=llm_planner), session, studio.teacher, "who's in salsa?", "c1"
    )
    assert route.call_count == 1
    assert result.tool_calls == [{"name": "group_roster", "args": {"group": "salsa"}}]
    assert result.answer.startswith("Salsa Beginners on 2026-11-24: 3 students")
    sent = json.loads(route.calls[0].request.content)
    assert sent["parallel_tool_calls"] is False and sent["model"] == "test-model"
    assert {t["function"]["name"] for t in sent["tools"]} >= {"group_roster"}
    assert len(sent["tools"]) == 8  # a teacher is offered 13 tools: only the nearest 8 are sent
    assert "title" not in json.dumps(sent["tools"])  # compact schemas
    turn = (await session.execute(select(CopilotTurn))).scalar_one()
    assert (turn.planner, turn.prompt_tokens, turn.completion_tokens, turn.llm_calls) == ("llm", 120, 12, 1)


async def test_a_write_from_the_llm_waits_for_one_confirmation(
    session: AsyncSession,
    checkpointer: AsyncPostgresSaver,
    database_urls: DatabaseUrls,
    llm: respx.MockRouter,
    llm_planner: LLMPlanner,
) -> None:
    studio = await studio_with_class(session)
    copilot = Copilot(checkpointer, planner=llm_planner)
    route = llm.post("/chat/completions").mock(
        return_value=tool_call("mark_attendance", {"group": "salsa beginners", "absent": ["sofia"]})
    )
    proposed = await ask(copilot, session, studio.teacher, "mark salsa, sofia was absent", "w1")
    assert proposed.pending_action is not None and await marks(session) == 0
    action_id = uuid.UUID(proposed.pending_action["id"])

    with pytest.raises(Forbidden):  # another person cannot confirm it
        await use_tenant(session, studio.admin)
        await copilot.confirm(session, studio.admin, action_id, today=TODAY, now=NOW)
    assert await marks(session) == 0

    done = await ask(copilot, session, studio.teacher, "yes", "w1")
    assert done.outcome == "confirmed" and await marks(session) == 3
    assert route.call_count == 1  # "yes" needs no model
    again = await copilot.confirm(session, studio.teacher, action_id, today=TODAY, now=NOW)
    assert again.answer.startswith("Already done earlier") and await marks(session) == 3
    async with TenantSaver.from_conn_string(libpq_url(database_urls.app)) as fresh:
        restarted = await Copilot(fresh, planner=llm_planner).confirm(
            session, studio.teacher, action_id, today=TODAY, now=NOW
        )
    assert restarted.answer.startswith("Already done earlier") and await marks(session) == 3


async def test_expired_or_cancelled_llm_writes_change_nothing(
    session: AsyncSession, checkpointer: AsyncPostgresSaver, llm: respx.MockRouter, llm_planner: LLMPlanner
) -> None:
    studio = await studio_with_class(session)
    copilot = Copilot(checkpointer, planner=llm_planner)
    llm.post("/chat/completions").mock(return_value=tool_call("mark_attendance", {"group": "salsa"}))
    first = await ask(copilot, session, studio.teacher, "everyone came to salsa", "e1")
    assert first.pending_action is not None
    expired = await copilot.confirm(
        session,
        studio.teacher,
        uuid.UUID(first.pending_action["id"]),
        today=TODAY,
        now=NOW + timedelta(minutes=15, seconds=1),
    )
    assert expired.outcome == "failed" and await marks(session) == 0
    second = await ask(copilot, session, studio.teacher, "everyone came to salsa", "e2")
    assert second.pending_action is not None
    cancelled = await copilot.cancel(
        session, studio.teacher, uuid.UUID(second.pending_action["id"]), today=TODAY, now=NOW
    )
    assert cancelled.outcome == "cancelled" and await marks(session) == 0


async def test_when_the_endpoint_is_down_the_offline_planner_answers_and_says_so(
    session: AsyncSession, checkpointer: AsyncPostgresSaver, llm: respx.MockRouter, llm_planner: LLMPlanner
) -> None:
    studio = await studio_with_class(session)
    down = llm.post("/chat/completions").mock(side_effect=httpx.ConnectError("connection refused"))
    result = await ask(
        Copilot(checkpointer, planner=llm_planner),
        session,
        studio.teacher,
        "who is in salsa beginners?",
        "d1",
    )
    assert down.call_count == 1
    assert result.planner == "llm->offline"
    assert result.answer.startswith("(The language model could not be reached")
    assert "Salsa Beginners on 2026-11-24: 3 students" in result.answer
    overloaded = llm.post("/chat/completions").mock(return_value=httpx.Response(503, json={"error": "busy"}))
    again = await ask(
        Copilot(checkpointer, planner=llm_planner),
        session,
        studio.teacher,
        "who is in salsa beginners?",
        "d2",
    )
    assert overloaded.called and again.planner == "llm->offline" and "3 students" in again.answer


async def test_a_teacher_gets_refusals_not_data_for_others_classes_pay_or_revenue(
    session: AsyncSession, checkpointer: AsyncPostgresSaver, llm: respx.MockRouter, llm_planner: LLMPlanner
) -> None:
    studio = await studio_with_class(session)
    offline, online = Copilot(checkpointer), Copilot(checkpointer, planner=llm_planner)
    for question, call in (
        ("who is in bachata improvers?", tool_call("group_roster", {"group": "bachata improvers"})),
        ("how much did Marco earn last month?", tool_call("payout_preview", {"teacher": "Marco"})),
        ("revenue this month", tool_call("revenue_summary", {})),
    ):
        refused = await ask(offline, session, studio.teacher, question, str(uuid.uuid4()))
        assert refused.outcome in ("failed", "refused"), refused
        assert "Marco Bianchi" not in refused.answer and "EUR" not in refused.answer
        llm.post("/chat/completions").mock(return_value=call)
        refused = await ask(online, session, studio.teacher, question, str(uuid.uuid4()))
        assert refused.outcome in ("failed", "refused"), refused
        assert "Marco Bianchi" not in refused.answer and "EUR" not in refused.answer
    own = await ask(offline, session, studio.teacher, "how much did I earn last month?", "own")
    assert own.outcome == "answered" and "Lucía Romero" in own.answer  # the control: her own payout
