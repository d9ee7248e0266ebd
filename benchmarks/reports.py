"""Reports on the `large` demo organization (1,800 students, ~335,000 attendance marks), as ratios to a bare
indexed SELECT measured in the same run. Each case is a full tenant transaction through the app role, like
a request, over the last six months up to today (the REST default); the dashboard is today's."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from benchmarks.harness import measure, report
from benchmarks.large_demo import open_large_demo, student_lookup
from channels.embedded import EmbeddedPostgres
from domain.db import unit_of_work
from domain.payments.rules import month_start
from domain.reports.attendance import attendance_report
from domain.reports.dashboard import dashboard
from domain.reports.enrolment import enrolment_report
from domain.reports.groups import group_health_report
from domain.reports.revenue import revenue_report
from domain.reports.teaching import teacher_load_report
from domain.students.models import Student

ROUNDS = 12
BASELINE = "bare indexed SELECT (one student)"


async def main(data_dir: Path) -> None:
    server = EmbeddedPostgres(data_dir)
    server.start()
    try:
        demo = await open_large_demo(server, fresh=False)
        sessions, tenant, today = demo.sessions, demo.admin, demo.today
        start = month_start(month_start(today) - timedelta(days=5 * 28))
        rng = random.Random(3)  # noqa: S311 - picking benchmark inputs
        async with unit_of_work(sessions, tenant) as s:
            student_ids = list((await s.execute(select(Student.id))).scalars())
            sizes = {
                "attendance rows (by student, weekly)": len(
                    (
                        await attendance_report(s, tenant, start=start, end=today, by="student", every="week")
                    ).rows
                ),
                "revenue months": len(
                    (await revenue_report(s, tenant, start=start, end=today, today=today)).rows
                ),
                "groups": len((await group_health_report(s, tenant, start=start, end=today)).rows),
            }
        print(f"period {start}..{today}; " + ", ".join(f"{k}: {v}" for k, v in sizes.items()))

        def case(build: Callable[[Any], Awaitable[object]]) -> Callable[[], Awaitable[object]]:
            async def run() -> object:
                async with unit_of_work(sessions, tenant) as s:
                    return await build(s)

            return run

        cases: dict[str, Callable[[], Awaitable[object]]] = {
            BASELINE: student_lookup(demo, student_ids, rng),
            "attendance by group, monthly, 6 months": case(
                lambda s: attendance_report(s, tenant, start=start, end=today)
            ),
            "attendance by student, weekly, 6 months": case(
                lambda s: attendance_report(s, tenant, start=start, end=today, by="student", every="week")
            ),
            "revenue (months, groups, methods, ages), 6 months": case(
                lambda s: revenue_report(s, tenant, start=start, end=today, today=today)
            ),
            "teacher load with pay, 6 months": case(
                lambda s: teacher_load_report(s, tenant, start=start, end=today)
            ),
            "group health, 6 months": case(lambda s: group_health_report(s, tenant, start=start, end=today)),
            "enrolment, 6 months": case(lambda s: enrolment_report(s, tenant, start=start, end=today)),
            "dashboard (today)": case(lambda s: dashboard(s, tenant, today=today)),
        }
        timings = await measure(cases, rounds=ROUNDS, warmup=2)
        print(report(timings, baseline=BASELINE))
        await demo.engine.dispose()
    finally:
        server.stop()
