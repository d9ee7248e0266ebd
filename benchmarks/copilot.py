"""The copilot on the `large` demo organization with the offline planner, as ratios in one run.

Each question is timed as a whole copilot turn (thread, plan, tool, render, checkpoint, turn record) on
a **reused** thread, as the web chat keeps one conversation per person, and set beside the bare service
call that computes the same answer, in its own tenant transaction. The baseline is the README's: one
student by primary key, in a full tenant transaction. The confirmed write is two turns (the request,
then "yes") against the service writing directly. Issue 16's targets are checked and printed
(turn <= service + 15 ms at p50 for the five reads, roster turn <= 3x its service, p95 turn < 60 ms);
so are the checkpoint's round trips per turn. Also printed: the bytes an LLM call would send.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Awaitable, Callable, Generator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from psycopg import AsyncConnection
from psycopg.rows import dict_row
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from benchmarks.harness import Timing, measure, report
from benchmarks.large_demo import open_large_demo, student_lookup
from channels import heap
from channels.embedded import EmbeddedPostgres, libpq_url
from copilot.checkpoints import TenantSaver
from copilot.llm import LLMPlanner, function_spec
from copilot.planner import Memory
from copilot.service import Copilot
from domain.attendance import service as attendance
from domain.attendance.models import AttendanceStatus
from domain.db import unit_of_work
from domain.groups import service as groups
from domain.groups.models import Group, GroupStatus
from domain.insights import service as insights
from domain.payments import service as payments
from domain.payments.rules import month_start
from domain.payouts import service as payouts
from domain.sessions import service as class_sessions
from domain.sessions.models import ClassSession, SessionStatus
from domain.students.models import Student
from domain.tenancy import TenantContext
from tools.base import ToolContext
from tools.catalog import offered_to

ROUNDS = 30
BASELINE = "baseline: one student by id"
READS = ("unpaid", "roster", "overview", "payout", "today")  # issue 16's five reads
TARGET_OVER_SERVICE_MS = 15.0
TARGET_ROSTER_RATIO = 3.0
TARGET_P95_MS = 60.0
Case = Callable[[], Awaitable[object]]


class RoundTrips:
    """Counts the checkpointer's round trips to PostgreSQL, and the time spent waiting on them.

    psycopg sends and waits through ``AsyncConnection.wait`` once per exchange with the server (a
    statement, a BEGIN or COMMIT, a pipeline sync). The checkpointer's connections are told apart from
    SQLAlchemy's by their row factory: LangGraph's saver needs ``dict_row``; SQLAlchemy never uses it."""

    def __init__(self) -> None:
        self.count = 0
        self.ms = 0.0
        self._original = AsyncConnection.wait

    def __enter__(self) -> RoundTrips:
        original, counter = self._original, self

        async def counting(
            conn: AsyncConnection[object], gen: Generator[object, object, object], *a: object, **k: object
        ) -> object:
            if conn.row_factory is not dict_row:
                return await original(conn, gen, *a, **k)  # type: ignore[arg-type]
            counter.count += 1
            start = time.perf_counter()
            try:
                return await original(conn, gen, *a, **k)  # type: ignore[arg-type]
            finally:
                counter.ms += (time.perf_counter() - start) * 1000

        AsyncConnection.wait = counting  # type: ignore[assignment, method-assign]
        return self

    def __exit__(self, *_: object) -> None:
        AsyncConnection.wait = self._original  # type: ignore[method-assign]


async def main(data_dir: Path) -> None:
    server = EmbeddedPostgres(data_dir)
    server.start()
    try:
        demo = await open_large_demo(server, fresh=False)
        sessions, admin, today = demo.sessions, demo.admin, demo.today
        now = datetime.now(UTC)
        this_month = month_start(today)
        last_start = month_start(this_month - timedelta(days=1))
        last_end = this_month - timedelta(days=1)
        async with unit_of_work(sessions, admin) as s:
            group = (
                (
                    await s.execute(
                        select(Group).where(Group.status == GroupStatus.ACTIVE).order_by(Group.name)
                    )
                )
                .scalars()
                .first()
            )
            assert group is not None
            held = (
                (
                    await s.execute(
                        select(ClassSession)
                        .where(ClassSession.group_id == group.id, ClassSession.date < today)
                        .where(ClassSession.status != SessionStatus.CANCELLED)
                        .order_by(ClassSession.date.desc())
                    )
                )
                .scalars()
                .first()
            )
            assert held is not None
            roster = await groups.roster(s, admin, group.id, on=held.date)
            student = roster[0]
            absent = roster[1]
            student_ids = list((await s.execute(select(Student.id))).scalars())
        print(
            f"large demo: group {group.name!r} ({len(roster)} on {held.date}), student {student.full_name!r}"
        )
        async with TenantSaver.pooled(libpq_url(demo.app_url)) as saver:
            copilot = Copilot(saver)
            heap.settle()  # as a served process does once it has started (channels.heap)
            # One conversation for every read, reused turn after turn as the web chat does (its
            # checkpoints pile up as a real one's do); the write has its own, also reused.
            reads_chat, write_chat = f"reads-{uuid.uuid4()}", f"write-{uuid.uuid4()}"

            def turn(question: str) -> Case:
                async def run() -> object:
                    async with unit_of_work(sessions, admin) as s:
                        result = await copilot.ask(
                            s, admin, question, channel="bench", chat=reads_chat, today=today, now=now
                        )
                    assert result.outcome == "answered", (question, result.answer)
                    return result

                return run

            async def confirmed_write() -> object:
                async with unit_of_work(sessions, admin) as s:
                    asked = await copilot.ask(
                        s,
                        admin,
                        f"mark {group.name} on {held.date.isoformat()} all present except {absent.full_name}",
                        channel="bench",
                        chat=write_chat,
                        today=today,
                        now=now,
                    )
                assert asked.pending_action is not None, asked.answer
                async with unit_of_work(sessions, admin) as s:
                    done = await copilot.ask(
                        s, admin, "yes", channel="bench", chat=write_chat, today=today, now=now
                    )
                assert done.outcome == "confirmed", done.answer
                return done

            def service(work: Callable[[AsyncSession], Awaitable[object]]) -> Case:
                async def run() -> object:
                    async with unit_of_work(sessions, admin) as s:
                        return await work(s)

                return run

            pairs: dict[str, tuple[Case, Case]] = {
                "unpaid": (
                    service(lambda s: payments.unpaid_students(s, admin, month=this_month, today=today)),
                    turn("who hasn't paid this month?"),
                ),
                "roster": (
                    service(lambda s: groups.roster(s, admin, group.id, on=today)),
                    turn(f"who is in {group.name}?"),
                ),
                "overview": (
                    service(lambda s: insights.student_overview(s, admin, student.student_id, today=today)),
                    turn(f"how is {student.full_name} doing?"),
                ),
                "payout": (
                    service(lambda s: payouts.preview(s, admin, start=last_start, end=last_end)),
                    turn("payout preview for last month"),
                ),
                "today": (
                    service(lambda s: class_sessions.list_sessions(s, admin, start=today, end=today)),
                    turn("what's on today?"),
                ),
                "attendance": (
                    service(
                        lambda s: insights.attendance_summary(
                            s, admin, start=last_start, end=last_end, group_id=group.id
                        )
                    ),
                    turn(f"attendance in {group.name} last month"),
                ),
                "mark all but one, then yes": (
                    service(
                        lambda s: attendance.mark_all_except(
                            s,
                            admin,
                            held.id,
                            except_student_ids=[absent.student_id],
                            today=today,
                            now=now,
                            status=AttendanceStatus.PRESENT,
                            except_status=AttendanceStatus.ABSENT,
                        )
                    ),
                    confirmed_write,
                ),
            }
            cases: dict[str, Case] = {BASELINE: student_lookup(demo, student_ids, random.Random(7))}  # noqa: S311 - picks rows
            for name, (service_case, turn_case) in pairs.items():
                cases[f"service: {name}"] = service_case
                cases[f"turn: {name}"] = turn_case
            timings = await measure(cases, rounds=ROUNDS, warmup=3)
            with RoundTrips() as trips:
                turns = 10
                for _ in range(turns):
                    await pairs["roster"][1]()
        print(report(timings, baseline=BASELINE))
        _print_against_targets({t.name: t for t in timings})
        print(
            f"\ncheckpointer per read turn (reused thread): {trips.count / turns:.1f} round trips, "
            f"{trips.ms / turns:.1f} ms waiting on them"
        )
        await _prompt_sizes(demo.sessions, admin, today, now, student.full_name, group.name)
        await demo.engine.dispose()
    finally:
        server.stop()


def _print_against_targets(by_name: dict[str, Timing]) -> None:
    print("\nturn beside the service call that computes the same answer:")
    print(f"  {'':<28} {'+ms p50':>8} {'x p50':>7} {'x p95':>7} {'turn p95':>9} {'+cpu ms':>8}")
    for name in (n.removeprefix("turn: ") for n in by_name if n.startswith("turn: ")):
        service_timing, turn_timing = by_name[f"service: {name}"], by_name[f"turn: {name}"]
        print(
            f"  {name:<28} {turn_timing.p50 - service_timing.p50:>8.1f} "
            f"{turn_timing.p50 / service_timing.p50:>6.2f}x {turn_timing.p95 / service_timing.p95:>6.2f}x "
            f"{turn_timing.p95:>9.1f} {turn_timing.cpu_p50 - service_timing.cpu_p50:>8.1f}"
        )
    print("  (+cpu ms: this process's CPU time, turn minus service, p50: steadier than wall time when busy)")
    checks = {
        f"turn <= service + {TARGET_OVER_SERVICE_MS:g} ms at p50 (five reads)": all(
            by_name[f"turn: {r}"].p50 - by_name[f"service: {r}"].p50 <= TARGET_OVER_SERVICE_MS for r in READS
        ),
        f"roster turn <= {TARGET_ROSTER_RATIO:g}x its service (p50)": by_name["turn: roster"].p50
        <= TARGET_ROSTER_RATIO * by_name["service: roster"].p50,
        f"p95 turn < {TARGET_P95_MS:g} ms (five reads)": all(
            by_name[f"turn: {r}"].p95 < TARGET_P95_MS for r in READS
        ),
    }
    print("issue 16 targets:")
    for said, met in checks.items():
        print(f"  {'met    ' if met else 'NOT met'}  {said}")


async def _prompt_sizes(
    sessions: async_sessionmaker[AsyncSession],
    admin: TenantContext,
    today: date,
    now: datetime,
    student: str,
    group: str,
) -> None:
    """What one LLM call would send, without sending it: messages + the (narrowed) tool schemas."""
    planner = LLMPlanner(base_url="http://unused.invalid/v1", model="any")
    every = [function_spec(t) for t in offered_to(admin)]
    print(f"\nall {len(every)} tool schemas (compact): {len(json.dumps(every).encode())} bytes")
    async with unit_of_work(sessions, admin) as s:
        ctx = ToolContext(session=s, tenant=admin, today=today, now=now)
        for question in (
            "who hasn't paid this month?",
            f"how is {student} doing?",
            f"who is in {group}?",
            f"attendance in {group} last month",
            "payout preview for last month",
        ):
            tools = await planner._tools(ctx, question)
            specs = [function_spec(t) for t in tools]
            messages = await planner.messages(ctx, question, Memory())
            prompt, schemas = len(json.dumps(messages).encode()), len(json.dumps(specs).encode())
            print(
                f"  {question:<44} prompt {prompt:>5} B + {len(tools)} tools {schemas:>5} B"
                f" = {prompt + schemas} B"
            )
