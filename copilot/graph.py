"""The copilot graph: plan → read (which responds in the same step), or plan → preview → confirm
(interrupt) → apply → respond.

Side effects never sit before ``interrupt()`` in the same node (LangGraph re-runs an interrupted node
when it resumes): the pending action is proposed in ``preview``; ``confirm`` only waits; ``apply``
runs the action through ``actions.confirm``, which applies it at most once whatever happens around it.
"""

from __future__ import annotations

import dataclasses
import functools
import uuid
from typing import Any, Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from copilot.context import TurnContext
from copilot.detect import Languages
from copilot.language import every
from copilot.planner import DecisionKind, Memory, Planner
from copilot.state import TurnState
from domain.errors import DomainError
from tools import runner
from tools.base import ToolContext, ToolKind
from tools.catalog import CATALOG

Graph = CompiledStateGraph[TurnState, TurnContext, TurnState, TurnState]


def _decision(state: TurnState) -> dict[str, Any]:
    return state.get("decision") or {}


@functools.cache
def _every_language() -> Languages:
    return Languages(every())


def _language(planner: Planner, utterance: str, memory: Memory) -> str:
    """The language the message was read in, when the planner did not say: the same pick the offline
    planner makes (its own languages, or its fallback's for the LLM planner), so the answer is said in
    the language the question was understood in."""
    languages = getattr(planner, "languages", None) or getattr(
        getattr(planner, "fallback", None), "languages", None
    )
    if not isinstance(languages, Languages):
        languages = _every_language()
    return languages.pick(utterance, prior=languages.prior(memory)).language


def _speaking(tools: ToolContext, decision: dict[str, Any]) -> ToolContext:
    """The tools' context with the answer's language (the decision's, kept in the checkpoint: a
    confirmation given later, or in another process, answers in the language of its preview)."""
    language = decision.get("language")
    return dataclasses.replace(tools, language=language) if language else tools


async def plan(state: TurnState, runtime: Runtime[TurnContext]) -> TurnState:
    ctx = runtime.context
    memory = Memory.from_state(state.get("memory"))
    decision = await ctx.planner.plan(ctx.tools, state["utterance"], memory, pending=False)
    ctx.usage, ctx.planner_used = decision.usage, decision.planner
    if decision.language is None:
        decision = dataclasses.replace(decision, language=_language(ctx.planner, state["utterance"], memory))
    return {
        "decision": {**dataclasses.asdict(decision), "kind": decision.kind.value},  # plain data only
        "answer": "",
        "tool_calls": [],
        "data": None,
        "pending": None,
        "outcome": "",
    }


def after_plan(state: TurnState) -> Literal["read", "preview", "respond"]:
    decision = _decision(state)
    if decision.get("kind") != DecisionKind.TOOL or decision.get("tool") not in CATALOG:
        return "respond"
    return "read" if CATALOG[decision["tool"]].kind is ToolKind.READ else "preview"


def _ran(decision: dict[str, Any], outcome: runner.Outcome) -> TurnState:
    """What a tool call leaves in the state: its answer, and a pending action if it proposed one."""
    result: TurnState = {
        "answer": outcome.output.text,
        "data": outcome.output.data,
        "tool_calls": [{"name": decision["tool"], "args": decision["args"]}],
    }
    if outcome.pending is not None:
        action = outcome.pending
        result["pending"] = {
            "id": str(action.id),
            "preview": action.preview,
            "expires_at": action.expires_at.isoformat(),
        }
        result["outcome"] = "pending"
    elif outcome.clarification is not None:
        result["outcome"] = "clarify"
    elif outcome.failed:
        result["outcome"] = "failed"
    else:
        result["outcome"] = "answered"
    return result


async def read(state: TurnState, runtime: Runtime[TurnContext]) -> TurnState:
    decision = _decision(state)
    tools = _speaking(runtime.context.tools, decision)
    ran = _ran(decision, await runner.call(tools, decision["tool"], decision["args"]))
    # A read has nothing to wait for: what respond says and remembers is done in this step, which spares
    # every read turn one more step of the graph (most turns are reads).
    return {**ran, **_responded({**state, **ran})}


async def preview(state: TurnState, runtime: Runtime[TurnContext]) -> TurnState:
    """Propose the write (a pending action) — in its own node, since the next one interrupts."""
    ctx, decision = runtime.context, _decision(state)
    outcome = await runner.call(
        _speaking(ctx.tools, decision),
        decision["tool"],
        decision["args"],
        channel=ctx.channel,
        thread_key=ctx.thread_key,
    )
    ran = _ran(decision, outcome)
    if ran.get("pending"):
        # The turn stops at the confirmation, so what respond would say and remember is done here: the
        # note, and the change proposed as the conversation's last call ("and Rocío too").
        if decision.get("note"):
            ran["answer"] = f"{decision['note']}\n{ran['answer']}"
        memory = Memory.from_state(state.get("memory")).with_subjects(decision["args"])
        ran["memory"] = dataclasses.replace(
            memory, last_tool=decision["tool"], last_args=decision["args"], awaiting=None
        ).to_state()
    return ran


def after_preview(state: TurnState) -> Literal["confirm", "respond"]:
    return "confirm" if state.get("pending") else "respond"


