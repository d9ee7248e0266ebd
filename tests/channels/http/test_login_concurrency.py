"""The login limit under real concurrency: many wrong passwords at once, each request on its own
connection with committed data, so the count and the decision cannot interleave. The usual fixtures run
everything in one rolled-back transaction, which would serialise the requests; this module has its own
database."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from channels.embedded import DatabaseUrls
from channels.http.app import create_app
from domain.auth.models import LoginAttempt
from domain.db import create_engine, session_factory, unit_of_work
from domain.settings import Settings
from tests.committed import committed_database
from tests.conftest import REPORT
from tests.factories import PASSWORD, make_user

ROOT = Path(__file__).resolve().parents[3]
TRIES = 40
LIMIT = 5


@pytest.fixture(scope="module")
def login_database(database_urls: DatabaseUrls) -> DatabaseUrls:
    return committed_database("cadence_login_test")


@pytest.fixture
async def engine(login_database: DatabaseUrls) -> AsyncIterator[AsyncEngine]:
    # Enough connections for every request at once: the race needs them truly concurrent.
    engine = create_engine(login_database.app, pool_size=TRIES, max_overflow=0)
    yield engine
    await engine.dispose()


@pytest.fixture
def concurrent_app(engine: AsyncEngine) -> Iterator[FastAPI]:
    app = create_app(
        Settings(login_max_failures_per_account=LIMIT, login_max_failures_per_ip=10 * TRIES),
    )
    app.state.sessions = session_factory(engine)  # each request: its own session and transaction
    yield app


async def _new_account(engine: AsyncEngine, label: str) -> str:
    async with unit_of_work(session_factory(engine)) as session:
        return (await make_user(session, label)).email


async def _failures(engine: AsyncEngine, email: str) -> int:
    async with unit_of_work(session_factory(engine)) as session:
        count = await session.scalar(
            select(func.count())
            .select_from(LoginAttempt)
            .where(LoginAttempt.email == email, LoginAttempt.succeeded.is_(False))
        )
    return int(count or 0)


async def _attempt(app: FastAPI, email: str, password: str) -> int:
    transport = ASGITransport(app=app, client=("203.0.113.7", 40000))
    async with AsyncClient(transport=transport, base_url="http://testserver") as client:
        r = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
        return r.status_code


async def test_concurrent_wrong_passwords_check_at_most_the_limit(
    concurrent_app: FastAPI, engine: AsyncEngine
) -> None:
    email = await _new_account(engine, "raced")
    statuses = Counter(
        await asyncio.gather(*(_attempt(concurrent_app, email, f"wrong-guess-{i}") for i in range(TRIES)))
    )
    checked = statuses[401]  # each 401 is one password checked (and one failure recorded)
    REPORT["login race (tries, checked against the password, limit)"] = f"{TRIES}, {checked}, {LIMIT}"
    assert set(statuses) <= {401, 429} and statuses[401] + statuses[429] == TRIES
    assert checked == LIMIT
    assert await _failures(engine, email) == LIMIT


async def test_the_owner_still_logs_in_after_concurrent_logins_within_the_limit(
    concurrent_app: FastAPI, engine: AsyncEngine
) -> None:
    """Positive control: fewer failures than the limit, then the right password is accepted."""
    email = await _new_account(engine, "owner")
    attempts = [_attempt(concurrent_app, email, f"wrong-guess-{i}") for i in range(LIMIT - 1)]
    assert set(await asyncio.gather(*attempts)) == {401}
    assert await _attempt(concurrent_app, email, PASSWORD) == 200
