from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

from channels.embedded import DatabaseUrls, libpq_url


@pytest.fixture
async def checkpointer(database_urls: DatabaseUrls) -> AsyncIterator[AsyncPostgresSaver]:
    """LangGraph's checkpointer on the app role (its tables were set up by the migrations)."""
    async with AsyncPostgresSaver.from_conn_string(libpq_url(database_urls.app)) as saver:
        yield saver
