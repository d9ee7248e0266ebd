"""Run tools: reads answer at once; writes become a pending action that a person confirms.

Domain errors and clarifying questions come back as short sentences the copilot can say.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from domain.actions import service as actions
from domain.actions.models import PendingAction
from domain.audit import service as audit
from domain.error_language import say
from domain.errors import DomainError, Forbidden, Invalid, NotFound
from domain.inputs import refuse_unsafe_text
from tools.base import NeedsClarification, ReadTool, ToolContext, ToolOutput, WriteTool
from tools.catalog import CATALOG


@dataclass(frozen=True)
class Outcome:
    output: ToolOutput
    pending: PendingAction | None = None
    clarification: list[str] | None = None
    # Refused or invalid: the call did nothing. Said here, not read from the data (a forecast's data
    # has an "error" of its own: its past percentage error).
    failed: bool = False


def _tool(name: str) -> ReadTool | WriteTool:
    tool = CATALOG.get(name)
    if tool is None:
        raise NotFound("There is no tool called {name!r}.", values={"name": name})
    return tool


class Mode(enum.StrEnum):
    PROPOSE = "propose"  # a write becomes a pending action a person confirms
    APPLY = "apply"  # a write runs now (API keys with the write scope); still audited


async def execute(
    ctx: ToolContext,
    name: str,
    raw_args: dict[str, Any],
    *,
    mode: Mode = Mode.PROPOSE,
    channel: str | None = None,
    thread_key: str | None = None,
) -> Outcome:
    """Run a tool; errors propagate (DomainError, NeedsClarification, ValidationError).

    A read runs now. A write first plans inside a savepoint that is rolled back (planning must not
    write), then is proposed for confirmation, or applied at once in ``Mode.APPLY``.
    """
    tool = _tool(name)
    if not (ctx.tenant.is_admin or ctx.tenant.role in tool.roles):
        # Before planning: a write this role may not make is refused now, never previewed and then
        # refused at confirm.
        raise Forbidden("Your role can't use {tool}; it is for the office.", values={"tool": tool.name})
    refuse_unsafe_text(raw_args)  # NUL and control characters would reach PostgreSQL (a 500) or a person
    refuse_unknown_arguments(tool, raw_args)
    args = tool.args.model_validate(raw_args)
    if isinstance(tool, ReadTool):
        return Outcome(await tool.run(ctx, args))
    async with ctx.session.begin_nested() as dry_run:
        plan = await tool.plan(ctx, args)
        await dry_run.rollback()
    if mode is Mode.APPLY:
        output = await tool.apply(ctx, plan.args)
        await audit.record(
            ctx.session,
            ctx.tenant,
            action="tool.applied",
            entity_type="tool",
            entity_id=None,
            after={"tool": tool.name, "args": plan.args, "preview": plan.preview},
        )
        return Outcome(output)
    pending = await actions.propose(
        ctx.session,
        ctx.tenant,
        tool=tool.name,
        args=plan.args,
        preview=plan.preview,
        now=ctx.now,
        channel=channel,
        thread_key=thread_key,
    )
    said = ctx.speech.say("runner.confirm_to_apply", preview=plan.preview)
    return Outcome(ToolOutput(said, {"action_id": str(pending.id)}), pending)


def refuse_unknown_arguments(tool: ReadTool | WriteTool, raw_args: dict[str, Any]) -> None:
    """An argument the tool does not take is refused, never dropped: a misspelt "absent_students"
    ignored would mark everyone present (pydantic drops unknown keys by default)."""
    fields = tool.args.model_fields
    taken = set(fields) | {f.alias for f in fields.values() if f.alias}
    unknown = sorted(set(raw_args) - taken)
    if unknown:
        raise Invalid(
            "{tool} takes no argument {names}; it takes {fields}.",
            values={
                "tool": tool.name,
                "names": ", ".join(map(repr, unknown)),
                "fields": ", ".join(sorted(fields)),
            },
            details={"unknown": unknown},
        )


async def call(
    ctx: ToolContext,
    name: str,
    raw_args: dict[str, Any],
    *,
    channel: str | None = None,
    thread_key: str | None = None,
) -> Outcome:
    """``execute`` for the copilot: clarifying questions and domain errors become short sentences."""
    try:
        return await execute(ctx, name, raw_args, channel=channel, thread_key=thread_key)
    except NeedsClarification as question:
        asked = {"options": question.options, "kind": question.kind, "said": question.said}
        return Outcome(ToolOutput(question.question, asked), clarification=question.options)
    except ValidationError as exc:
        said = ctx.speech.say("runner.invalid_details", problems=problems(exc))
        return Outcome(ToolOutput(said, {"error": "invalid"}), failed=True)
    except DomainError as exc:  # said in the answer's language, from the errors' catalogue
        return Outcome(ToolOutput(say(exc, ctx.language), {"error": exc.code}), failed=True)


def problems(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())


async def confirm(ctx: ToolContext, action_id: uuid.UUID) -> ToolOutput:
    async def apply(planned: dict[str, Any]) -> dict[str, Any]:
        tool = _tool(confirmed_tool)
        assert isinstance(tool, WriteTool)
        output = await tool.apply(ctx, planned)
        return {"text": output.text, "data": output.data}

    pending = await actions.lock(ctx.session, ctx.tenant, action_id)  # lock first: see actions.lock
    confirmed_tool = pending.tool
    done = await actions.confirm(ctx.session, ctx.tenant, action_id, now=ctx.now, apply=apply)
    text = str(done.result.get("text", ""))
    if not done.applied_now:
        text = ctx.speech.say("runner.already_done", text=text)
    return ToolOutput(text, done.result.get("data"))


async def cancel(ctx: ToolContext, action_id: uuid.UUID) -> ToolOutput:
    await actions.cancel(ctx.session, ctx.tenant, action_id, now=ctx.now)
    return ToolOutput(ctx.speech.say("runner.cancelled"))
