"""Money on the `large` demo organization, as ratios to a bare indexed SELECT in the same run.

Cases (each a full tenant transaction through the app role, like a request):
  * baseline — one student by primary key;
  * "who hasn't paid this month" — the unpaid report for the current month;
  * the full monthly payout preview for every teacher, with line items (last month);
  * the same preview for one teacher.
"""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event, select

from benchmarks.harness import measure, report
from benchmarks.large_demo import open_large_demo, student_lookup
from channels.embedded import EmbeddedPostgres
from domain.db import unit_of_work
from domain.payments import service as payments
from domain.payments.rules import month_start
from domain.payouts import service as payouts
from domain.students.models import Student
from domain.teachers.models import Teacher

ROUNDS = 40


async def main(data_dir: Path) -> None:
    server = EmbeddedPostgres(data_dir)
    server.start()
    try:
        demo = await open_large_demo(server, fresh=False)
        sessions, tenant, today = demo.sessions, demo.admin, demo.today
        rng = random.Random(2)  # noqa: S311 - picking benchmark inputs
        this_month = month_start(today)
        last_start, last_end = month_start(this_month - timedelta(days=1)), this_month - timedelta(days=1)
        async with unit_of_work(sessions, tenant) as s:
            student_ids = list((await s.execute(select(Student.id))).scalars())
            teacher_ids = list((await s.execute(select(Teacher.id))).scalars())
            unpaid = await payments.unpaid_students(s, tenant, month=this_month, today=today)
            statements: list[str] = []
            engine = (await s.connection()).sync_engine

            def count(*args: object, seen: list[str] = statements) -> None:
                seen.append(str(args[2]))

            event.listen(engine, "before_cursor_execute", count)
            preview = await payouts.preview(s, tenant, start=last_start, end=last_end)
            event.remove(engine, "before_cursor_execute", count)
        lines = sum(len(t.lines) for t in preview.teachers)
        print(
            f"unpaid this month: {len(unpaid.students)} students, "
            f"{unpaid.total_outstanding} {unpaid.currency}; "
            f"payout preview {last_start}..{last_end}: {len(preview.teachers)} teachers, {lines} lines, "
            f"{preview.total} {preview.currency}, {len(statements)} queries"
        )

        bare_select = student_lookup(demo, student_ids, rng)

        async def unpaid_report() -> object:
            async with unit_of_work(sessions, tenant) as s:
                return await payments.unpaid_students(s, tenant, month=this_month, today=today)

        async def preview_all() -> object:
            async with unit_of_work(sessions, tenant) as s:
                return await payouts.preview(s, tenant, start=last_start, end=last_end)

        async def preview_one() -> object:
            async with unit_of_work(sessions, tenant) as s:
                return await payouts.preview(
                    s, tenant, start=last_start, end=last_end, teacher_id=rng.choice(teacher_ids)
                )

        timings = await measure(
            {
                "bare indexed SELECT (one student)": bare_select,
                "who hasn't paid this month": unpaid_report,
                "payout preview, all teachers, one month": preview_all,
                "payout preview, one teacher, one month": preview_one,
            },
            rounds=ROUNDS,
            warmup=5,
        )
        print(report(timings, baseline="bare indexed SELECT (one student)"))
        await demo.engine.dispose()
    finally:
        server.stop()
