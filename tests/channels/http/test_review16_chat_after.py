"""The web chat's message ids (review of issue 16): a malformed ``id`` or ``after`` is a 422 in the error
envelope and no turn runs; well-formed ones reach the copilot as the ids they are."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from domain.errors import Conflict
from tests.channels.http.helpers import Browser, create_org, error_code, signup


class RecordingCopilot:
    """Stands in for the copilot: records what a turn was asked with, then ends it as a domain error."""

    def __init__(self) -> None:
        self.asked: list[dict[str, Any]] = []

    async def ask(self, *args: Any, **kwargs: Any) -> Any:
        self.asked.append(kwargs)
        raise Conflict("recorded")


async def admin_of(make_client: Callable[[], AsyncClient]) -> Browser:
    admin = await signup(make_client(), "admin")
    await create_org(admin)
    return admin


@pytest.mark.parametrize(
    "ids",
    [{"after": "not-an-id"}, {"id": "12345"}, {"after": 7}, {"id": str(uuid.uuid4()), "after": ""}],
    ids=["after-word", "id-number-text", "after-number", "after-empty"],
)
async def test_a_malformed_message_id_is_refused_and_no_turn_runs(
    app: FastAPI, make_client: Callable[[], AsyncClient], ids: dict[str, Any]
) -> None:
    copilot = RecordingCopilot()
    app.state.copilot = copilot
    admin = await admin_of(make_client)
    r = await admin.post("/chat/messages", {"text": "who has not paid?", **ids})
    assert r.status_code == 422, r.text
    assert error_code(r) and set(r.json()["error"]) >= {"code", "message", "details"}
    assert copilot.asked == []


async def test_well_formed_ids_reach_the_turn(app: FastAPI, make_client: Callable[[], AsyncClient]) -> None:
    copilot = RecordingCopilot()
    app.state.copilot = copilot
    admin = await admin_of(make_client)
    first, second = uuid.uuid4(), uuid.uuid4()
    r = await admin.post(
        "/chat/messages", {"text": "who has not paid?", "id": str(second), "after": str(first)}
    )
    assert r.status_code == 200, r.text
    assert [(a["message_id"], a["after"]) for a in copilot.asked] == [(second, first)]
