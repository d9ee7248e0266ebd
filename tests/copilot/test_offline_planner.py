"""The offline planner against its table of phrasings, over the simulated demo school."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copilot.llm import LLMPlanner
from copilot.offline import OfflinePlanner
from copilot.planner import Decision, DecisionKind, Memory
from domain.db import unit_of_work
from domain.demo.seed import seed_demo
from tests.conftest import REPORT
from tests.copilot.helpers import tenant_of
from tools.base import ToolContext

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 18, tzinfo=UTC)
CASES: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "phrasings.yaml").read_text())


def memory_after(decision: Decision) -> Memory:
    if decision.kind is DecisionKind.TOOL:
        return Memory(last_tool=decision.tool, last_args=decision.args)
    return Memory(awaiting=decision.awaiting)


def verdict(case: dict[str, Any], decision: Decision) -> bool:
    if case.get("clarify"):
        return decision.kind is DecisionKind.CLARIFY
    if case.get("refuse"):
        return decision.kind is DecisionKind.REFUSE
    return decision.kind is DecisionKind.TOOL and (decision.tool, decision.args) == (
        case["tool"],
        case["args"],
    )


async def run_table(
    sessions: async_sessionmaker[AsyncSession], cases: list[dict[str, Any]]
) -> tuple[list[str], int]:
    """Every phrasing of a table through the offline planner on the demo school: (what failed, how
    often the LLM planner's narrowing would have offered the right tool)."""
    await seed_demo(sessions, today=TODAY, size="small", seed=7)
    planner = OfflinePlanner()
    narrowing = LLMPlanner(base_url="http://unused.invalid/v1", model="any", max_tools=8)
    failures, retrieved = [], 0
    async with unit_of_work(sessions) as session:
        people = {
            email: await tenant_of(session, "demo-school", email)
            for email in {c.get("user", "admin@demo-school.example") for c in cases}
        }
    for case in cases:
        tenant = people[case.get("user", "admin@demo-school.example")]
        async with unit_of_work(sessions, tenant) as session:
            ctx = ToolContext(session=session, tenant=tenant, today=TODAY, now=NOW)
            memory = Memory()
            if "after" in case:
                memory = memory_after(await planner.plan(ctx, case["after"], memory, pending=False))
            decision = await planner.plan(ctx, case["say"], memory, pending=False)
            if "tool" in case:  # would the LLM planner have been offered the right tool?
                offered = await narrowing._tools(ctx, case["say"], memory)
                retrieved += case["tool"] in {t.name for t in offered}
        if not verdict(case, decision):
            failures.append(
                f"{case['say']!r}: got {decision.kind} {decision.tool} {decision.args} {decision.text!r}"
            )
    return failures, retrieved


async def test_the_offline_planner_maps_every_phrasing_in_its_table(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    assert len(CASES) >= 60
    failures, retrieved = await run_table(sessions, CASES)
    accuracy = 1 - len(failures) / len(CASES)
    REPORT["Offline planner table"] = f"{len(CASES) - len(failures)}/{len(CASES)} phrasings ({accuracy:.1%})"
    with_tool = sum(1 for c in CASES if "tool" in c)
    REPORT["LLM tool narrowing (8 of the catalogue, pgvector)"] = f"recall {retrieved}/{with_tool}"
    assert not failures, "\n".join(failures)
    assert retrieved / with_tool >= 0.95
