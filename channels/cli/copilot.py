"""``cadence ask | confirm | cancel | chat``: the copilot from a terminal (a stable contract).

``ask --json`` prints one object: {"answer", "tool_calls", "pending_action", "data"} (then "thread",
"outcome", "planner", "usage" as extras). The person is named by --user and must belong to --org.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

# The copilot (LangGraph, the tool catalogue, the planners) is imported by the commands that run it,
# not when `cadence` starts: every other command would pay seconds for it (issue 16).
if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from copilot.service import Copilot, TurnResult
    from domain.tenancy import TenantContext

CHANNEL = "cli"
PlannerChoice = Literal["auto", "offline", "llm"]
OrgOption = Annotated[str, typer.Option("--org", help="The organization's slug, e.g. demo-school.")]
UserOption = Annotated[str, typer.Option("--user", help="The person asking (their login email).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
TodayOption = Annotated[
    str | None, typer.Option("--today", help="Pretend today is YYYY-MM-DD (evals, demos).")
]
PlannerOption = Annotated[
    str, typer.Option("--planner", help="auto (LLM if CADENCE_LLM_BASE_URL is set), offline or llm.")
]


@asynccontextmanager
async def copilot_runtime(planner: str) -> AsyncIterator[tuple[async_sessionmaker[AsyncSession], Copilot]]:
    from channels.embedded import libpq_url
    from channels.runtime import runtime
    from copilot.checkpoints import TenantSaver
    from copilot.factory import make_planner
    from copilot.service import Copilot
    from domain.db import create_engine, session_factory
    from domain.settings import get_settings

    settings = get_settings()
    choice: PlannerChoice = planner if planner in ("auto", "offline", "llm") else "auto"  # type: ignore[assignment]
    with runtime(settings) as rt:
        engine = create_engine(rt.database.app)
        try:
            # A small kept pool, as the server has: `telegram poll` answers several people at once
            async with TenantSaver.pooled(libpq_url(rt.database.app), max_size=4) as saver:
                yield session_factory(engine), Copilot(saver, planner=make_planner(settings, choice))
        finally:
            await engine.dispose()


async def _tenant(
    session: AsyncSession, *, email: str, org_slug: str | None = None, org_id: uuid.UUID | None = None
) -> TenantContext:
    from domain.auth import service as auth
    from domain.orgs import service as orgs

    if org_id is None and org_slug is not None:
        org_id = await orgs.organization_id_by_slug(session, org_slug)
    return await auth.member_tenant(session, email=email, org_id=org_id)


def _clock(today: str | None, tenant: TenantContext) -> tuple[date, datetime]:
    now = datetime.now(UTC)
    if today is None:
        return tenant.today(), now
    try:
        return date.fromisoformat(today), now
    except ValueError as exc:
        raise typer.BadParameter(f"--today looks like 2026-11-26, not {today!r}") from exc


def _print(result: TurnResult, as_json: bool) -> None:
    if as_json:
        typer.echo(
            json.dumps(
                {
                    **result.contract(),
                    "thread": result.thread,
                    "outcome": result.outcome,
                    "planner": result.planner,
                    "usage": result.usage,
                },
                ensure_ascii=False,
                default=str,
            )
        )
        return
    typer.echo(result.answer)
    if result.pending_action:
        typer.echo(
            f"\nTo apply: cadence confirm {result.pending_action['id']} --user …   "
            f"(expires {result.pending_action['expires_at']})"
        )


def _run(work: Callable[[], Coroutine[Any, Any, TurnResult]], as_json: bool) -> None:
    from channels.runtime import ConfigurationError
    from domain.errors import DomainError

    try:
        result = asyncio.run(work())
    except (DomainError, ConfigurationError, ValueError) as exc:
        message = exc.message if isinstance(exc, DomainError) else str(exc)
        if as_json:
            code = exc.code if isinstance(exc, DomainError) else "error"
            typer.echo(
                json.dumps(
                    {"answer": message, "tool_calls": [], "pending_action": None, "data": {"error": code}}
                )
            )
        else:
            typer.secho(message, fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from exc
    _print(result, as_json)
    if result.outcome == "failed":
        raise typer.Exit(code=1)


def ask(
    question: Annotated[str, typer.Argument(help="What to ask, in plain words.")],
    org: OrgOption,
    user: UserOption,
    thread: Annotated[str | None, typer.Option("--thread", help="Continue this conversation.")] = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
    planner: PlannerOption = "auto",
) -> None:
    """Ask the copilot one question (reads answer at once; writes come back as a pending action)."""
    from domain.db import unit_of_work

    async def work() -> TurnResult:
        async with copilot_runtime(planner) as (sessions, copilot):
            async with unit_of_work(sessions) as session:
                tenant = await _tenant(session, email=user, org_slug=org)
            day, now = _clock(today, tenant)
            async with unit_of_work(sessions, tenant) as session:
                chat = thread or f"user-{tenant.user_id}"
                return await copilot.ask(
                    session, tenant, question, channel=CHANNEL, chat=chat, today=day, now=now
                )

    _run(work, as_json)


def _decide(
    action_id: str, user: str, today: str | None, as_json: bool, verb: Literal["confirm", "cancel"]
) -> None:
    try:
        parsed = uuid.UUID(action_id)
    except ValueError as exc:
        raise typer.BadParameter(f"{action_id!r} is not an action id") from exc
    from domain.actions.service import owner_of
    from domain.db import unit_of_work
    from domain.errors import NotFound

    async def work() -> TurnResult:
        async with copilot_runtime("offline") as (sessions, copilot):
            async with unit_of_work(sessions) as session:
                owner = await owner_of(session, parsed)
                if owner is None:
                    raise NotFound("No such pending action.")
                tenant = await _tenant(session, email=user, org_id=owner[0])
            day, now = _clock(today, tenant)
            async with unit_of_work(sessions, tenant) as session:
                decide = copilot.confirm if verb == "confirm" else copilot.cancel
                return await decide(session, tenant, parsed, today=day, now=now)

    _run(work, as_json)


def confirm(
    action_id: Annotated[str, typer.Argument(help="The pending action's id (from ask).")],
    user: UserOption,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Apply a pending action: exactly once, only by the person it was proposed to, before it expires."""
    _decide(action_id, user, today, as_json, "confirm")


