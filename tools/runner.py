"""Run tools: reads answer at once; writes become a pending action that a person confirms.

Domain errors and clarifying questions come back as short sentences the copilot can say.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from domain.actions import service as actions
from domain.actions.models import PendingAction
from domain.errors import DomainError, NotFound
from tools.base import NeedsClarification, ReadTool, ToolContext, ToolOutput, WriteTool
from tools.catalog import CATALOG


@dataclass(frozen=True)
class Outcome:
    output: ToolOutput
    pending: PendingAction | None = None
    clarification: list[str] | None = None


def _tool(name: str) -> ReadTool | WriteTool:
    tool = CATALOG.get(name)
    if tool is None:
        raise NotFound(f"There is no tool called {name!r}.")
    return tool


async def call(
    ctx: ToolContext,
    name: str,
    raw_args: dict[str, Any],
    *,
    channel: str | None = None,
    thread_key: str | None = None,
) -> Outcome:
    """A read runs now. A write only plans, inside a savepoint rolled back, and proposes the plan."""
    try:
        tool = _tool(name)
        args = tool.args.model_validate(raw_args)
        if isinstance(tool, ReadTool):
            return Outcome(await tool.run(ctx, args))
        async with ctx.session.begin_nested() as dry_run:  # planning must not write; make sure of it
            plan = await tool.plan(ctx, args)
            await dry_run.rollback()
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
        return Outcome(
            ToolOutput(f"{plan.preview} Confirm to apply.", {"action_id": str(pending.id)}), pending
        )
    except NeedsClarification as question:
        asked = {"options": question.options, "kind": question.kind, "said": question.said}
        return Outcome(ToolOutput(question.question, asked), clarification=question.options)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return Outcome(ToolOutput(f"I couldn't use those details ({problems}).", {"error": "invalid"}))
    except DomainError as exc:
        return Outcome(ToolOutput(exc.message, {"error": exc.code}))


async def confirm(ctx: ToolContext, action_id: uuid.UUID) -> ToolOutput:
    async def apply(planned: dict[str, Any]) -> dict[str, Any]:
        tool = _tool(confirmed_tool)
        assert isinstance(tool, WriteTool)
        output = await tool.apply(ctx, planned)
        return {"text": output.text, "data": output.data}

    pending = await ctx.session.get(PendingAction, action_id)
    if pending is None:
        raise NotFound("No such pending action.")
    confirmed_tool = pending.tool
    done = await actions.confirm(ctx.session, ctx.tenant, action_id, now=ctx.now, apply=apply)
    text = str(done.result.get("text", ""))
    return ToolOutput(text if done.applied_now else f"Already done earlier: {text}", done.result.get("data"))


async def cancel(ctx: ToolContext, action_id: uuid.UUID) -> ToolOutput:
    await actions.cancel(ctx.session, ctx.tenant, action_id, now=ctx.now)
    return ToolOutput("Cancelled; nothing was changed.")
