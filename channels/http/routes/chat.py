"""The web chat's API: ask (answered as a server-sent event stream), the conversation's history,
and Confirm / Cancel of a preview. One conversation per person and organization, kept across reloads."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from channels.http.deps import DB, Now, Tenant
from copilot.service import Copilot, TurnResult
from domain.actions.models import ActionStatus, PendingAction
from domain.conversations import service as conversations
from domain.db import unit_of_work
from domain.errors import DomainError, Forbidden, Invalid
from domain.exports import kept
from domain.exports.writers import MEDIA_TYPES
from domain.inputs import Text
from domain.tenancy import TenantContext

router = APIRouter(prefix="/chat", tags=["chat"])
CHANNEL = "web"
log = logging.getLogger(__name__)
# The status line is sent before the turn runs, so a failure can no longer become an HTTP error: the stream
# says so itself, in an ``error`` event, and always ends.
SOMETHING_WENT_WRONG = "Something went wrong on our side; nothing was changed. Please try again."


def _chat(tenant: TenantContext) -> str:
    if tenant.user_id is None:
        raise Forbidden("The chat is for people; API keys use /api/v1/tools.")
    return f"user-{tenant.user_id}"


def _copilot(request: Request) -> Copilot:
    copilot: Copilot = request.app.state.copilot
    return copilot


def _event(name: str, data: Any) -> str:
    return f"event: {name}\ndata: {json.dumps(data, default=str)}\n\n"


def _reply(result: TurnResult) -> dict[str, Any]:
    return {**result.contract(), "outcome": result.outcome}


class AskIn(BaseModel):
    text: Text = Field(min_length=1, max_length=2000)
    id: uuid.UUID | None = Field(default=None, description="The client's id for this message.")
    after: uuid.UUID | None = Field(
        default=None,
        description="The id of the message sent just before this one that is still unanswered: this one "
        "is answered after it (at most a few seconds' wait, if that message never arrives).",
    )


class EventStream(StreamingResponse):
    media_type = "text/event-stream"


@router.post("/messages", response_class=EventStream)
async def ask(body: AskIn, request: Request, tenant: Tenant) -> StreamingResponse:
    """Server-sent events: ``status`` at once, the answer line by line as ``chunk``, then ``done``
    with the whole result (answer, tool calls, pending action, data) — or ``error``."""
    chat, copilot, sessions = _chat(tenant), _copilot(request), request.app.state.sessions

    async def events() -> AsyncIterator[str]:
        yield _event("status", {"text": "Thinking…"})
        try:
            async with unit_of_work(sessions, tenant) as session:
                result = await copilot.ask(
                    session,
                    tenant,
                    body.text,
                    channel=CHANNEL,
                    chat=chat,
                    today=tenant.today(),
                    now=datetime.now(UTC),
                    message_id=body.id,
                    after=body.after,
                )
            reply = _reply(result)
        except DomainError as exc:
            yield _event("error", {"text": exc.message})
            return
        except Exception:  # the transaction was rolled back; the person still gets an ending
            log.exception("web chat turn failed")
            yield _event("error", {"text": SOMETHING_WENT_WRONG})
            return
        for line in result.answer.splitlines(keepends=True):
            yield _event("chunk", {"text": line})
        yield _event("done", reply)

    return EventStream(events(), headers={"Cache-Control": "no-store"})


class Turn(BaseModel):
    said: str | None
    answer: str | None
    outcome: str
    at: datetime
    pending_action: dict[str, str] | None = None  # still waiting for Confirm / Cancel
    file: dict[str, str] | None = None  # the spreadsheet the answer offered, while it is still kept


@router.get("/history", response_model=list[Turn])
async def history(tenant: Tenant, db: DB, now: Now) -> list[Turn]:
    key = f"{CHANNEL}:{tenant.org_id}:{_chat(tenant)}"
    turns = await conversations.history(db, tenant, key)
    proposed = [t.pending_action_id for t in turns if t.pending_action_id]
    waiting = (
        {
            a.id: a
            for a in (
                await db.scalars(
                    select(PendingAction).where(
                        PendingAction.id.in_(proposed),
                        PendingAction.status == ActionStatus.PENDING,
                        PendingAction.expires_at > now,
                    )
                )
            ).all()
        }
        if proposed
        else {}
    )
    files = await kept.still_kept(db, tenant, [t.file_id for t in turns if t.file_id], now=now)
    return [
        Turn(
            said=t.said,
            answer=t.answer,
            outcome=t.outcome,
            at=t.created_at,
            pending_action=(
                {"id": str(a.id), "preview": a.preview, "expires_at": a.expires_at.isoformat()}
                if t.pending_action_id and (a := waiting.get(t.pending_action_id))
                else None
            ),
            file=(
                {"id": str(f.id), "filename": f.filename, "download_url": f.download_path}
                if t.file_id and (f := files.get(t.file_id))
                else None
            ),
        )
        for t in turns
    ]


@router.post("/actions/{action_id}/{decision}")
async def decide(
    action_id: uuid.UUID, decision: str, request: Request, tenant: Tenant, db: DB
) -> dict[str, Any]:
    """Confirm or cancel a preview; only the person it was proposed to, once, before it expires."""
    copilot = _copilot(request)
    if decision not in ("confirm", "cancel"):
        raise Invalid("Say confirm or cancel.", details={"field": "decision"})
    act = copilot.confirm if decision == "confirm" else copilot.cancel
    result = await act(db, tenant, action_id, today=tenant.today(), now=datetime.now(UTC))
    return _reply(result)


@router.get(
    "/files/{file_id}",
    response_class=Response,
    responses={200: {"content": {media.split(";")[0]: {} for media in MEDIA_TYPES.values()}}},
)
async def download_file(file_id: uuid.UUID, tenant: Tenant, db: DB, now: Now) -> Response:
    """A spreadsheet the copilot made ("send me that as a spreadsheet"): for the person (or API key) who
    asked, in this organization, for 24 hours; to anyone else it does not exist (404)."""
    file, content = await kept.fetch(db, tenant, file_id, now=now)
    return Response(
        content,
        media_type=file.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{file.filename}"',
            "Cache-Control": "private, no-store",
        },
    )
