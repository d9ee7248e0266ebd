"""`cadence schedule generate`: materialize an organization's classes up to a date."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from domain.scheduling.schemas import Generation

schedule_app = typer.Typer(help="Weekly schedules and the classes they generate.", no_args_is_help=True)


def _date(value: str | None, option: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError as exc:
        raise typer.BadParameter(f"{option} must be a date like 2026-12-31, not {value!r}") from exc


@schedule_app.command("generate")
def generate(
    org: Annotated[str, typer.Option("--org", help="The organization's slug.")],
    until: Annotated[
        str | None,
        typer.Option(help="Last date (YYYY-MM-DD); the organization's horizon, 4 weeks, if omitted."),
    ] = None,
    today: Annotated[str | None, typer.Option(help="Pretend today is YYYY-MM-DD.")] = None,
) -> None:
    """Create the scheduled classes of every active group from today up to --until. Running it again
    creates nothing new; classes already held or cancelled are never touched."""
    last, pinned = _date(until, "--until"), _date(today, "--today")
    # The scheduling service and the jobs module (which brings the LLM phraser) load here, not when
    # `cadence` starts (issue 16).
    from channels.cli.org import named_organization
    from channels.jobs import as_organization
    from channels.runtime import ConfigurationError
    from domain.errors import DomainError
    from domain.scheduling import service as scheduling

    async def go() -> Generation:
        async with (
            named_organization(org) as (sessions, org_id),
            as_organization(sessions, org_id) as (session, office, _),
        ):
            return await scheduling.generate(session, office, today=pinned or office.today(), until=last)

    try:
        result = asyncio.run(go())
    except (DomainError, ConfigurationError) as exc:
        typer.secho(exc.message if isinstance(exc, DomainError) else str(exc), fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from exc
    typer.echo(
        f"{org}: {result.start} to {result.until}: {result.created} classes created, "
        f"{result.already_there} already there, {result.closed} skipped (closed or holiday)"
    )
