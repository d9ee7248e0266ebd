"""Test fixtures on a real PostgreSQL (the embedded one): migrated once, one rolled-back transaction per test.

Figures worth reading after a run (tenant tables, attack-matrix cases) are collected in ``REPORT``
and printed in pytest's terminal summary.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from channels.embedded import APP_ROLE, DatabaseUrls, EmbeddedPostgres
from channels.http.app import create_app
from domain.db import create_engine
from domain.settings import Settings
from migrations.runner import upgrade

TEST_DATABASE = "cadence_test"
REPORT: dict[str, str] = {}


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if REPORT:
        terminalreporter.section("Cadence figures")
        for name, figure in REPORT.items():
            terminalreporter.write_line(f"{name}: {figure}")


@pytest.fixture(scope="session")
def database_urls() -> Iterator[DatabaseUrls]:
    """A fresh, migrated test database on the embedded server (data under .cadence/, like `make run`)."""
    data_dir = Settings().data_dir
    if not data_dir.is_absolute():
        data_dir = Path(__file__).resolve().parent.parent / data_dir
    server = EmbeddedPostgres(data_dir)
    server.start()
    urls = server.ensure_database(TEST_DATABASE, recreate=True)
    upgrade(urls.owner, APP_ROLE)
    yield urls
    server.stop()


@pytest.fixture(scope="session")
async def app_engine(database_urls: DatabaseUrls) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_urls.app)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(app_engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """The app role's connection, inside a transaction that is rolled back after the test."""
    async with app_engine.connect() as conn:
        transaction = await conn.begin()
        try:
            yield conn
        finally:
            await transaction.rollback()


@pytest.fixture
def sessions(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    """Sessions whose commits only release savepoints of the test's transaction."""
    return async_sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
async def session(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessions() as s:
        yield s


@pytest.fixture
def settings() -> Settings:
    return Settings(login_max_failures_per_account=5, login_max_failures_per_ip=30)


@pytest.fixture
def app(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> FastAPI:
    """The real app; its per-request sessions run inside the test's rolled-back transaction."""
    application = create_app(settings)
    application.state.sessions = sessions
    return application


@pytest.fixture
async def make_client(app: FastAPI) -> AsyncIterator[Callable[[], AsyncClient]]:
    """Separate clients (separate cookie jars) for the different people in a test."""
    clients: list[AsyncClient] = []

    def new() -> AsyncClient:
        c = AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver")
        clients.append(c)
        return c

    yield new
    for c in clients:
        await c.aclose()


@pytest.fixture
def client(make_client: Callable[[], AsyncClient]) -> AsyncClient:
    return make_client()
