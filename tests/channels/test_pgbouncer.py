"""PgBouncer in transaction pooling mode in front of PostgreSQL, as a supported deployment.

Transaction pooling hands each transaction whichever server connection is free, so the tenant must be
set per transaction (``set_config('app.org_id', …, true)``, as ``domain.db`` does) and psycopg must not
prepare statements (``CADENCE_DATABASE_PREPARED_STATEMENTS=false``). Many concurrent transactions
alternate two tenants over two server connections: every one sees exactly its own rows (0 mismatches)
and a transaction with no tenant sees none (0 leaks); the copilot answers each school from its own rows.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from channels.embedded import DatabaseUrls
from channels.http.app import create_app
from domain.auth.models import User
from domain.db import create_engine, session_factory, unit_of_work
from domain.settings import Settings, get_settings
from domain.students.models import Student
from domain.tenancy import TenantContext
from tests.channels.pgbouncer_support import SERVER_CONNECTIONS, pgbouncer_in_front
from tests.committed import committed_database
from tests.conftest import REPORT
from tests.domain.studio import build_studio
from tests.factories import PASSWORD

TRANSACTIONS = 600  # alternating the two schools, and every fifth with no tenant at all
AT_ONCE = 40
ROUNDS = 6  # copilot turns per school
SCHOOLS = {"a": ("Ana García", "José Martínez"), "b": ("Bruno Díaz", "Carla Ruiz", "Diego Sanz")}


@dataclass
class School:
    tenant: TenantContext
    admin_email: str
    students: frozenset[str]


@dataclass
class Bounced:
    direct: DatabaseUrls
    through: DatabaseUrls  # over SERVER_CONNECTIONS
    wide: DatabaseUrls  # over TURN_SERVER_CONNECTIONS: a turn holds two transactions at once
    schools: dict[str, School]


@pytest.fixture(scope="module")
def bounced(database_urls: DatabaseUrls) -> Iterator[Bounced]:
    urls = committed_database("cadence_pgbouncer_test")

    async def seed() -> dict[str, School]:
        engine = create_engine(urls.app)
        try:
            schools = {}
            for key, names in SCHOOLS.items():
                async with session_factory(engine)() as session:
                    studio = await build_studio(session, names=names)
                    user = await session.get(User, studio.admin.user_id)
                    assert user is not None
                    await session.commit()
                    schools[key] = School(studio.admin, user.email, frozenset(names))
            return schools
        finally:
            await engine.dispose()

    schools = asyncio.run(seed())
    with pgbouncer_in_front(urls) as (through, wide):
        yield Bounced(urls, through, wide, schools)


@pytest.fixture
def no_prepared_statements(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """What a deployment behind PgBouncer sets; engines and the checkpointer read it from the settings."""
    monkeypatch.setenv("CADENCE_DATABASE_PREPARED_STATEMENTS", "false")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


async def _visible(
    sessions: async_sessionmaker[AsyncSession], tenant: TenantContext | None
) -> tuple[str, list[str], int]:
    """(the tenant setting, the students visible, how many belong to another organization) in one
    transaction; the same statements many times, which is when psycopg would start preparing them."""
    async with unit_of_work(sessions, tenant) as session:
        setting = await session.scalar(text("SELECT current_setting('app.org_id', true)"))
        for _ in range(6):
            rows = (await session.execute(select(Student.full_name, Student.organization_id))).all()
        await asyncio.sleep(0)  # let other transactions interleave on the shared server connections
        foreign = sum(1 for _, org in rows if tenant is None or org != tenant.org_id)
        return str(setting or ""), sorted(name for name, _ in rows), foreign


async def test_alternating_tenants_through_pgbouncer_never_see_each_other(
    bounced: Bounced, no_prepared_statements: None
) -> None:
    engine = create_engine(bounced.through.app)  # its pool of 10 on PgBouncer's 2 server connections
    sessions = session_factory(engine)
    a, b = bounced.schools["a"], bounced.schools["b"]
    plan: list[School | None] = [None if i % 5 == 4 else (a if i % 2 else b) for i in range(TRANSACTIONS)]
    mismatches = leaks = 0
    try:
        for start in range(0, TRANSACTIONS, AT_ONCE):
            batch = plan[start : start + AT_ONCE]
            seen = await asyncio.gather(*(_visible(sessions, s.tenant if s else None) for s in batch))
            for school, (setting, names, foreign) in zip(batch, seen, strict=True):
                if school is None:
                    leaks += len(names) + (setting != "")
                else:
                    wrong = setting != str(school.tenant.org_id) or set(names) != school.students
                    mismatches += int(wrong) + foreign
        server_backends = await _server_backends(bounced.direct)
    finally:
        await engine.dispose()
    REPORT["pgbouncer transactions"] = (
        f"{TRANSACTIONS} alternating two tenants and none, {AT_ONCE} at a time over "
        f"{SERVER_CONNECTIONS} server connections: {mismatches} mismatches, {leaks} leaks"
    )
    assert (mismatches, leaks) == (0, 0)
    # positive controls: each school saw its own students (above), and the pooler really multiplexed
    assert 1 <= server_backends <= SERVER_CONNECTIONS


async def _server_backends(direct: DatabaseUrls) -> int:
    """The app role's sessions on the server itself: PgBouncer's, however many clients it had."""
    engine = create_engine(direct.owner, pool_size=1)
    try:
        async with engine.connect() as conn:
            count = await conn.scalar(
                select(func.count())
                .select_from(text("pg_stat_activity"))
                .where(text("usename = 'cadence_app' AND datname = current_database()"))
            )
            return int(count or 0)
    finally:
        await engine.dispose()


@asynccontextmanager
async def serving(bounced: Bounced) -> AsyncIterator[FastAPI]:
    """The app with its lifespan running: its engine and its checkpointer both reach PostgreSQL via PgBouncer.
    Not a fixture: the MCP session manager's task group must be entered and left by the test's own task."""
    app = create_app(Settings(), database_url=bounced.wide.app)
    async with app.router.lifespan_context(app):
        yield app


async def _logged_in(app: FastAPI, school: School) -> tuple[AsyncClient, dict[str, str]]:
    client = AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver")
    r = await client.post("/api/v1/auth/login", json={"email": school.admin_email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return client, {"X-CSRF-Token": r.json()["csrf_token"]}


async def test_the_copilot_through_pgbouncer_answers_each_school_from_its_own_rows(
    bounced: Bounced, no_prepared_statements: None
) -> None:
    async with serving(bounced) as app:
        order, answers = await _ask_alternately(app, bounced)
    everyone = set().union(*(s.students for s in bounced.schools.values()))
    mismatches = 0
    for key, answer in zip(order, answers, strict=True):
        mentioned = {name for name in everyone if name in answer}
        mismatches += int(mentioned != bounced.schools[key].students)  # all of its own, none of the other's
    REPORT["pgbouncer copilot"] = f"{len(order)} concurrent turns for two schools: {mismatches} mismatches"
    assert mismatches == 0, list(zip(order, answers, strict=True))


async def _ask_alternately(app: FastAPI, bounced: Bounced) -> tuple[list[str], list[str]]:
    """Both schools' admins ask for their Salsa roster, ROUNDS times each, all at once."""
    people = {key: await _logged_in(app, school) for key, school in bounced.schools.items()}

    async def ask(key: str) -> str:
        client, csrf = people[key]
        r = await client.post(
            "/api/v1/chat/messages", json={"text": "who is in Salsa Beginners?"}, headers=csrf
        )
        assert r.status_code == 200, r.text
        assert "event: done" in r.text, r.text[-500:]
        done = json.loads(r.text.split("event: done\ndata: ")[1].split("\n")[0])
        return str(done["answer"])

    try:
        order = [key for _ in range(ROUNDS) for key in ("a", "b")]
        answers = await asyncio.gather(*(ask(key) for key in order))
    finally:
        for client, _ in people.values():
            await client.aclose()
    return order, answers
