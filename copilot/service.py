"""The copilot for entry points: ask, confirm, cancel — one turn each, in the caller's transaction.

Every channel (CLI, web chat, Telegram, MCP) builds the tenant from authentication and calls these;
the graph's state lives in PostgreSQL, so a confirmation may come from another process, later.

Two turns of one conversation conflict in two places only, and are kept apart there:
- the graph's state (read, run, written back): the checkpointer's turn holds the thread's lock from
  the read to the write (``TenantSaver.thread_turn``), and writes once, when the run stops
  (``durability="exit"``), in the same transaction;
- a proposed change handed to the next turn: the action a turn proposed (or decided) is not visible
  to others until the caller commits, so the turn that proposed it, and any turn that finds the
  conversation waiting on it, hold the thread until their own commit (``conversations.hold_for_commit``).
Everything else (a read answered, the turn recorded, the caller's commit) runs alongside the next turn.
"""

from __future__ import annotations

import uuid
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.errors import InvalidUpdateError
from langgraph.types import Command
from sqlalchemy.ext.asyncio import AsyncSession

from copilot import graph as copilot_graph
from copilot.checkpoints import TenantSaver, acting_for_caller
from copilot.context import TurnContext
from copilot.offline import OfflinePlanner
from copilot.planner import Planner
from copilot.state import TurnState
from domain.actions import service as actions
from domain.actions.models import ActionStatus
from domain.conversations import service as conversations
from domain.embeddings import Embedder, default_embedder
from domain.errors import Conflict
from domain.orgs.models import Organization
from domain.payments.storage import ReceiptStorage
from domain.tenancy import TenantContext
from tools import runner
from tools.base import Attachment, ToolContext

# The pending-write channel LangGraph records an ``interrupt()`` under (private since LangGraph 1.0, so
# spelt here; tests/copilot/test_checkpoint_weight.py holds it to the library's).
INTERRUPT = "__interrupt__"


class AlreadyBeingApplied(Conflict):
    """A second confirmation arrived while the first was resuming the same conversation."""


@dataclass(frozen=True)
class TurnResult:
    """The stable shape of an answer (``cadence ask --json`` prints exactly these four keys first)."""

    answer: str
    tool_calls: list[dict[str, Any]]
    pending_action: dict[str, str] | None
    data: Any
    thread: str = ""
    outcome: str = ""
    planner: str = "offline"
    usage: dict[str, float] = field(default_factory=dict)
    language: str = "en"  # the language the answer is in (the message's): channels may label buttons in it

    def contract(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "tool_calls": self.tool_calls,
            "pending_action": self.pending_action,
            "data": self.data,
        }


