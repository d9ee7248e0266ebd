from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from channels.embedded import DatabaseUrls, EmbeddedPostgres
from domain.db import create_engine, session_factory
from domain.settings import Settings
from evals.world import build_database, populate


def _data_dir() -> Path:
    data_dir = Settings().data_dir
    return data_dir if data_dir.is_absolute() else Path(__file__).resolve().parents[2] / data_dir


@pytest.fixture(scope="session")
async def eval_database(database_urls: DatabaseUrls) -> AsyncIterator[DatabaseUrls]:
    """The eval world in its own database (the evals commit nothing: every try is rolled back)."""
    server = EmbeddedPostgres(_data_dir())
    server.start()  # already running for the session: this attaches to it
    urls = build_database(server, "cadence_eval_test")
    engine = create_engine(urls.app)
    try:
        await populate(session_factory(engine), urls.owner)
    finally:
        await engine.dispose()
    yield urls
