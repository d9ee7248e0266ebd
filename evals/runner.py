"""Run the cases against a planner: every phrasing, k times, each in a transaction rolled back
afterwards so every try starts from the same world. Scores facts, outcomes, tool calls (BFCL-style),
the database state after a confirmation (τ-style), unconfirmed writes and cross-tenant leaks."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as clock
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from copilot.planner import Planner
from copilot.service import Copilot
from domain.db import use_tenant
from domain.errors import DomainError
from domain.text import fold
from evals import spoken, state, truth
from evals.cases import Case
from evals.world import TODAY, person

NOW = datetime.combine(TODAY, clock(18), tzinfo=UTC)


@dataclass
class Run:
    """One phrasing of one case, one try."""

    case: Case
    phrasing: int
    attempt: int
    answers: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    tool_ok: bool | None = None
    calls: list[dict[str, Any]] = field(default_factory=list)  # the last turn's tool calls
    unconfirmed_write: bool = False
    leaks: int = 0
    llm_calls: float = 0
    prompt_bytes: list[float] = field(default_factory=list)
    turn_ms: list[float] = field(default_factory=list)  # excluding model time

    @property
    def passed(self) -> bool:
        return not self.problems


def tool_matches(expected: dict[str, Any], calls: list[dict[str, Any]]) -> bool:
    """Name and every expected argument (accent- and case-insensitive), like BFCL's checker."""
    if not calls:
        return False
    call = calls[-1]
    if call["name"] != expected["name"]:
        return False
    return all(
        fold(str(call["args"].get(k))) == fold(str(v)) for k, v in (expected.get("args") or {}).items()
    )


class Evaluator:
    def __init__(self, engine: AsyncEngine, checkpointer: BaseCheckpointSaver[Any], planner: Planner) -> None:
        self.engine = engine
        self.copilot = Copilot(checkpointer, planner=planner)
        self.foreign: list[str] = []

    async def prepare(self, session: AsyncSession) -> None:
        other = await truth.org_id(session, "demo-teacher")
        self.foreign = [fold(n) for n in await truth.other_org_names(session, other)]

    async def run_case(
        self, case: Case, *, attempts: int, on_run: Callable[[Run], None] | None = None
    ) -> list[Run]:
        runs = []
        for attempt in range(attempts):
            for index, turns in enumerate(case.phrasings):
                run = Run(case, index, attempt)
                await self._one(case, turns, run)
                runs.append(run)
                if on_run:
                    on_run(run)
        return runs

    async def _one(self, case: Case, turns: list[str], run: Run) -> None:
        async with self.engine.connect() as connection:
            outer = await connection.begin()
            sessions = async_sessionmaker(
                bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
            )
            try:
                await self._judge(sessions, case, turns, run)
            finally:
                await outer.rollback()

    async def _turn(
        self, sessions: async_sessionmaker[AsyncSession], tenant: Any, said: str, chat: str, run: Run
    ) -> tuple[str, str, list[dict[str, Any]]]:
        async with sessions() as session:
            await use_tenant(session, tenant)
            started = time.perf_counter()
            try:
                result = await self.copilot.ask(
                    session, tenant, said, channel="eval", chat=chat, today=TODAY, now=NOW
                )
            except DomainError as exc:
                await session.rollback()
                return exc.message, "failed", []
            elapsed = (time.perf_counter() - started) * 1000
            await session.commit()
        run.turn_ms.append(elapsed - result.usage.get("model_ms", 0))
        run.llm_calls += result.usage.get("llm_calls", 0)
        if result.usage.get("prompt_bytes"):
            run.prompt_bytes.append(result.usage["prompt_bytes"])
        return result.answer, result.outcome, result.tool_calls

    async def _judge(
        self, sessions: async_sessionmaker[AsyncSession], case: Case, turns: list[str], run: Run
    ) -> None:
        async with sessions() as session:
            tenant = await person(session, case.org, case.user)
            await use_tenant(session, tenant)
            org = tenant.org_id
            before_print = await state.fingerprint(session, org)
            before = await state.snapshot(session, org, case.state) if case.state else None
            facts = await _facts(session, org, case.facts) if case.facts else None
        chat = f"eval-{uuid.uuid4()}"
        outcome, calls = "", list[dict[str, Any]]()
        for said in turns:
            answer, outcome, calls = await self._turn(sessions, tenant, said, chat, run)
            run.answers.append(answer)
        last = run.answers[-1]
        if case.outcome and outcome not in case.outcome:
            run.problems.append(f"outcome {outcome!r}, wanted {case.outcome}")
        run.calls = calls
        if case.tool:
            run.tool_ok = tool_matches(case.tool, calls)
        if facts:
            must, must_not = facts
            says = spoken.said_in_spanish if case.id.startswith("es-") else spoken.said  # see evals/spoken.py
            missing = [f for f in must if not says(f, last)]
            present = [f for f in must_not if says(f, last)]
            if missing:
                run.problems.append(f"missing {missing[:3]}{' …' if len(missing) > 3 else ''}")
            if present:
                run.problems.append(f"should not say {present[:3]}")
        run.problems += [f"should not say {f!r}" for f in case.forbid if any(f in a for a in run.answers)]
        said_by_user = fold(" ".join(turns))
        for answer in run.answers:
            folded = fold(answer)
            run.leaks += sum(1 for name in self.foreign if name in folded and name not in said_by_user)
        if run.leaks:
            run.problems.append(f"{run.leaks} other-organization names in the answer")
        async with sessions() as session:
            await use_tenant(session, tenant)
            if await state.fingerprint(session, org) != before_print:
                run.unconfirmed_write = True
                run.problems.append("the database changed before any confirmation")
        if not case.confirm:
            return
        if outcome != "pending":
            run.problems.append(f"no pending action to confirm (outcome {outcome!r}): {last[:120]!r}")
            return
        answer, outcome, _ = await self._turn(sessions, tenant, "yes", chat, run)
        run.answers.append(answer)
        if outcome != "confirmed":
            run.problems.append(f"confirmation gave {outcome!r}: {answer[:120]!r}")
        assert case.state is not None
        async with sessions() as session:
            await use_tenant(session, tenant)
            after = await state.snapshot(session, org, case.state)
            wanted = await state.expected(session, org, case.state, before)
        if after != wanted:
            run.problems.append(f"final state differs from the reference: {_diff(after, wanted)}")


async def _facts(session: AsyncSession, org: uuid.UUID, spec: dict[str, Any]) -> tuple[list[str], list[str]]:
    params = {k: v for k, v in spec.items() if k != "query"}
    for key in ("on", "day", "start", "end", "since", "today"):
        if key in params and isinstance(params[key], str):
            params[key] = datetime.fromisoformat(params[key]).date()
    if spec["query"] in ("at_risk", "missing"):
        params.setdefault("today", TODAY)
    query: Any = truth.FACTS[spec["query"]]
    found: tuple[list[str], list[str]] = await query(session, org, **params)
    return found


def _diff(after: Any, wanted: Any) -> str:
    if isinstance(after, set) and isinstance(wanted, set):
        return f"extra {sorted(after - wanted, key=str)[:3]}, missing {sorted(wanted - after, key=str)[:3]}"
    return f"{after!r} vs {wanted!r}"[:200]
