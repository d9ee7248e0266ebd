"""A served process settles its heap once (review of issue 16): requests served after it freeze nothing
more, and what they leave behind, cycles included, is still collected — the heap does not grow with use."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest
from httpx import ASGITransport, AsyncClient

from channels.embedded import DatabaseUrls
from channels.http.app import create_app
from domain.settings import Settings


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the rest of the test session collects as before


class Cycle:
    def __init__(self) -> None:
        self.me = self


@pytest.mark.usefixtures("unfrozen")
async def test_requests_after_settling_freeze_nothing_and_their_garbage_is_collected(
    database_urls: DatabaseUrls,
) -> None:
    app = create_app(Settings(), database_url=database_urls.app, settle_heap=True)
    async with app.router.lifespan_context(app):
        frozen = gc.get_freeze_count()
        assert frozen > 0  # the control: start-up's objects are frozen
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://cadence.test") as client:
            for _ in range(20):
                assert (await client.get("/healthz")).status_code == 200
        made_after = Cycle()
        gone = weakref.ref(made_after)
        del made_after
        gc.collect()
        assert gone() is None  # a cycle made after settling is collected as ever
        # nothing a request made joined the frozen heap (it may shrink: refcounting still frees there)
        assert gc.get_freeze_count() <= frozen
