"""The copilot on the `large` demo organization with the offline planner, as ratios in one run.

Each question is timed as a whole copilot turn (thread, plan, tool, render, checkpoint, turn record)
and divided by the bare service call that computes the same answer, in its own tenant transaction.
The confirmed write is two turns (the request, then "yes") against the service writing directly.
Also printed: the bytes an LLM call would send (system prompt + messages + tool schemas).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from benchmarks.harness import measure, report
from benchmarks.large_demo import open_large_demo
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
from domain.sessions.models import ClassSession, SessionStatus
from domain.tenancy import TenantContext
from tools.base import ToolContext
from tools.catalog import offered_to

ROUNDS = 30
Case = Callable[[], Awaitable[object]]


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
        print(
            f"large demo: group {group.name!r} ({len(roster)} on {held.date}), student {student.full_name!r}"
        )
        async with TenantSaver.from_conn_string(libpq_url(demo.app_url)) as saver:
            copilot = Copilot(saver)

            def turn(question: str) -> Case:
                async def run() -> object:
                    async with unit_of_work(sessions, admin) as s:
                        result = await copilot.ask(
                            s, admin, question, channel="bench", chat=str(uuid.uuid4()), today=today, now=now
                        )
                    assert result.outcome == "answered", (question, result.answer)
                    return result

                return run

            async def confirmed_write() -> object:
                chat = str(uuid.uuid4())
                async with unit_of_work(sessions, admin) as s:
                    asked = await copilot.ask(
                        s,
                        admin,
                        f"mark {group.name} on {held.date.isoformat()} all present except {absent.full_name}",
                        channel="bench",
                        chat=chat,
                        today=today,
                        now=now,
                    )
                assert asked.pending_action is not None, asked.answer
                async with unit_of_work(sessions, admin) as s:
                    done = await copilot.ask(
                        s, admin, "yes", channel="bench", chat=chat, today=today, now=now
                    )
                assert done.outcome == "confirmed", done.answer
                return done

            def service(work: Callable[[AsyncSession], Awaitable[object]]) -> Case:
                async def run() -> object:
                    async with unit_of_work(sessions, admin) as s:
                        return await work(s)

                return run

            cases: dict[str, Case] = {
                "service: unpaid this month": service(
                    lambda s: payments.unpaid_students(s, admin, month=this_month, today=today)
                ),
                "turn: who hasn't paid this month?": turn("who hasn't paid this month?"),
                "service: student overview": service(
                    lambda s: insights.student_overview(s, admin, student.student_id, today=today)
                ),
                "turn: how is <student> doing?": turn(f"how is {student.full_name} doing?"),
                "service: roster": service(lambda s: groups.roster(s, admin, group.id, on=today)),
                "turn: who is in <group>?": turn(f"who is in {group.name}?"),
                "service: group attendance last month": service(
                    lambda s: insights.attendance_summary(
                        s, admin, start=last_start, end=last_end, group_id=group.id
                    )
                ),
                "turn: attendance in <group> last month": turn(f"attendance in {group.name} last month"),
                "service: payout preview last month": service(
                    lambda s: payouts.preview(s, admin, start=last_start, end=last_end)
                ),
                "turn: payout preview for last month": turn("payout preview for last month"),
                "service: mark all present but one": service(
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
                "turns: mark … except one, then yes": confirmed_write,
            }
            timings = await measure(cases, rounds=ROUNDS, warmup=3)
        print(report(timings, baseline="service: unpaid this month"))
        print("\nturn / the service call that computes the same answer (p50, p95):")
        for service_timing, turn_timing in zip(timings[::2], timings[1::2], strict=True):
            print(
                f"  {turn_timing.name:<44} {turn_timing.p50 / service_timing.p50:>6.2f}x "
                f"{turn_timing.p95 / service_timing.p95:>6.2f}x"
            )
        await _prompt_sizes(demo.sessions, admin, today, now, student.full_name, group.name)
        await demo.engine.dispose()
    finally:
        server.stop()


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
