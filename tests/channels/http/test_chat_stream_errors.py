"""The web chat's event stream always ends: with ``done``, or with an ``error`` event, whatever failed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from domain.errors import Conflict
from tests.channels.http.helpers import API, Browser, create_org, signup


class FailingCopilot:
    """Stands in for the copilot: its turn fails the way it is told to."""

    def __init__(self, failure: Exception) -> None:
        self.failure = failure

    async def ask(self, *args: Any, **kwargs: Any) -> Any:
        raise self.failure


def events(body: str) -> list[tuple[str, str]]:
    """(event, data) pairs of a server-sent event stream."""
    parsed = []
    for block in body.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        parsed.append((fields.get("event", ""), fields.get("data", "")))
    return parsed


async def admin_of(make_client: Callable[[], AsyncClient]) -> Browser:
    admin = await signup(make_client(), "admin")
    await create_org(admin)
    return admin


async def test_an_unexpected_failure_ends_the_stream_with_an_error_event(
    app: FastAPI, make_client: Callable[[], AsyncClient]
) -> None:
    app.state.copilot = FailingCopilot(RuntimeError("the database went away <Engine object at 0x7f>"))
    admin = await admin_of(make_client)
    r = await admin.post("/chat/messages", {"text": "who has not paid?"})
    assert r.status_code == 200
    names = [name for name, _ in events(r.text)]
    assert names[0] == "status" and names[-1] == "error", r.text
    assert "0x7f" not in r.text and "Engine" not in r.text  # nothing of the internals reaches the person


async def test_a_domain_error_still_ends_the_stream_with_its_own_message(
    app: FastAPI, make_client: Callable[[], AsyncClient]
) -> None:
    app.state.copilot = FailingCopilot(Conflict("That was already recorded."))
    admin = await admin_of(make_client)
    r = await admin.post("/chat/messages", {"text": "Ana paid 40"})
    assert events(r.text)[-1] == ("error", '{"text": "That was already recorded."}')


async def test_a_nul_byte_in_the_chat_is_refused_before_any_stream(
    app: FastAPI, make_client: Callable[[], AsyncClient]
) -> None:
    app.state.copilot = FailingCopilot(AssertionError("the copilot must not be asked"))
    admin = await admin_of(make_client)
    r = await admin.client.post(
        f"{API}/chat/messages", json={"text": "who\u0000"}, headers={"X-CSRF-Token": admin.csrf}
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid"
