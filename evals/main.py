"""Build the eval world, run every case with a planner, and report (used by `cadence eval` and CI)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from channels.embedded import DatabaseUrls, libpq_url
from copilot.checkpoints import TenantSaver
from copilot.planner import Planner
from domain.db import create_engine, session_factory, unit_of_work
from evals import cases as eval_cases
from evals.report import summarize
from evals.runner import Evaluator, Run
from evals.world import TODAY, person, populate


async def evaluate(
    urls: DatabaseUrls,
    planner: Planner,
    *,
    k: int = 1,
    only: str | None = None,
    populate_first: bool = True,
    case_filter: Callable[[eval_cases.Case], bool] | None = None,
    on_run: Callable[[Run], None] | None = None,
) -> dict[str, Any]:
    engine = create_engine(urls.app)
    try:
        sessions = session_factory(engine)
        if populate_first:
            await populate(sessions, urls.owner)
        async with unit_of_work(sessions) as session:
            admin = await person(session, "demo-school", "admin@demo-school.example")
        async with unit_of_work(sessions, admin) as session:
            cases = await eval_cases.load(session, today=TODAY, only=only)
        if case_filter:
            cases = [c for c in cases if case_filter(c)]
        async with TenantSaver.from_conn_string(libpq_url(urls.app)) as saver:
            evaluator = Evaluator(engine, saver, planner)
            owner = create_engine(urls.owner)  # sees both organizations: what would count as a leak
            try:
                async with unit_of_work(session_factory(owner)) as session:
                    await evaluator.prepare(session)
            finally:
                await owner.dispose()
            runs: list[Run] = []
            for case in cases:
                runs += await evaluator.run_case(case, attempts=k, on_run=on_run)
        return summarize(cases, runs, planner=planner.name, k=k)
    finally:
        await engine.dispose()
