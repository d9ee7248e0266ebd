"""`cadence insights …`: back-test the intelligence against the simulator's truth, fit the models."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated

import typer

insights_app = typer.Typer(help="Insights: back-tests and fitted models.", no_args_is_help=True)


@insights_app.command("backtest")
def backtest(
    size: Annotated[str, typer.Option(help="Demo size: small or large.")] = "small",
    seed: Annotated[int, typer.Option(help="The simulator's seed.")] = 7,
    horizon: Annotated[int, typer.Option(min=7, max=120, help="Days ahead a leaver counts.")] = 42,
    json_path: Annotated[Path | None, typer.Option("--json", help="Also write the figures here.")] = None,
    world: Annotated[
        str,
        typer.Option(
            help="The simulated world: fade (the demo as seeded: leavers only fade, for six weeks)"
            " or drivers (leaving has causes: tenure, season, the group, payments, friends;"
            " a third give no sign)."
        ),
    ] = "fade",
) -> None:
    """Build a fresh demo database, walk as-of dates every 4 weeks over a year, and print each scorer's
    AUC, precision/recall of its list, precision@10/@20 and median lead time (dropout), late-payment
    AUC and the revenue forecast's error."""
    # Heavy imports here, not when `cadence` starts.
    from dataclasses import asdict

    from channels.embedded import APP_ROLE, EmbeddedPostgres
    from domain.db import create_engine, session_factory
    from domain.demo.simulator import PROFILES
    from domain.demo.world import Leaving
    from domain.insights.backtest.demo import DATABASE, run_backtest
    from domain.insights.backtest.harness import BacktestReport
    from domain.insights.backtest.render import lines
    from domain.settings import get_settings
    from migrations.runner import upgrade

    if size not in PROFILES:
        raise typer.BadParameter(f"choose one of {', '.join(PROFILES)}", param_hint="--size")
    if world not in {w.value for w in Leaving}:
        raise typer.BadParameter(f"choose one of {', '.join(w.value for w in Leaving)}", param_hint="--world")
    settings = get_settings()
    if settings.database_url:
        typer.secho(
            "The back-test builds its own database on the embedded server: unset CADENCE_DATABASE_URL.",
            err=True,
        )
        raise typer.Exit(1)
    server = EmbeddedPostgres(settings.data_dir)
    server.start()
    try:
        urls = server.ensure_database(DATABASE, recreate=True)
        upgrade(urls.owner, APP_ROLE)

        async def go() -> BacktestReport:
            engine = create_engine(urls.app)
            try:
                return await run_backtest(
                    session_factory(engine),
                    size=size,
                    seed=seed,
                    horizon=horizon,
                    world=Leaving(world),
                    progress=lambda m: typer.echo(m, err=True),
                )
            finally:
                await engine.dispose()

        report = asyncio.run(go())
    finally:
        server.stop()
    for line in lines(report, size=size, seed=seed, world=world):
        typer.echo(line)
    if json_path is not None:
        figures = asdict(report) | {"size": size, "seed": seed, "world": world}
        json_path.write_text(json.dumps(figures, indent=2, default=str))
        typer.echo(f"Wrote {json_path}")


@insights_app.command("fit")
def fit(
    org: Annotated[str, typer.Option("--org", help="The organization's slug.")],
    today: Annotated[
        str | None, typer.Option(help="Fit as of YYYY-MM-DD (default: the school's today).")
    ] = None,
) -> None:
    """Fit the organization's dropout and late-payment models on its history and store them (the weekly
    job does the same for every organization)."""
    from datetime import date

    from channels.cli.org import named_organization
    from channels.jobs import as_organization
    from domain.errors import DomainError
    from domain.insights.store import Fitted, fit_models

    async def go() -> list[Fitted]:
        async with (
            named_organization(org) as (sessions, org_id),
            as_organization(sessions, org_id) as (
                session,
                office,
                _,
            ),
        ):
            day = date.fromisoformat(today) if today else office.today()
            return await fit_models(session, office, today=day)

    try:
        results = asyncio.run(go())
    except DomainError as error:
        typer.secho(str(error), fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from error
    for r in results:
        if not r.fitted:
            typer.echo(f"{r.kind}: not enough history yet; the rules stay in use")
            continue
        figures = ", ".join(
            f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}" for k, v in r.figures.items()
        )
        typer.echo(
            f"{r.kind}: fitted on {r.rows} rows ({r.positives} positive){'; ' + figures if figures else ''}"
        )
