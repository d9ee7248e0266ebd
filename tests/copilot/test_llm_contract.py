"""The LLM planner's contract, on replies in the shapes real servers send (tests/data/llm/, see SOURCES.md).

Every reply ends in one of three ways: the right tool and arguments; a clear answer (a question, a
refusal); or the offline planner's own plan, with a note that says so. A write is only ever proposed
(a pending action with its preview), never applied by a model's reply. No network: respx answers.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from copilot.llm import LLMPlanner
from copilot.offline import OfflinePlanner
from copilot.planner import Decision, DecisionKind, Memory
from copilot.service import Copilot
from domain.actions.models import ActionStatus, PendingAction
from domain.db import use_tenant
from domain.notes.models import StudentNote
from domain.payments.models import Payment
from domain.tenancy import Scope, TenantContext
from tests.copilot.conftest import LLM_URL
from tests.copilot.helpers import NOW, TODAY, ask, marks, studio_with_class
from tests.domain.studio import Studio
from tools.access import tools_for
from tools.base import ToolContext, ToolKind
from tools.catalog import CATALOG

RECORDED = Path(__file__).resolve().parent.parent / "data" / "llm"
ROSTER_QUESTION = "who is in salsa beginners?"


def recorded(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((RECORDED / name).read_text(encoding="utf-8"))
    return body


def reply(name: str, status: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=recorded(name), headers=headers)


class Sleeps:
    """Stands in for asyncio.sleep: records how long the planner would have waited, waits for nothing."""

    def __init__(self) -> None:
        self.waited: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waited.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def planner(sleeps: Sleeps) -> LLMPlanner:
    """As deployed (one retry allowed), every offered tool sent (no narrowing), and no real waiting."""
    return LLMPlanner(
        base_url=LLM_URL,
        model="test-model",
        api_key="test-key",
        timeout=5,
        max_retries=1,
        max_tools=50,
        sleep=sleeps,
    )


async def plan(session: AsyncSession, tenant: TenantContext, planner: Any, utterance: str) -> Decision:
    await use_tenant(session, tenant)
    ctx = ToolContext(session=session, tenant=tenant, today=TODAY, now=NOW)
    decision: Decision = await planner.plan(ctx, utterance, Memory(), pending=False)
    return decision


async def count(session: AsyncSession, model: type[Any]) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


# -- tool calls, in every shape servers send them ------------------------------------------------


@pytest.mark.parametrize(
    "recording",
    [
        "openai_tool_call.json",  # OpenAI: arguments a JSON string, finish_reason "tool_calls"
        "openai_tool_call_finish_stop.json",  # OpenAI can say "stop" with a tool call
        "ollama_v1_tool_call.json",  # Ollama /v1: an index on each call, content ""
        "ollama_v1_old_no_id_stop.json",  # older Ollama: no call id, finish_reason "stop"
        "proxy_arguments_object.json",  # arguments as an object (Ollama's native shape, passed through)
        "vllm_tool_call.json",  # vLLM with a tool parser: reasoning_content, stop_reason
        "vllm_parser_off_hermes.json",  # vLLM without a parser: <tool_call>{…}</tool_call> in content
        "vllm_parser_off_llama_json.json",  # vLLM without a parser, Llama 3.1 JSON: "parameters"
        "fenced_in_content.json",  # the call as a ```json block in content
        "fenced_arguments.json",  # the arguments themselves fenced
    ],
)
async def test_a_tool_call_in_any_servers_shape_plans_that_tool_with_its_arguments(
    session: AsyncSession, llm: respx.MockRouter, planner: LLMPlanner, recording: str
) -> None:
    studio = await studio_with_class(session)
    route = llm.post("/chat/completions").mock(return_value=reply(recording))
    decision = await plan(session, studio.teacher, planner, ROSTER_QUESTION)
    assert (decision.kind, decision.tool, decision.args) == (
        DecisionKind.TOOL,
        "group_roster",
        {"group": "salsa beginners"},
    )
    assert decision.planner == "llm" and decision.usage.llm_calls == 1 and route.call_count == 1


# -- replies that cannot be used: the offline planner answers, and says so -------------------------


UNUSABLE_BODIES: dict[str, Any] = {
    "choices null": {"id": "x", "object": "chat.completion", "created": 0, "model": "m", "choices": None},
    "tool_calls not a list": {
        "id": "x",
        "object": "chat.completion",
        "created": 0,
        "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "tool_calls": "group_roster"}}],
    },
    "arguments a number": {
        "id": "x",
        "object": "chat.completion",
        "created": 0,
        "model": "m",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "tool_calls": [
                        {"type": "function", "function": {"name": "group_roster", "arguments": 7}}
                    ],
                },
            }
        ],
    },
}


@pytest.mark.parametrize(
    "response",
    [
        pytest.param(lambda: reply("malformed_arguments_truncated.json"), id="truncated JSON arguments"),
        pytest.param(lambda: reply("unknown_tool.json"), id="a tool that does not exist"),
        pytest.param(lambda: reply("missing_required_argument.json"), id="a required argument missing"),
        pytest.param(lambda: reply("no_tool_call_prose.json"), id="an answer in prose with numbers"),
        pytest.param(lambda: reply("empty_reply.json"), id="an empty reply"),
        pytest.param(lambda: reply("no_choices.json"), id="no choices"),
        pytest.param(lambda: httpx.Response(200, text="<html>Bad gateway</html>"), id="not JSON at all"),
        *(
            pytest.param(lambda body=body: httpx.Response(200, json=body), id=name)
            for name, body in UNUSABLE_BODIES.items()
        ),
    ],
)
async def test_a_reply_that_cannot_be_used_is_planned_offline_and_the_person_is_told(
    session: AsyncSession, llm: respx.MockRouter, planner: LLMPlanner, response: Any
) -> None:
    studio = await studio_with_class(session)
    llm.post("/chat/completions").mock(return_value=response())
    decision = await plan(session, studio.teacher, planner, ROSTER_QUESTION)
    offline = await plan(session, studio.teacher, OfflinePlanner(), ROSTER_QUESTION)
    assert (decision.kind, decision.tool, decision.args) == (offline.kind, offline.tool, offline.args)
    assert decision.kind is DecisionKind.TOOL and decision.args == {"group": "Salsa Beginners"}
    assert decision.planner == "llm->offline"
    assert decision.note.startswith("(The language model's reply could not be used")


async def test_a_question_from_the_model_is_asked_as_it_is(
    session: AsyncSession, llm: respx.MockRouter, planner: LLMPlanner
) -> None:
    studio = await studio_with_class(session)
    llm.post("/chat/completions").mock(return_value=reply("no_tool_call_question.json"))
    decision = await plan(session, studio.teacher, planner, "who is in my class?")
    assert decision.kind is DecisionKind.CLARIFY and decision.planner == "llm"
    assert decision.text == "Which group do you mean: Salsa Beginners or Bachata Improvers?"


async def test_a_tool_the_callers_role_is_not_offered_is_refused_clearly_and_not_run(
    session: AsyncSession, checkpointer: AsyncPostgresSaver, llm: respx.MockRouter, planner: LLMPlanner
) -> None:
    studio = await studio_with_class(session)
    llm.post("/chat/completions").mock(return_value=reply("openai_revenue_summary.json"))
    refused = await plan(session, studio.teacher, planner, "revenue this month")
    assert refused.kind is DecisionKind.REFUSE and refused.tool is None
    assert refused.text.startswith("That is for the office: your role can't see the school's revenue")
    answered = await ask(Copilot(checkpointer, planner=planner), session, studio.teacher, "revenue?", "r1")
    assert answered.outcome == "refused" and answered.tool_calls == [] and "EUR" not in answered.answer
    control = await plan(session, studio.admin, planner, "revenue this month")  # the admin may
    assert (control.kind, control.tool) == (DecisionKind.TOOL, "revenue_summary")


# -- 429 / 5xx / timeouts: one short retry at most, then the offline planner ----------------------


def _error(name: str, status: int, **headers: str) -> httpx.Response:
    return reply(name, status, headers=headers)


@pytest.mark.parametrize(
    ("responses", "calls", "waited", "planner_used"),
    [
        pytest.param(
            [_error("error_429_openai.json", 429, **{"retry-after": "1"}), reply("openai_tool_call.json")],
            2,
            [1.0],
            "llm",
            id="429 with a short Retry-After: waited, retried once",
        ),
        pytest.param(
            [
                _error("error_429_openai.json", 429, **{"retry-after-ms": "250"}),
                reply("openai_tool_call.json"),
            ],
            2,
            [0.25],
            "llm",
            id="429 with retry-after-ms",
        ),
        pytest.param(
            [_error("error_429_openai.json", 429, **{"retry-after": "120"})],
            1,
            [],
            "llm->offline",
            id="429 with a long Retry-After: no waiting, offline at once",
        ),
        pytest.param(
            [_error("error_503_ollama.json", 503), reply("ollama_v1_tool_call.json")],
            2,
            [0.5],
            "llm",
            id="503 then an answer",
        ),
        pytest.param(
            [_error("error_500_vllm.json", 500), _error("error_500_vllm.json", 500)],
            2,
            [0.5],
            "llm->offline",
            id="500 twice: offline",
        ),
        pytest.param(
            [httpx.Response(404, json={"error": {"message": "model 'x' not found", "type": "api_error"}})],
            1,
            [],
            "llm->offline",
            id="404 (no such model) is not retried",
        ),
        pytest.param([httpx.ReadTimeout("read timed out")], 1, [], "llm->offline", id="a timeout"),
    ],
)
async def test_rate_limits_server_errors_and_timeouts_retry_at_most_once_then_fall_back(
    session: AsyncSession,
    llm: respx.MockRouter,
    planner: LLMPlanner,
    sleeps: Sleeps,
    responses: list[Any],
    calls: int,
    waited: list[float],
    planner_used: str,
) -> None:
    studio = await studio_with_class(session)
    route = llm.post("/chat/completions").mock(side_effect=responses)
    decision = await plan(session, studio.teacher, planner, ROSTER_QUESTION)
    assert route.call_count == calls and sleeps.waited == waited
    assert decision.planner == planner_used
    assert (decision.kind, decision.tool) == (DecisionKind.TOOL, "group_roster")
    if planner_used == "llm->offline":
        assert decision.note.startswith("(The language model could not be reached")


async def test_the_retry_budget_is_never_more_than_one_whatever_is_configured(
    session: AsyncSession, llm: respx.MockRouter, sleeps: Sleeps
) -> None:
    studio = await studio_with_class(session)
    generous = LLMPlanner(base_url=LLM_URL, model="test-model", max_retries=5, max_tools=50, sleep=sleeps)
    route = llm.post("/chat/completions").mock(return_value=_error("error_500_vllm.json", 500))
    decision = await plan(session, studio.teacher, generous, ROSTER_QUESTION)
    assert route.call_count == 2 and decision.planner == "llm->offline"
    none = LLMPlanner(base_url=LLM_URL, model="test-model", max_retries=0, max_tools=50, sleep=sleeps)
    route.reset()
    await plan(session, studio.teacher, none, ROSTER_QUESTION)
    assert route.call_count == 1  # the control: zero means zero


# -- the catalogue the model is given ------------------------------------------------------------


def _sent_tools(route: respx.Route) -> set[str]:
    return {t["function"]["name"] for t in json.loads(route.calls.last.request.content)["tools"]}


def _api_key(studio: Studio, *scopes: Scope) -> TenantContext:
    return TenantContext(
        org_id=studio.org.id, role=studio.admin.role, api_key_id=uuid.uuid4(), scopes=frozenset(scopes)
    )


async def test_the_model_is_given_only_the_tools_the_callers_role_and_scopes_are_offered(
    session: AsyncSession, llm: respx.MockRouter, planner: LLMPlanner
) -> None:
    studio = await studio_with_class(session)
    route = llm.post("/chat/completions").mock(return_value=reply("openai_tool_call.json"))
    every = set(CATALOG)
    writes = {name for name, tool in CATALOG.items() if tool.kind is ToolKind.WRITE}

    await plan(session, studio.teacher, planner, ROSTER_QUESTION)
    teachers = _sent_tools(route)
    assert teachers == {t.name for t in tools_for(studio.teacher)}
    assert not teachers & {"revenue_summary", "unpaid_students", "record_payment", "change_schedule"}
    await plan(session, studio.admin, planner, ROSTER_QUESTION)
    assert _sent_tools(route) == every  # the control: an admin is offered everything

    await plan(session, _api_key(studio, Scope.READ), planner, ROSTER_QUESTION)
    assert _sent_tools(route) and not _sent_tools(route) & writes  # a read-only key: reads only
    await plan(session, _api_key(studio, Scope.PROPOSE), planner, ROSTER_QUESTION)
    assert _sent_tools(route) & writes  # the control: a key that may propose writes sees them


async def test_narrowed_catalogues_still_hold_only_what_the_role_is_offered(
    session: AsyncSession, llm: respx.MockRouter, llm_planner: LLMPlanner
) -> None:
    studio = await studio_with_class(session)
    route = llm.post("/chat/completions").mock(return_value=reply("openai_tool_call.json"))
    for question in ("how much revenue did we make?", "record 40 from Ana", ROSTER_QUESTION):
        await plan(session, studio.teacher, llm_planner, question)
        sent = _sent_tools(route)
        assert len(sent) == llm_planner.max_tools and sent <= {t.name for t in tools_for(studio.teacher)}


# -- through the copilot: writes stay previews ---------------------------------------------------


async def test_a_payment_from_the_model_is_a_preview_until_confirmed(
    session: AsyncSession, checkpointer: AsyncPostgresSaver, llm: respx.MockRouter, planner: LLMPlanner
) -> None:
    studio = await studio_with_class(session)
    copilot = Copilot(checkpointer, planner=planner)
    llm.post("/chat/completions").mock(return_value=reply("openai_record_payment.json"))
    before = await count(session, Payment)
    proposed = await ask(copilot, session, studio.admin, "Ana paid 40 by transfer", "p1")
    assert proposed.outcome == "pending" and proposed.pending_action is not None
    assert "Ana García" in proposed.pending_action["preview"] and "40" in proposed.pending_action["preview"]
    assert await count(session, Payment) == before
    done = await ask(copilot, session, studio.admin, "yes", "p1")
    assert done.outcome == "confirmed" and await count(session, Payment) == before + 1  # the control


async def test_a_note_in_a_parserless_vllm_reply_is_a_preview_and_nothing_is_written(
    session: AsyncSession, checkpointer: AsyncPostgresSaver, llm: respx.MockRouter, planner: LLMPlanner
) -> None:
    studio = await studio_with_class(session)
    llm.post("/chat/completions").mock(return_value=reply("vllm_parser_off_add_note.json"))
    before = await count(session, StudentNote)
    result = await ask(
        Copilot(checkpointer, planner=planner),
        session,
        studio.teacher,
        "note for sofia: sprained her ankle, no spins for two weeks",
        "n1",
    )
    assert result.outcome == "pending" and result.tool_calls[0]["name"] == "add_note"
    assert result.pending_action is not None and "Sofía López" in result.pending_action["preview"]
    assert await count(session, StudentNote) == before


async def test_an_unknown_argument_on_a_write_is_not_dropped_into_a_different_preview(
    session: AsyncSession, checkpointer: AsyncPostgresSaver, llm: respx.MockRouter, planner: LLMPlanner
) -> None:
    """``absent_students`` is not mark_attendance's argument: dropped, the preview would mark Sofía
    present. The offline planner reads the person's words instead."""
    studio = await studio_with_class(session)
    llm.post("/chat/completions").mock(return_value=reply("extra_arguments_write.json"))
    result = await ask(
        Copilot(checkpointer, planner=planner),
        session,
        studio.teacher,
        "mark salsa beginners all present except sofia",
        "x1",
    )
    assert result.planner == "llm->offline" and result.answer.startswith("(The language model's reply")
    assert result.pending_action is not None
    assert result.pending_action["preview"].endswith("2 present, absent: Sofía López.")
    assert await marks(session) == 0


