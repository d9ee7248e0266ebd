"""`cadence schedule generate`: materialize an organization's classes up to a date."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated

import typer

from channels.jobs import as_organization
from channels.runtime import ConfigurationError, runtime
from domain.db import create_engine, session_factory, unit_of_work
from domain.errors import DomainError, NotFound
from domain.orgs import service as orgs
from domain.scheduling import service as scheduling
from domain.scheduling.schemas import Generation
from domain.settings import get_settings

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

    async def go() -> Generation:
        with runtime(get_settings()) as rt:
            engine = create_engine(rt.database.app)
            try:
                sessions = session_factory(engine)
                async with unit_of_work(sessions) as session:
                    org_id = await orgs.organization_id_by_slug(session, org)
                if org_id is None:
                    raise NotFound(f"No organization {org!r}.")
                async with as_organization(sessions, org_id) as (session, office, _):
                    return await scheduling.generate(
                        session, office, today=pinned or office.today(), until=last
                    )
            finally:
                await engine.dispose()

    try:
        result = asyncio.run(go())
    except (DomainError, ConfigurationError) as exc:
        typer.secho(exc.message if isinstance(exc, DomainError) else str(exc), fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from exc
    typer.echo(
        f"{org}: {result.start} to {result.until}: {result.created} classes created, "
        f"{result.already_there} already there, {result.closed} skipped (closed or holiday)"
    )
