"""The `large` demo organization, seeded once into a benchmark database and shared by the suites."""

from __future__ import annotations

import random
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from channels.embedded import APP_ROLE, EmbeddedPostgres
from domain.auth import service as auth
from domain.db import create_engine, session_factory, unit_of_work
from domain.demo.seed import is_seeded, seed_demo
from domain.orgs import service as orgs
from domain.students.models import Student
from domain.tenancy import TenantContext
from migrations.runner import analyze, upgrade

DATABASE = "cadence_bench"


@dataclass
class LargeDemo:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    admin: TenantContext
    today: date
    seed_seconds: float | None  # None when an earlier run's seeded database was reused
    app_url: str = ""


async def open_large_demo(server: EmbeddedPostgres, *, fresh: bool) -> LargeDemo:
    urls = server.ensure_database(DATABASE, recreate=fresh)
    upgrade(urls.owner, APP_ROLE)
    engine = create_engine(urls.app)
    sessions = session_factory(engine)
    today = datetime.now(UTC).date()
    seed_seconds = None
    if not await is_seeded(sessions):
        print("seeding the large demo…", file=sys.stderr)
        started = time.perf_counter()
        await seed_demo(sessions, today=today, size="large", seed=7)
        seed_seconds = time.perf_counter() - started
    analyze(urls.owner)
    async with unit_of_work(sessions) as s:
        org_id = await orgs.organization_id_by_slug(s, "demo-school")
        admin = await auth.find_user_by_email(s, "admin@demo-school.example")
        assert org_id and admin
        membership = await auth.membership_in(s, user_id=admin.id, org_id=org_id)
        assert membership
    return LargeDemo(engine, sessions, membership.tenant(admin.id), today, seed_seconds, urls.app)


def student_lookup(
    demo: LargeDemo, student_ids: list[uuid.UUID], rng: random.Random
) -> Callable[[], Awaitable[object]]:
    """The baseline every suite divides by: one student by primary key, in a full tenant transaction."""

    async def lookup() -> object:
        async with unit_of_work(demo.sessions, demo.admin) as session:
            query = select(Student.full_name).where(Student.id == rng.choice(student_ids))
            return (await session.execute(query)).one()

    return lookup
