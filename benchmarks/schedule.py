"""Scheduling on the `large` demo organization, as ratios to a bare indexed SELECT in the same run.

Cases (each a full tenant transaction through the app role):
  * baseline — one student by primary key;
  * generate 4 weeks for every group, into an empty horizon (rolled back after each round);
  * generate again when everything is there (the beat's usual run: nothing to create);
  * a one-week closure of the busiest venue, cancelling its classes (rolled back);
  * one teacher's ICS feed, read and rendered.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from benchmarks.harness import measure, report
from benchmarks.large_demo import LargeDemo, open_large_demo, student_lookup
from channels.embedded import EmbeddedPostgres
from channels.ics import render
from domain.db import unit_of_work, use_tenant
from domain.scheduling import feeds
from domain.scheduling import service as scheduling
from domain.scheduling.models import FeedKind, GroupSlot
from domain.scheduling.schemas import ClosureIn
from domain.sessions.models import ClassSession
from domain.students.models import Student
from domain.teachers.models import Teacher

ROUNDS = 15


@asynccontextmanager
async def rolled_back(demo: LargeDemo) -> AsyncIterator[AsyncSession]:
    async with demo.engine.connect() as conn:
        transaction = await conn.begin()
        session = AsyncSession(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
        await use_tenant(session, demo.admin)
        try:
            yield session
        finally:
            await session.close()
            await transaction.rollback()


async def main(data_dir: Path) -> None:
    server = EmbeddedPostgres(data_dir)
    server.start()
    try:
        demo = await open_large_demo(server, fresh=False)
        async with unit_of_work(demo.sessions, demo.admin) as s:
            has_slots = bool(await s.scalar(select(func.count()).select_from(GroupSlot)))
        if not has_slots:  # seeded before slots existed: seed again
            await demo.engine.dispose()
            demo = await open_large_demo(server, fresh=True)
        rng = random.Random(3)  # noqa: S311 - picking benchmark inputs
        today, tenant = demo.today, demo.admin
        horizon = today + timedelta(weeks=4)
        far = today + timedelta(weeks=30)  # past the simulated history: a horizon with nothing in it
        async with unit_of_work(demo.sessions, tenant) as s:
            student_ids = list((await s.execute(select(Student.id))).scalars())
            teacher_ids = list((await s.execute(select(Teacher.id))).scalars())
            first = await scheduling.generate(s, tenant, today=today, until=horizon)
            busiest = await s.scalar(
                select(ClassSession.venue_id)
                .group_by(ClassSession.venue_id)
                .order_by(func.count().desc())
                .limit(1)
            )
            tokens = [
                (await feeds.create_feed(s, tenant, kind=FeedKind.TEACHER, target_id=t))[1]
                for t in teacher_ids[:5]
            ]
        async with rolled_back(demo) as s:
            empty = await scheduling.generate(s, tenant, today=far - timedelta(weeks=4), until=far)
        print(
            f"slots → {first.created} classes created to {horizon} ({first.already_there} already there, "
            f"{first.closed} closed); an empty 4-week horizon: {empty.created} classes"
        )

        async def generate_fresh() -> object:
            async with rolled_back(demo) as s:
                return await scheduling.generate(s, tenant, today=far - timedelta(weeks=4), until=far)

        async def generate_again() -> object:
            async with unit_of_work(demo.sessions, tenant) as s:
                return await scheduling.generate(s, tenant, today=today, until=horizon)

        async def closure() -> object:
            async with rolled_back(demo) as s:
                data = ClosureIn(
                    start_date=today + timedelta(days=7),
                    end_date=today + timedelta(days=13),
                    venue_id=busiest,
                    reason="bench",
                )
                return await scheduling.add_closure(s, tenant, data=data, today=today)

        async def feed() -> object:
            async with demo.sessions() as s, s.begin():
                return render(await feeds.read_feed(s, token=rng.choice(tokens), today=today))

        timings = await measure(
            {
                "bare indexed SELECT (one student)": student_lookup(demo, student_ids, rng),
                "generate 4 empty weeks, every group": generate_fresh,
                "generate again (nothing new)": generate_again,
                "close the busiest venue for a week": closure,
                "one teacher's ICS feed": feed,
            },
            rounds=ROUNDS,
            warmup=2,
        )
        print(report(timings, "bare indexed SELECT (one student)"))
        await demo.engine.dispose()
    finally:
        server.stop()
