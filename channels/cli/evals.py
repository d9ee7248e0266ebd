"""`cadence eval`: build the eval world on the embedded server and score a planner."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from evals.runner import Run

EVAL_DATABASE = "cadence_eval"
# The eval cases' categories, for --only's help; the same as evals.cases.CATEGORIES (a test checks)
# so that `cadence` starts without loading the evals, the copilot and pandas (issue 16).
CATEGORIES = ("read", "write", "multiturn", "refusal", "adversarial")


def eval_command(
    planner: Annotated[
        str, typer.Option(help="offline (default) or llm (needs CADENCE_LLM_BASE_URL).")
    ] = "offline",
    k: Annotated[
        int, typer.Option("--k", min=1, max=10, help="Tries per case; pass^k needs all k to pass.")
    ] = 1,
    only: Annotated[str | None, typer.Option(help=f"One category: {', '.join(CATEGORIES)}.")] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write the JSON report here.")] = None,
    report_path: Annotated[
        Path | None, typer.Option("--report", help="Write the Markdown report here.")
    ] = None,
) -> None:
    """Score the copilot on the eval cases (a fresh demo world, today pinned to 2026-11-26)."""
    if planner not in ("offline", "llm"):
        raise typer.BadParameter("--planner is offline or llm")
    if only is not None and only not in CATEGORIES:
        raise typer.BadParameter(f"--only is one of {', '.join(CATEGORIES)}")
    from channels.runtime import ConfigurationError, runtime
    from copilot.factory import make_planner
    from domain.settings import get_settings
    from evals.main import evaluate
    from evals.report import markdown
    from evals.world import build_database

    settings = get_settings()
    try:
        chosen = make_planner(settings, "llm" if planner == "llm" else "offline")
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    done = {"runs": 0, "failed": 0}

    def progress(run: Run) -> None:
        done["runs"] += 1
        done["failed"] += not run.passed
        if done["runs"] % 50 == 0:
            typer.echo(f"  {done['runs']} runs, {done['failed']} failed…", err=True)

    try:
        with runtime(settings) as rt:
            if rt.embedded_postgres is None:
                raise ConfigurationError(
                    "`cadence eval` builds its own database on the embedded server:"
                    " unset CADENCE_DATABASE_URL."
                )
            typer.echo("Building the eval world (demo organizations, seed 7, today 2026-11-26)…", err=True)
            urls = build_database(rt.embedded_postgres, EVAL_DATABASE)
            report = asyncio.run(evaluate(urls, chosen, k=k, only=only, on_run=progress))
    except ConfigurationError as exc:
        typer.secho(str(exc), fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from exc
    text = markdown(report)
    typer.echo(text)
    if json_path:
        json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    if report_path:
        report_path.write_text(text)
    from evals.floor import check_floor

    problems = check_floor(report) if planner == "offline" and only is None else []
    for problem in problems:
        typer.secho(problem, fg=typer.colors.RED, err=True)
    if problems or report["unconfirmed_writes"] or report["cross_tenant_leaks"]:
        raise typer.Exit(code=1)
