"""The planner's name directory on the `large` demo: read per turn (before) vs cached per names version.

"Before" clears this process's cache ahead of every call, which is what each turn paid until the
directory was cached: every student, group, teacher and venue name read, and the fuzzy-search
candidates built again. "After" is the steady state: one indexed read of the organization's names
version, and the copy built when that version was first seen. Ratios are to the bare indexed
single-row SELECT measured in the same run (the machine is shared and noisy), as in the other suites.

`python -m benchmarks directory` (or `python -m benchmarks.directory`).
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import random
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from benchmarks.harness import Timing, measure, report
from benchmarks.large_demo import LargeDemo, open_large_demo, student_lookup
from channels.embedded import EmbeddedPostgres, libpq_url
from copilot.checkpoints import TenantSaver
from copilot.names import DIRECTORIES, Directory
from copilot.offline import OfflinePlanner
from copilot.planner import Memory
from copilot.service import Copilot
from domain.db import unit_of_work
from domain.groups.models import Group, GroupStatus
from domain.settings import Settings
from domain.students.models import Student, StudentStatus
from tools.base import ToolContext

ROUNDS = 60
BASELINE = "bare indexed SELECT (1 student by id)"
Case = Callable[[], Awaitable[object]]


async def main(data_dir: Path) -> None:
    server = EmbeddedPostgres(data_dir)
    server.start()
    try:
        demo = await open_large_demo(server, fresh=False)
        async with TenantSaver.from_conn_string(libpq_url(demo.app_url)) as saver:
            timings, pairs = await _measure(demo, Copilot(saver))
        print(report(timings, baseline=BASELINE))
        by_name = {t.name: t for t in timings}
        print("\nbefore (names read every turn) → after (cached per names version), p50 and p95:")
        for before, after in pairs:
            b, a = by_name[before], by_name[after]
            print(
                f"  {after.removeprefix('after: '):<40} p50 {b.p50:7.2f} → {a.p50:6.2f} ms "
                f"(saves {b.p50 - a.p50:5.2f} ms, after/before {a.p50 / b.p50:5.2f}x); "
                f"p95 {b.p95:7.2f} → {a.p95:6.2f} ms"
            )
        await demo.engine.dispose()
    finally:
        server.stop()


async def _measure(demo: LargeDemo, copilot: Copilot) -> tuple[list[Timing], list[tuple[str, str]]]:
    """Every case interleaved with its before/after twin; returns the timings and the twins' names."""
    sessions, admin, today = demo.sessions, demo.admin, demo.today
    now = datetime.now(UTC)
    async with unit_of_work(sessions, admin) as s:
        ids = list((await s.scalars(select(Student.id))).all())
        active = select(Student.full_name).where(Student.status == StudentStatus.ACTIVE).order_by(Student.id)
        student, *others = (await s.scalars(active)).all()
        group = await s.scalar(
            select(Group.name).where(Group.status == GroupStatus.ACTIVE).order_by(Group.name)
        )
    assert student and group
    unsaid = itertools.cycle(others)  # a name not said before at this version: no remembered match
    async with unit_of_work(sessions, admin) as s:
        ctx = ToolContext(session=s, tenant=admin, today=today, now=now)
        directory = await Directory.load(ctx)
    counts = {kind: len(names) for kind, names in directory.names.items()}
    print(f"large demo: {counts}; group {group!r}, student {student!r}")
    planner = OfflinePlanner()
    thread = str(uuid.uuid4())  # one reused thread, as the web chat does

    def load(cached: bool) -> Case:
        async def run() -> object:
            if not cached:
                DIRECTORIES.clear()
            async with unit_of_work(sessions, admin) as session:
                return await Directory.load(ToolContext(session=session, tenant=admin, today=today, now=now))

        return run

    def plan(question: str, cached: bool) -> Case:
        async def run() -> object:
            if not cached:
                DIRECTORIES.clear()
            said = question.replace("<another student>", next(unsaid))
            async with unit_of_work(sessions, admin) as session:
                ctx = ToolContext(session=session, tenant=admin, today=today, now=now)
                return await planner.plan(ctx, said, Memory(), pending=False)

        return run

    def turn(question: str, cached: bool) -> Case:
        async def run() -> object:
            if not cached:
                DIRECTORIES.clear()
            async with unit_of_work(sessions, admin) as session:
                result = await copilot.ask(
                    session, admin, question, channel="bench", chat=thread, today=today, now=now
                )
            assert result.outcome == "answered", (question, result.answer)
            return result

        return run

    cases: dict[str, Case] = {BASELINE: student_lookup(demo, ids, random.Random(7))}  # noqa: S311 - sampling, not secrets
    questions = {
        "plan: who is in <group>?": f"who is in {group}?",
        "plan: how is <student> doing?": f"how is {student} doing?",
        "plan: how is <a new student each time>?": "how is <another student> doing?",
        "plan: who hasn't paid this month?": "who hasn't paid this month?",
    }
    pairs: dict[str, Callable[[bool], Case]] = {"Directory.load": load}
    for label, question in questions.items():
        pairs[label] = functools.partial(plan, question)
    pairs["turn (reused thread): who is in <group>?"] = functools.partial(turn, f"who is in {group}?")
    twins = []
    for label, make in pairs.items():
        cases[f"before: {label}"] = make(False)
        cases[f"after: {label}"] = make(True)
        twins.append((f"before: {label}", f"after: {label}"))
    return await measure(cases, rounds=ROUNDS, warmup=5), twins


if __name__ == "__main__":
    asyncio.run(main(Settings().data_dir.absolute()))