@dataclass
class Copilot:
    checkpointer: BaseCheckpointSaver[Any]
    planner: Planner = field(default_factory=OfflinePlanner)
    embedder: Embedder = field(default_factory=default_embedder)
    offline: OfflinePlanner = field(default_factory=OfflinePlanner)  # also reads "yes" / "no"
    receipts: ReceiptStorage | None = None  # for writes that attach a file (a receipt sent to the bot)
    receipt_max_bytes: int = 10 * 1024 * 1024

    def __post_init__(self) -> None:
        self.graph = copilot_graph.build(self.checkpointer)

    def _context(
        self,
        session: AsyncSession,
        tenant: TenantContext,
        *,
        channel: str,
        key: str,
        today: date,
        now: datetime,
        attachment: Attachment | None = None,
        organization: Organization | None = None,
    ) -> TurnContext:
        tools = ToolContext(
            session=session,
            tenant=tenant,
            today=today,
            now=now,
            embedder=self.embedder,
            attachment=attachment,
            receipts=self.receipts,
            receipt_max_bytes=self.receipt_max_bytes,
            # The answer's language comes per message, from the graph; the locale is how money and
            # dates look. The names version keys the planner's name directory.
            locale=organization.locale if organization else None,
            names_version=organization.names_version if organization else None,
        )
        return TurnContext(tools=tools, planner=self.planner, channel=channel, thread_key=key)

    @acting_for_caller  # the graph's checkpoints are read and written as the caller's organization
    async def ask(
        self,
        session: AsyncSession,
        tenant: TenantContext,
        utterance: str,
        *,
        channel: str,
        chat: str,
        today: date,
        now: datetime,
        attachment: Attachment | None = None,
        message_id: uuid.UUID | None = None,
        after: uuid.UUID | None = None,
    ) -> TurnResult:
        """One message's turn. ``message_id``: the client's id for this message, recorded with its turn;
        ``after``: the client's id of the message sent just before it, still unanswered when this one was
        sent — this turn waits for that one's (messages sent together are answered in the order sent, not
        in the order their requests happen to reach the conversation)."""
        key = conversations.thread_key(tenant, channel=channel, chat=chat)
        if after is not None and after != message_id:
            await conversations.wait_for_message(session, tenant, key, after)
        async with self._turn_of(key):  # messages of one conversation take turns, in arrival order
            opened = await conversations.open_thread(session, tenant, channel=channel, chat=chat, now=now)
            ctx = self._context(
                session,
                tenant,
                channel=channel,
                key=opened.thread.thread_key,
                today=today,
                now=now,
                attachment=attachment,
                organization=opened.organization,
            )
            config = _config(opened.thread.thread_key)
            waiting = await self._waiting_on(config)
            if waiting is not None:  # proposed by a turn that may not have committed it yet: wait for it
                await conversations.hold_for_commit(session, tenant, key)
            reply = self.offline.reply_to_pending(utterance, pending=waiting is not None)
            if waiting is not None and reply in ("confirm", "cancel"):
                resume: Command[Any] = Command(
                    resume={"decision": reply, "action_id": waiting}, update={"utterance": utterance}
                )
                state = await self._run(resume, config, ctx)
            else:
                state = await self._run(TurnState(utterance=utterance), config, ctx)
            if state.get("outcome") == "pending":  # the next turn may confirm it: only once it is ours
                await conversations.hold_for_commit(session, tenant, key)
            # recorded in the order it ran
            return await self._finish(session, tenant, ctx, state, message_id=message_id)

    @acting_for_caller
    async def confirm(
        self,
        session: AsyncSession,
        tenant: TenantContext,
        action_id: uuid.UUID,
        *,
        today: date,
        now: datetime,
    ) -> TurnResult:
        return await self._decide(session, tenant, action_id, "confirm", today=today, now=now)

    @acting_for_caller
    async def cancel(
        self,
        session: AsyncSession,
        tenant: TenantContext,
        action_id: uuid.UUID,
        *,
        today: date,
        now: datetime,
    ) -> TurnResult:
        return await self._decide(session, tenant, action_id, "cancel", today=today, now=now)

    async def _decide(
        self,
        session: AsyncSession,
        tenant: TenantContext,
        action_id: uuid.UUID,
        reply: str,
        *,
        today: date,
        now: datetime,
    ) -> TurnResult:
        """Resume the conversation waiting on this action; otherwise decide it directly (still once)."""
        # The conversation first, then the action, in the order a "yes" typed in the chat takes them
        # (its apply locks the action while its turn holds the thread): a press and a "yes" at the
        # same moment queue on the thread instead of each holding what the other waits for.
        key = await conversations.thread_of_action(session, tenant, action_id) or ""
        async with self._turn_of(key) if key else nullcontext():
            if key:
                await conversations.hold_for_commit(session, tenant, key)
            # A second confirmation sent at the same moment waits on the action's lock until the first
            # commits, then finds it applied and resumes nothing.
            action = await actions.lock(session, tenant, action_id)
            ctx = self._context(session, tenant, channel=action.channel or "", key=key, today=today, now=now)
            thread = await conversations.owned_thread(session, tenant, key) if key else None
            if thread is not None and action.status is ActionStatus.PENDING:
                config = _config(key)
                if await self._waiting_on(config) == str(action_id):
                    resume: Command[Any] = Command(
                        resume={"decision": reply, "action_id": str(action_id)}, update={"utterance": reply}
                    )
                    state = await self._run(resume, config, ctx)
                    return await self._finish(session, tenant, ctx, state)
        decide = runner.confirm if reply == "confirm" else runner.cancel
        output = await decide(ctx.tools, action_id)  # DomainErrors reach the caller: nothing changed
        await conversations.record_turn(
            session,
            tenant,
            thread_key=key,
            planner="none",
            tool=action.tool,
            outcome="confirmed" if reply == "confirm" else "cancelled",
            said=reply,
            answer=output.text,
        )
        return TurnResult(output.text, [], None, output.data, thread=key, outcome=reply + "ed")

    async def _waiting_on(self, config: RunnableConfig) -> str | None:
        """The action the thread stopped at the confirmation for, read straight from its latest
        checkpoint: the proposal is a channel value there, the confirmation's interrupt a pending write
        (what ``graph.aget_state`` reports too, without building a whole state snapshot every turn)."""
        saver = self.checkpointer
        look = saver.peek_tuple if isinstance(saver, TenantSaver) else saver.aget_tuple  # only looks
        saved = await look(config)
        if saved is None:
            return None
        interrupted = any(channel == INTERRUPT for _task, channel, _value in saved.pending_writes or ())
        return _waiting_action(saved.checkpoint["channel_values"], interrupted)

    def _turn_of(self, key: str) -> AbstractAsyncContextManager[None]:
        saver = self.checkpointer
        return saver.thread_turn(key) if isinstance(saver, TenantSaver) else nullcontext()

    async def _run(
        self, given: TurnState | Command[Any], config: RunnableConfig, ctx: TurnContext
    ) -> TurnState:
        try:
            # One checkpoint per turn, written when the run stops (at the end, or at the confirmation's
            # interrupt). Safe here: a turn that fails midway rolls back the caller's transaction, so
            # no step's state is worth keeping without the rest; resume-after-interrupt needs only the
            # state at the interrupt, which "exit" writes.
            return cast(TurnState, await self.graph.ainvoke(given, config, context=ctx, durability="exit"))
        except InvalidUpdateError as exc:
            # Two resumes of one waiting thread in the same step (a "yes" typed while Confirm is pressed):
            # the other one is applying it. Our transaction rolls back, so nothing here ran twice.
            raise AlreadyBeingApplied(
                "This action is already being applied; nothing was done twice."
            ) from exc

    async def _finish(
        self,
        session: AsyncSession,
        tenant: TenantContext,
        ctx: TurnContext,
        state: TurnState,
        *,
        message_id: uuid.UUID | None = None,
    ) -> TurnResult:
        decision = state.get("decision") or {}
        outcome = state.get("outcome") or ""
        pending = state.get("pending")
        proposed = uuid.UUID(pending["id"]) if pending and outcome == "pending" else None
        await conversations.record_turn(
            session,
            tenant,
            thread_key=ctx.thread_key,
            planner=ctx.planner_used,
            tool=decision.get("tool"),
            outcome=outcome,
            prompt_tokens=ctx.usage.prompt_tokens,
            completion_tokens=ctx.usage.completion_tokens,
            llm_calls=ctx.usage.llm_calls,
            said=state.get("utterance"),
            answer=state.get("answer") or "",
            pending_action_id=proposed,
            client_message_id=message_id,
            file_id=_file_made(state.get("data")),
        )
        return TurnResult(
            answer=state.get("answer") or "",
            tool_calls=list(state.get("tool_calls") or []),
            pending_action=(
                {"id": pending["id"], "preview": pending["preview"], "expires_at": pending["expires_at"]}
                if pending and outcome == "pending"
                else None
            ),
            data=state.get("data"),
            thread=ctx.thread_key,
            outcome=outcome,
            planner=ctx.planner_used,
            language=str(decision.get("language") or ctx.tools.language),
            usage={
                "prompt_tokens": ctx.usage.prompt_tokens,
                "completion_tokens": ctx.usage.completion_tokens,
                "llm_calls": ctx.usage.llm_calls,
                "prompt_bytes": ctx.usage.prompt_bytes,
                "model_ms": round(ctx.usage.model_ms, 1),
            },
        )


def _config(thread_key: str) -> RunnableConfig:
    return {"configurable": {"thread_id": thread_key}}


def _waiting_action(values: Any, interrupted: bool) -> str | None:
    """The action id the thread is waiting on, if it stopped at the confirmation."""
    if not interrupted:
        return None
    pending = (values or {}).get("pending")
    return str(pending["id"]) if pending else None


def _file_made(data: Any) -> uuid.UUID | None:
    """The kept file a turn's answer offered (the spreadsheet tool's ``data.file.id``), if any."""
    file = data.get("file") if isinstance(data, dict) else None
    try:
        return uuid.UUID(str(file["id"])) if isinstance(file, dict) and file.get("id") else None
    except ValueError:
        return None
