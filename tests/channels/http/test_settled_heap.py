"""A served process settles its heap once started (``channels.heap``); an app a test builds does not."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from channels.http.app import create_app
from domain.settings import Settings


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the rest of the test session collects as before


@pytest.mark.usefixtures("unfrozen")
async def test_the_served_app_freezes_what_start_up_built_and_a_tests_app_does_not() -> None:
    for settle, frozen in ((False, False), (True, True)):
        app = create_app(Settings(), settle_heap=settle)
        async with app.router.lifespan_context(app):
            # the app itself (its routes, its state) was built at start-up: frozen with the rest, or not
            assert (gc.get_freeze_count() > 0) is frozen
        gc.unfreeze()
