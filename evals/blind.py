"""Blind sets: questions written by someone who never saw how the copilot understands language, scored
against the tool and arguments they expected — the honest measure of how well the copilot generalises.

A set is a YAML file (``how_written``, ``language``, ``cases``); each case names the organization, the
person asking, what they typed, an optional ``thread`` (cases sharing one are a conversation, in file
order) and what a right answer is: a tool with the arguments that matter, or ``clarify`` (a short question
back), ``refuse`` (not possible, or not for this person), ``not_found`` (a name that exists nowhere: say so,
never answer about someone else). Every conversation runs in a transaction that is rolled back.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from langgraph.checkpoint.base import BaseCheckpointSaver
from pydantic import ValidationError
from rapidfuzz import fuzz
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from copilot.planner import Planner
from copilot.service import Copilot
from domain.actions.models import PendingAction
from domain.db import use_tenant
from domain.error_language import say
from domain.errors import DomainError
from domain.text import fold
from evals.world import TODAY, person
from tools import runner
from tools.base import NeedsClarification, ToolContext
from tools.catalog import CATALOG

NOW = datetime(2026, 11, 26, 18, tzinfo=UTC)
# What counts for the cases that expect no tool answer. A refusal is the copilot declining or a tool
# saying this person may not; a missing name may be asked about or reported, never answered about.
OUTCOMES = {
    "clarify": {"clarify"},
    "refuse": {"refused", "failed:forbidden"},
    "not_found": {"clarify", "refused", "failed:not_found", "failed:invalid"},
}


@dataclass(frozen=True)
class BlindCase:
    id: str
    org: str
    user: str
    say: str
    category: str
    expect: dict[str, Any]
    thread: str | None = None
    # Why the expectation differs from what the set's writer wrote: a later product decision, said in
    # the set itself (the writer's expectation is kept beside it as ``written``), never a quiet edit.
    revised: str | None = None


@dataclass
class BlindSet:
    name: str
    how_written: str
    language: str
    cases: list[BlindCase]


@dataclass
class Result:
    case: BlindCase
    passed: bool
    got: str  # what happened, for the report


@dataclass
class Score:
    name: str
    language: str
    results: list[Result] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def rate(self) -> float:
        return self.passed / len(self.results) if self.results else 0.0

    def by_category(self) -> dict[str, tuple[int, int]]:
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for r in self.results:
            counts[r.case.category][0] += r.passed
            counts[r.case.category][1] += 1
        return {k: (v[0], v[1]) for k, v in sorted(counts.items())}

    def summary(self) -> str:
        categories = ", ".join(f"{k} {p}/{n}" for k, (p, n) in self.by_category().items())
        revised = sum(1 for r in self.results if r.case.revised)
        note = f" ({revised} expectations revised since written, see the set)" if revised else ""
        return f"{self.passed}/{len(self.results)} ({self.rate:.0%}) — {categories}{note}"


def load(path: Path) -> BlindSet:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases = [
        BlindCase(
            id=str(c["id"]),
            org=c["org"],
            user=c["user"],
            say=str(c["say"]),
            category=str(c.get("category", "plain")),
            expect=dict(c["expect"]),
            thread=c.get("thread"),
            revised=c.get("revised"),
        )
        for c in raw["cases"]
    ]
    return BlindSet(path.stem, str(raw.get("how_written", "")).strip(), str(raw.get("language", "")), cases)


def _same(expected: Any, got: Any) -> bool:
    if expected is None:
        return got is None
    if isinstance(expected, list):
        return isinstance(got, list) and sorted(map(_norm, expected)) == sorted(map(_norm, got))
    return _norm(expected) == _norm(got)


def _norm(value: Any) -> str:
    if isinstance(value, dict):  # a stored action's arguments come back from JSONB in another key order
        return fold(json.dumps(value, sort_keys=True, default=str))
    text = str(value)
    if re.fullmatch(r"-?\d+(\.\d+)?", text.strip()):
        try:
            return str(Decimal(text.strip()).normalize())
        except InvalidOperation:
            pass
    return fold(text)


FREE_TEXT = frozenset({"body", "text", "reason", "note"})  # said in the person's own words: compared loosely


@dataclass(frozen=True)
class Effect:
    """What a tool call does: a read's data, or a write's planned arguments (its preview's content)."""

    tool: str
    data: Any = None
    planned: dict[str, Any] | None = None
    problem: str | None = None  # the expected call could not run as written (or the tool lacks an argument)


def same_effect(expected: Effect, got: Effect) -> bool:
    if expected.problem or got.problem or expected.tool != got.tool:
        return False
    if expected.planned is not None or got.planned is not None:
        a, b = expected.planned or {}, got.planned or {}
        if set(a) != set(b):
            return False
        return all(
            fuzz.token_set_ratio(fold(str(a[k])), fold(str(b[k]))) >= 80
            if k in FREE_TEXT
            else _same(a[k], b[k])
            for k in a
        )
    return _canonical(expected.data) == _canonical(got.data)


def _canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, default=str)


def judge(case: BlindCase, outcome: str, calls: list[dict[str, Any]]) -> bool:
    """Outcome cases (clarify, refuse, not_found) by the outcome; tool cases by name and arguments.
    A tool case that fails here may still pass on its effect (see ``BlindRunner``)."""
    wanted = str(case.expect.get("tool"))
    if wanted in OUTCOMES:
        return outcome in OUTCOMES[wanted]
    return outcome in ("answered", "pending") and asked_for(case, calls)


