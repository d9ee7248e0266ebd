"""The tool catalogue over REST, for agents and scripts that don't speak MCP, and the confirmation
of pending actions by a person. No tool takes an organization: it comes from the credentials."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Body
from pydantic import BaseModel, ValidationError

from channels.http import scopes
from channels.http.deps import DB, Now, Tenant
from domain.errors import Invalid, NotFound
from domain.tenancy import TenantContext
from tools import runner
from tools.access import tools_for, write_mode
from tools.base import NeedsClarification, ToolContext, ToolKind
from tools.catalog import schema

router = APIRouter(tags=["tools"])


class ToolOut(BaseModel):
    name: str
    description: str
    kind: ToolKind
    mode: str | None  # writes: "propose" (a person confirms) or "apply"
    parameters: dict[str, Any]


class PendingOut(BaseModel):
    id: uuid.UUID
    preview: str
    expires_at: datetime


class ToolResult(BaseModel):
    text: str  # the answer, rendered from the database
    data: Any = None
    pending_action: PendingOut | None = None


def _context(db: Any, tenant: TenantContext, now: datetime) -> ToolContext:
    return ToolContext(session=db, tenant=tenant, today=tenant.today(), now=now)


@router.get("/tools", response_model=list[ToolOut])
async def list_tools(tenant: Tenant) -> list[ToolOut]:
    """The tools these credentials may call, with the JSON schema of their arguments."""
    mode = write_mode(tenant)
    return [
        ToolOut(
            name=t.name,
            description=t.description,
            kind=t.kind,
            mode=mode.value if t.kind is ToolKind.WRITE else None,
            parameters=schema(t)["parameters"],
        )
        for t in tools_for(tenant)
    ]


@router.post("/tools/{name}", response_model=ToolResult, openapi_extra=scopes.any_key_scope())
async def call_tool(
    name: str, tenant: Tenant, db: DB, now: Now, arguments: dict[str, Any] = Body(default_factory=dict)
) -> ToolResult:
    """Call a tool. A write is proposed for a person to confirm, or applied for a `write` key."""
    if name not in {t.name for t in tools_for(tenant)}:
        raise NotFound("There is no tool {name!r} for these credentials.", values={"name": name})
    try:
        outcome = await runner.execute(
            _context(db, tenant, now), name, arguments, mode=write_mode(tenant), channel="api"
        )
    except NeedsClarification as question:
        raise Invalid(question.question, details={"options": question.options}) from question
    except ValidationError as exc:
        raise Invalid(
            "Those arguments don't fit: {problems}.",
            values={"problems": runner.problems(exc)},
            details=exc.errors(),
        ) from exc
    pending = outcome.pending
    return ToolResult(
        text=outcome.output.text,
        data=outcome.output.data,
        pending_action=PendingOut(id=pending.id, preview=pending.preview, expires_at=pending.expires_at)
        if pending
        else None,
    )


@router.post("/actions/{action_id}/confirm", response_model=ToolResult)
async def confirm_action(action_id: uuid.UUID, tenant: Tenant, db: DB, now: Now) -> ToolResult:
    """Apply a pending action: once, by the person it was proposed to (or the office, for an agent's)."""
    output = await runner.confirm(_context(db, tenant, now), action_id)
    return ToolResult(text=output.text, data=output.data)


@router.post("/actions/{action_id}/cancel", response_model=ToolResult)
async def cancel_action(action_id: uuid.UUID, tenant: Tenant, db: DB, now: Now) -> ToolResult:
    output = await runner.cancel(_context(db, tenant, now), action_id)
    return ToolResult(text=output.text, data=output.data)
