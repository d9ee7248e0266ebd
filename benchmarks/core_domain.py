"""Core-domain operations on the `large` demo organization, as ratios to a bare indexed SELECT.

Cases (each a full tenant transaction through the app role, like a request):
  * baseline — one student by primary key;
  * the roster of a group on a date;
  * "everyone present except one" for a 25-student class (rolled back each round, so it always inserts);
  * the missing-attendance scan across the whole organization (the default 90 days, and all history);
and the seeding time of the `large` demo itself.
"""

from __future__ import annotations

import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, text

from benchmarks.harness import measure, report
from benchmarks.large_demo import open_large_demo, student_lookup
from channels.embedded import EmbeddedPostgres
from domain.attendance import service as attendance
from domain.db import unit_of_work, use_tenant
from domain.groups import memberships
from domain.groups import service as groups
from domain.groups.models import Group, GroupStatus
from domain.groups.schemas import GroupIn
from domain.sessions import service as sessions_service
from domain.sessions.schemas import SessionIn
from domain.students.models import Student
from domain.teachers.models import Teacher

ROUNDS = 60


async def main(data_dir: Path) -> None:
    server = EmbeddedPostgres(data_dir)
    server.start()
    try:
        demo = await open_large_demo(server, fresh=True)  # fresh: the seeding time is part of this suite
        sessions, tenant, today, engine = demo.sessions, demo.admin, demo.today, demo.engine
        seed_seconds = demo.seed_seconds or 0.0
        rng = random.Random(1)  # noqa: S311 - picking benchmark inputs

        async with unit_of_work(sessions, tenant) as s:
            student_ids = list((await s.execute(select(Student.id))).scalars())
            group_ids = list(
                (await s.execute(select(Group.id).where(Group.status == GroupStatus.ACTIVE))).scalars()
            )
            teacher_id = (
                await s.execute(select(Teacher.id).order_by(Teacher.search_name).limit(1))
            ).scalar_one()
            bench_group = await groups.create_group(
                s, tenant, data=GroupIn(name="Benchmark Class", teacher_id=teacher_id)
            )
            for sid in rng.sample(student_ids, 25):
                await memberships.enroll(
                    s, tenant, student_id=sid, group_id=bench_group.id, start_date=today - timedelta(days=30)
                )
            bench_session = await sessions_service.create_session(
                s,
                tenant,
                data=SessionIn(group_id=bench_group.id, date=today - timedelta(days=1)),
            )
        now = datetime.now(UTC)

        bare_select = student_lookup(demo, student_ids, rng)

        async def roster() -> object:
            async with unit_of_work(sessions, tenant) as s:
                return await groups.roster(s, tenant, rng.choice(group_ids), on=today)

        async def bulk_mark() -> object:
            async with sessions() as s:
                await use_tenant(s, tenant)
                async with s.begin() as transaction:
                    result = await attendance.mark_all_except(
                        s, tenant, bench_session.id, except_student_ids=[], today=today, now=now
                    )
                    assert result.created == 25
                    await transaction.rollback()
            return result

        recent = today - timedelta(days=attendance.MISSING_LOOKBACK_DAYS)

        async def missing_recent() -> object:
            async with unit_of_work(sessions, tenant) as s:
                return await attendance.missing_attendance(s, tenant, today=today, since=recent)

        async def missing_all() -> object:
            async with unit_of_work(sessions, tenant) as s:
                return await attendance.missing_attendance(s, tenant, today=today)

        async with unit_of_work(sessions, tenant) as s:
            found = await attendance.missing_attendance(s, tenant, today=today)
            marks = await s.scalar(text("SELECT count(*) FROM attendance_records"))
        print(
            f"org: {len(student_ids)} students, {marks:,} attendance records; "
            f"missing scan finds {len(found.sessions)} sessions",
            file=sys.stderr,
        )

        timings = await measure(
            {
                "bare indexed SELECT (one student)": bare_select,
                "group roster on a date": roster,
                "mark 25-student class, all but one": bulk_mark,
                "missing-attendance scan, org, last 90 days": missing_recent,
                "missing-attendance scan, org, all history": missing_all,
            },
            rounds=ROUNDS,
            warmup=5,
        )
        print(report(timings, baseline="bare indexed SELECT (one student)"))
        base = timings[0].p50
        seed_ms = seed_seconds * 1000
        print(f"{'seed large demo (one run)':<48} {seed_ms:>8.0f} {'':>8} {seed_ms / base:>9.0f}x")
        await engine.dispose()
    finally:
        server.stop()