def asked_for(case: BlindCase, calls: list[dict[str, Any]]) -> bool:
    """The last call is the tool the case expects, with the arguments that matter."""
    if not calls or calls[-1]["name"] != str(case.expect.get("tool")):
        return False
    args = calls[-1].get("args") or {}
    return all(_same(v, args.get(k)) for k, v in (case.expect.get("args") or {}).items())


def conversations(cases: list[BlindCase]) -> list[list[BlindCase]]:
    """Cases grouped into conversations, each in file order; a case without a thread is its own."""
    threads: dict[str, list[BlindCase]] = {}
    for case in cases:
        threads.setdefault(case.thread or f"single:{case.id}", []).append(case)
    return list(threads.values())


class BlindRunner:
    def __init__(self, engine: AsyncEngine, checkpointer: BaseCheckpointSaver[Any], planner: Planner) -> None:
        self.engine = engine
        self.copilot = Copilot(checkpointer, planner=planner)

    async def score(self, blind: BlindSet) -> Score:
        score = Score(blind.name, blind.language)
        for conversation in conversations(blind.cases):
            score.results.extend(await self._conversation(conversation, blind.language or "en"))
        return score

    async def _conversation(self, cases: list[BlindCase], language: str) -> list[Result]:
        chat = f"blind-{uuid.uuid4().hex[:12]}"
        results = []
        async with self.engine.connect() as connection:
            outer = await connection.begin()
            sessions = async_sessionmaker(
                bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
            )
            try:
                for case in cases:
                    outcome, calls, answer, effect = await self._turn(sessions, case, chat)
                    passed = judge(case, outcome, calls)
                    if (
                        not passed
                        and (outcome.startswith("failed:") or outcome == "clarify")
                        and asked_for(case, calls)
                    ):
                        # The call asked for, refused or questioned by the tool for the data ("no email or
                        # phone for Clara Moreno", "no cash from Samuel awaits verification"): understood,
                        # if the expected call is refused or questioned the same way.
                        expected = await self._expected_effect(sessions, case, language)
                        passed = expected.problem is not None and answer[:60] in expected.problem
                    if not passed and effect is not None and str(case.expect.get("tool")) not in OUTCOMES:
                        expected = await self._expected_effect(sessions, case, language)
                        passed = same_effect(expected, effect)
                        if expected.problem:
                            answer = f"[expected call: {expected.problem}] {answer}"
                    got = f"{outcome}: {calls[-1] if calls else '-'} — {answer[:160]!r}"
                    results.append(Result(case, passed, got))
            finally:
                await outer.rollback()
        return results

    async def _turn(
        self, sessions: async_sessionmaker[AsyncSession], case: BlindCase, chat: str
    ) -> tuple[str, list[dict[str, Any]], str, Effect | None]:
        async with sessions() as session:
            tenant = await person(session, case.org, case.user)
        async with sessions() as session:
            await use_tenant(session, tenant)
            try:
                result = await self.copilot.ask(
                    session, tenant, case.say, channel="blind", chat=chat, today=TODAY, now=NOW
                )
            except DomainError as exc:
                await session.rollback()
                return f"failed:{exc.code}", [], exc.message, None
            effect, outcome = None, result.outcome
            if outcome == "failed":
                outcome = (
                    f"failed:{(result.data or {}).get('error', '')}"
                    if isinstance(result.data, dict)
                    else outcome
                )
            if result.outcome in ("answered", "pending") and result.tool_calls:
                tool = result.tool_calls[-1]["name"]
                if result.pending_action:
                    action = await session.get(PendingAction, uuid.UUID(result.pending_action["id"]))
                    effect = Effect(tool, planned=dict(action.args) if action else {})
                else:
                    effect = Effect(tool, data=result.data)
            await session.commit()
        return outcome, result.tool_calls, result.answer, effect

    async def _expected_effect(
        self, sessions: async_sessionmaker[AsyncSession], case: BlindCase, language: str
    ) -> Effect:
        """Run the call the set expects, as the same person on the same day in the set's language (a
        question back from the data is said as the copilot said it), and undo it."""
        name, args = str(case.expect.get("tool")), dict(case.expect.get("args") or {})
        tool = CATALOG.get(name)
        if tool is None:
            return Effect(name, problem="no such tool")
        if lacking := sorted(set(args) - set(tool.args.model_fields)):
            return Effect(name, problem=f"the tool has no argument {', '.join(lacking)}")
        async with sessions() as session:
            tenant = await person(session, case.org, case.user)
            await use_tenant(session, tenant)
            ctx = ToolContext(session=session, tenant=tenant, today=TODAY, now=NOW, language=language)
            savepoint = await session.begin_nested()
            try:
                outcome = await runner.execute(ctx, name, args)
            except DomainError as exc:  # said in the set's language, as the copilot says a refusal now
                return Effect(name, problem=f"{type(exc).__name__}: {say(exc, language)[:120]}")
            except (NeedsClarification, ValidationError) as exc:
                return Effect(name, problem=f"{type(exc).__name__}: {str(exc)[:120]}")
            finally:
                await savepoint.rollback()
            if outcome.pending is not None:
                return Effect(name, planned=dict(outcome.pending.args))
            return Effect(name, data=outcome.output.data)


def failures(score: Score) -> str:
    return "\n".join(
        f"{r.case.id} [{r.case.category}] {r.case.say!r}\n    wanted {r.case.expect}\n    got {r.got}"
        for r in score.results
        if not r.passed
    )