async def test_two_calls_in_one_reply_propose_only_the_first_and_say_so(
    session: AsyncSession, checkpointer: AsyncPostgresSaver, llm: respx.MockRouter, planner: LLMPlanner
) -> None:
    studio = await studio_with_class(session)
    llm.post("/chat/completions").mock(return_value=reply("two_tool_calls.json"))
    payments, notes = await count(session, Payment), await count(session, StudentNote)
    result = await ask(
        Copilot(checkpointer, planner=planner),
        session,
        studio.admin,
        "ana paid 40 by transfer, and note that it was for november",
        "t1",
    )
    assert result.tool_calls == [
        {"name": "record_payment", "args": {"student": "ana", "amount": "40", "method": "bank_transfer"}}
    ]
    assert result.outcome == "pending" and "one thing at a time" in result.answer
    pending = (await session.execute(select(PendingAction))).scalars().all()
    assert [(a.tool, a.status) for a in pending] == [("record_payment", ActionStatus.PENDING)]
    assert (await count(session, Payment), await count(session, StudentNote)) == (payments, notes)


async def test_a_timeout_on_a_write_leaves_the_offline_planners_preview_and_writes_nothing(
    session: AsyncSession, checkpointer: AsyncPostgresSaver, llm: respx.MockRouter, planner: LLMPlanner
) -> None:
    studio = await studio_with_class(session)
    route = llm.post("/chat/completions").mock(side_effect=httpx.ReadTimeout("read timed out"))
    copilot = Copilot(checkpointer, planner=planner)
    result = await ask(copilot, session, studio.teacher, "everyone came to salsa beginners", "o1")
    assert route.call_count == 1 and result.planner == "llm->offline"
    assert result.answer.startswith("(The language model could not be reached")
    assert result.outcome == "pending" and await marks(session) == 0
    done = await ask(copilot, session, studio.teacher, "yes", "o1")
    assert done.answer.startswith("Done: 3 marks") and await marks(session) == 3  # the note is said once


async def test_the_fallback_note_is_said_in_the_language_asked(
    session: AsyncSession, checkpointer: AsyncPostgresSaver, llm: respx.MockRouter, planner: LLMPlanner
) -> None:
    studio = await studio_with_class(session)
    llm.post("/chat/completions").mock(side_effect=httpx.ConnectError("connection refused"))
    copilot = Copilot(checkpointer, planner=planner)
    spanish = await ask(copilot, session, studio.teacher, "¿quién está en salsa beginners?", "es1")
    assert spanish.planner == "llm->offline" and spanish.tool_calls[0]["name"] == "group_roster"
    assert spanish.answer.startswith("(No he podido contactar con el modelo de lenguaje")
    english = await ask(copilot, session, studio.teacher, ROSTER_QUESTION, "en1")  # the control
    assert english.answer.startswith("(The language model could not be reached")
