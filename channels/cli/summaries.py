"""`cadence summaries preview`: this week's admin digest and one teacher's agenda, printed."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Annotated

import typer

summaries_app = typer.Typer(
    help="Proactive summaries (the digest and agendas the scheduler sends).", no_args_is_help=True
)


@summaries_app.command("preview")
def preview(
    org: Annotated[str, typer.Option("--org", help="The organization's slug.")],
    teacher: Annotated[
        str | None, typer.Option(help="Whose agenda (login email); the first teacher by name if omitted.")
    ] = None,
    today: Annotated[str | None, typer.Option(help="Pretend today is YYYY-MM-DD.")] = None,
) -> None:
    """Print the admin's weekly digest and a teacher's morning agenda, as they would be sent."""
    # The tools, the copilot's summaries and the jobs (with the LLM phraser) load here, not when
    # `cadence` starts (issue 16).
    from sqlalchemy import select

    from channels.cli.org import named_organization
    from channels.jobs import as_organization
    from channels.runtime import ConfigurationError
    from copilot.summaries import admin_digest, teacher_agenda
    from domain.auth import service as auth
    from domain.auth.models import User
    from domain.db import unit_of_work
    from domain.errors import DomainError
    from domain.teachers.models import Teacher
    from tools.base import ToolContext

    async def go() -> str:
        async with named_organization(org) as (sessions, org_id):
            now = datetime.now(UTC)
            async with as_organization(sessions, org_id) as (session, office, _):
                day = date.fromisoformat(today) if today else office.today()
                digest = await admin_digest(ToolContext(session=session, tenant=office, today=day, now=now))
                email = teacher or await session.scalar(
                    select(User.email)
                    .join(Teacher, Teacher.user_id == User.id)
                    .order_by(Teacher.search_name)
                    .limit(1)
                )
            if email is None:
                return digest.text()
            async with unit_of_work(sessions) as session:
                person = await auth.member_tenant(session, email=email, org_id=org_id)
            async with unit_of_work(sessions, person) as session:
                agenda = await teacher_agenda(ToolContext(session=session, tenant=person, today=day, now=now))
            return f"{digest.text()}\n{agenda.text()}"

    try:
        typer.echo(asyncio.run(go()))
    except (DomainError, ConfigurationError, ValueError) as exc:
        typer.secho(exc.message if isinstance(exc, DomainError) else str(exc), fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from exc
