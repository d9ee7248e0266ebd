"""``TenantSaver.peek_tuple`` (review of issue 16): the look at whether a thread waits on a confirmation
gets the turn's cached checkpoint uncopied; the run that follows must still get a copy of its own, so
nothing the run changes reaches the cache, and nothing a look does reaches the run."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from channels.embedded import DatabaseUrls, libpq_url
from copilot.checkpoints import TenantSaver
from domain.conversations import service as conversations
from domain.conversations.checkpoint_scope import checkpoints_of
from tests.committed import committed_database
from tests.copilot.test_checkpoints import config, org, said


@pytest.fixture(scope="module")
def urls(database_urls: DatabaseUrls) -> Iterator[DatabaseUrls]:
    yield committed_database("cadence_review16_peek_test")


async def test_the_run_after_a_peek_gets_its_own_copy(urls: DatabaseUrls) -> None:
    tenant = org()
    thread = conversations.thread_key(tenant, channel="web", chat=str(uuid.uuid4()))
    async with TenantSaver.pooled(libpq_url(urls.app), max_size=2) as saver:
        with checkpoints_of(tenant):
            async with saver.thread_turn(thread):
                await saver.aput(
                    config(thread), said("Ana paid 40 EUR"), {"source": "input", "step": 0}, {"pending": "1"}
                )
            async with saver.thread_turn(thread):
                looked = await saver.peek_tuple(config(thread))
                run = await saver.aget_tuple(config(thread))
                again = await saver.peek_tuple(config(thread))
                assert looked is not None and run is not None
                assert again is looked  # the look is the cached one, read once per turn
                assert run is not looked and run.checkpoint is not looked.checkpoint
                # What the run changes in its state stays the run's.
                run.checkpoint["channel_values"]["pending"]["preview"] = "changed by the run"
                assert looked.checkpoint["channel_values"]["pending"] == {"preview": "Ana paid 40 EUR"}
                second = await saver.aget_tuple(config(thread))
                assert second is not None
                assert second.checkpoint["channel_values"]["pending"] == {"preview": "Ana paid 40 EUR"}