def cancel(
    action_id: Annotated[str, typer.Argument(help="The pending action's id (from ask).")],
    user: UserOption,
    as_json: JsonOption = False,
) -> None:
    """Cancel a pending action; nothing is changed."""
    _decide(action_id, user, None, as_json, "cancel")


def chat(
    org: OrgOption,
    user: UserOption,
    thread: Annotated[str | None, typer.Option("--thread", help="Continue this conversation.")] = None,
    today: TodayOption = None,
    planner: PlannerOption = "auto",
) -> None:
    """An interactive chat with the copilot (the same graph as ask). Empty line or Ctrl-D quits."""
    from channels.runtime import ConfigurationError
    from domain.db import unit_of_work
    from domain.errors import DomainError

    async def loop() -> None:
        async with copilot_runtime(planner) as (sessions, copilot):
            async with unit_of_work(sessions) as session:
                tenant = await _tenant(session, email=user, org_slug=org)
            chat_id = thread or f"chat-{tenant.user_id}"
            typer.echo(
                f"Cadence copilot for {org} (thread {chat_id}). Ask away; answer 'yes' or 'no' to confirm."
            )
            while True:
                try:
                    said = await asyncio.to_thread(input, "you> ")
                except EOFError:
                    break
                if not said.strip():
                    break
                day, now = _clock(today, tenant)
                try:
                    async with unit_of_work(sessions, tenant) as session:
                        result = await copilot.ask(
                            session, tenant, said, channel=CHANNEL, chat=chat_id, today=day, now=now
                        )
                except DomainError as exc:
                    typer.secho(exc.message, fg=typer.colors.RED)
                    continue
                typer.echo(f"cadence> {result.answer}")
                if result.pending_action:
                    typer.echo("cadence> Shall I? (yes / no)")

    try:
        asyncio.run(loop())
    except (DomainError, ConfigurationError) as exc:
        raise typer.BadParameter(exc.message if isinstance(exc, DomainError) else str(exc)) from exc


def register(app: typer.Typer) -> None:
    for command in (ask, confirm, cancel, chat):
        app.command()(command)