async def confirm(state: TurnState) -> TurnState:
    pending = state.get("pending")
    assert pending is not None
    reply = interrupt({"action_id": pending["id"], "preview": pending["preview"]})  # waits for a person
    kind = (DecisionKind.CONFIRM if reply.get("decision") == "confirm" else DecisionKind.CANCEL).value
    return {"decision": {**_decision(state), "kind": kind}}


def after_confirm(state: TurnState) -> Literal["apply", "cancel"]:
    return "apply" if _decision(state).get("kind") == DecisionKind.CONFIRM else "cancel"


async def apply(state: TurnState, runtime: Runtime[TurnContext]) -> TurnState:
    pending = state.get("pending")
    assert pending is not None
    tools = _speaking(runtime.context.tools, _decision(state))
    step = await tools.session.begin_nested()  # a failed apply leaves nothing half-written
    try:
        output = await runner.confirm(tools, uuid.UUID(pending["id"]))
    except DomainError as exc:
        await (step.commit() if exc.keeps_changes else step.rollback())
        return {"answer": exc.message, "data": {"error": exc.code}, "pending": None, "outcome": "failed"}
    await step.commit()
    return {"answer": output.text, "data": output.data, "pending": None, "outcome": "confirmed"}


async def cancel(state: TurnState, runtime: Runtime[TurnContext]) -> TurnState:
    pending = state.get("pending")
    assert pending is not None
    try:
        output = await runner.cancel(
            _speaking(runtime.context.tools, _decision(state)), uuid.UUID(pending["id"])
        )
    except DomainError as exc:
        return {"answer": exc.message, "data": {"error": exc.code}, "pending": None, "outcome": "failed"}
    return {"answer": output.text, "data": None, "pending": None, "outcome": "cancelled"}


async def respond(state: TurnState) -> TurnState:
    return _responded(state)


def _responded(state: TurnState) -> TurnState:
    """The answer as said (a clarification's or refusal's text, a note before it) and what the
    conversation remembers of this turn."""
    decision = _decision(state)
    memory = Memory.from_state(state.get("memory"))
    answer, outcome = state.get("answer") or "", state.get("outcome") or ""
    kind = decision.get("kind")
    if kind == DecisionKind.CLARIFY:
        answer, outcome = decision.get("text", ""), "clarify"
        memory = dataclasses.replace(memory, awaiting=decision.get("awaiting"))
    elif kind == DecisionKind.REFUSE:
        answer, outcome = decision.get("text", ""), "refused"
    elif kind == DecisionKind.TOOL and outcome == "clarify":
        memory = dataclasses.replace(memory, awaiting=_awaiting_answer(decision, state.get("data")))
    elif kind == DecisionKind.TOOL and outcome == "answered":
        memory = dataclasses.replace(
            memory, last_tool=decision.get("tool"), last_args=decision.get("args") or {}, awaiting=None
        )
    elif kind == DecisionKind.TOOL:
        memory = dataclasses.replace(memory, awaiting=None)
    if kind == DecisionKind.TOOL:  # asked about, or proposed a change for: the conversation's subject now
        memory = memory.with_subjects(decision.get("args") or {})
    if decision.get("note") and kind not in (DecisionKind.CONFIRM, DecisionKind.CANCEL):  # said at preview
        answer = f"{decision['note']}\n{answer}"
    history = [*memory.history, {"role": "user", "content": state.get("utterance", "")}]
    history.append({"role": "assistant", "content": answer[:500]})
    memory = dataclasses.replace(memory, history=history[-8:])
    return {"answer": answer, "outcome": outcome, "memory": memory.to_state()}


def _awaiting_answer(decision: dict[str, Any], data: Any) -> dict[str, Any] | None:
    """A tool asked which student/group/teacher was meant: the next message answers for that argument."""
    if not isinstance(data, dict) or data.get("kind") not in ("student", "group", "teacher", "venue"):
        return None
    args = dict(decision.get("args") or {})
    missing = next((k for k, v in args.items() if v == data.get("said")), None)
    if missing is None:
        return None
    args.pop(missing)
    options = [o for o in data.get("options") or [] if isinstance(o, str)]
    return {
        "tool": decision.get("tool"),
        "args": args,
        "missing": missing,
        "kind": data["kind"],
        "options": options,
    }


def build(checkpointer: BaseCheckpointSaver[Any]) -> Graph:
    graph = StateGraph(TurnState, context_schema=TurnContext)
    graph.add_node("plan", plan)
    graph.add_node("read", read)
    graph.add_node("preview", preview)
    graph.add_node("confirm", confirm)
    graph.add_node("apply", apply)
    graph.add_node("cancel", cancel)
    graph.add_node("respond", respond)
    graph.add_edge(START, "plan")
    graph.add_conditional_edges("plan", after_plan)
    graph.add_edge("read", END)
    graph.add_conditional_edges("preview", after_preview)
    graph.add_conditional_edges("confirm", after_confirm)
    graph.add_edge("apply", "respond")
    graph.add_edge("cancel", "respond")
    graph.add_edge("respond", END)
    return graph.compile(checkpointer=checkpointer)
