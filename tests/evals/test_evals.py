"""The evals: the offline planner's full run against its floor (CI), the scorers themselves, and the
same runner driving an LLM planner through a respx-mocked OpenAI-compatible endpoint."""

from __future__ import annotations

import dataclasses
import json

import respx

from channels.embedded import DatabaseUrls, libpq_url
from copilot.checkpoints import TenantSaver
from copilot.llm import LLMPlanner
from copilot.offline import OfflinePlanner
from domain.db import create_engine, session_factory, unit_of_work
from evals import cases as eval_cases
from evals.floor import check_floor
from evals.main import evaluate
from evals.report import markdown
from evals.runner import Evaluator, Run
from evals.world import TODAY, person
from tests.conftest import REPORT
from tests.copilot.conftest import tool_call


async def test_the_offline_planner_meets_its_floor(eval_database: DatabaseUrls) -> None:
    report = await evaluate(eval_database, OfflinePlanner(), populate_first=False)
    REPORT["Offline eval"] = (
        f"{report['passed']}/{report['cases']} cases ({report['pass_rate']:.1%}), "
        + ", ".join(f"{k} {v['pass_rate']:.0%}" for k, v in report["by_category"].items())
        + f"; tool accuracy {report['tool_accuracy']:.1%}; "
        f"unconfirmed writes {report['unconfirmed_writes']}, leaks {report['cross_tenant_leaks']}"
    )
    assert report["cases"] >= 150
    assert set(report["by_category"]) == set(eval_cases.CATEGORIES)
    assert check_floor(report) == [], markdown(report)
    assert {"cases", "passed", "pass_rate", "by_category", "tool_accuracy", "pass_hat_k"} <= set(report)
    assert report["unconfirmed_writes"] == 0 and report["cross_tenant_leaks"] == 0
    assert "| **overall** |" in markdown(report)
    json.dumps(report)  # the JSON report serializes as is


async def _one(eval_database: DatabaseUrls, case: eval_cases.Case, planner: object = None) -> Run:
    engine = create_engine(eval_database.app)
    try:
        async with TenantSaver.from_conn_string(libpq_url(eval_database.app)) as saver:
            evaluator = Evaluator(engine, saver, planner or OfflinePlanner())  # type: ignore[arg-type]
            [run] = await evaluator.run_case(case, attempts=1)
            return run
    finally:
        await engine.dispose()


async def _a_marking_case(eval_database: DatabaseUrls) -> eval_cases.Case:
    engine = create_engine(eval_database.app)
    try:
        sessions = session_factory(engine)
        async with unit_of_work(sessions) as session:
            admin = await person(session, "demo-school", "admin@demo-school.example")
        async with unit_of_work(sessions, admin) as session:
            loaded = await eval_cases.load(session, today=TODAY, only="write")
    finally:
        await engine.dispose()
    case = next(c for c in loaded if c.id.startswith("mark-all-but-one"))
    return dataclasses.replace(case, phrasings=case.phrasings[:1])


async def test_a_write_case_passes_only_on_the_reference_state(eval_database: DatabaseUrls) -> None:
    right = await _a_marking_case(eval_database)
    assert right.state is not None
    assert (await _one(eval_database, right)).passed  # the control
    absent = right.state["absent"]
    wrong_reference = dataclasses.replace(right, state={**right.state, "absent": []})  # nobody absent
    run = await _one(eval_database, wrong_reference)
    assert not run.passed and any("final state differs" in p for p in run.problems)
    assert absent


async def test_a_read_case_fails_when_a_fact_is_missing(eval_database: DatabaseUrls) -> None:
    case = eval_cases.Case(
        id="unpaid",
        category="read",
        user="admin@demo-school.example",
        phrasings=[["who hasn't paid this month?"]],
        facts={"query": "unpaid", "month": "2026-11"},
    )
    assert (await _one(eval_database, case)).passed
    wrong_month = dataclasses.replace(case, facts={"query": "unpaid", "month": "2026-10"})
    run = await _one(eval_database, wrong_month)
    assert not run.passed and run.problems[0].startswith("missing")


async def test_the_runner_scores_an_llm_planner_through_a_mocked_endpoint(
    eval_database: DatabaseUrls,
) -> None:
    planner = LLMPlanner(base_url="http://llm.test/v1", model="test-model", api_key="k", max_retries=0)
    replies = [  # one per phrasing of the case; the second model picks the wrong tool
        tool_call("unpaid_students", {"month": "2026-11"}),
        tool_call("revenue_summary", {}),
        tool_call("unpaid_students", {}),
    ]
    with respx.mock(base_url="http://llm.test/v1") as llm:
        route = llm.post("/chat/completions").mock(side_effect=replies)
        report = await evaluate(
            eval_database, planner, populate_first=False, case_filter=lambda c: c.id == "unpaid-this-month"
        )
    assert route.call_count == 3
    assert report["planner"] == "llm" and report["cases"] == 1 and report["passed"] == 0
    assert report["tool_accuracy"] == round(2 / 3, 4)  # BFCL-style: 2 of 3 calls right
    [failure] = report["failures"]
    assert failure["phrasing"] == "which students still owe money this month"
    assert report["llm_calls_per_turn"] == 1.0 and report["prompt_bytes_per_call"] > 1000
