"""MCP over streamable HTTP, in process: a key lists and calls the tools its scopes allow, in its
own organization only; a propose key's write waits for a person."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import httpx2
import pytest
from fastapi import FastAPI
from mcp.client.client import Client
from mcp.client.streamable_http import streamable_http_client
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.auth.models import ApiKey
from domain.tenancy import Scope
from tests.channels.http.test_tools_api import key, marks, studio_with_class_today
from tests.domain.studio import build_studio


@asynccontextmanager
async def mcp_client(app: FastAPI, headers: dict[str, str]) -> AsyncIterator[Client]:
    http = httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app), base_url="http://testserver", headers=headers
    )
    async with http, Client(streamable_http_client("http://testserver/mcp/", http_client=http)) as client:
        yield client


async def test_an_mcp_client_uses_the_tools_its_key_allows(session: AsyncSession, app: FastAPI) -> None:
    studio = await studio_with_class_today(session)
    read_key = await key(session, studio.admin, Scope.READ)
    async with (
        app.state.mcp.session_manager.run(),
        mcp_client(app, read_key) as client,
    ):  # as the lifespan does
        names = {t.name for t in (await client.list_tools()).tools}
        assert "unpaid_students" in names and "mark_attendance" not in names
        answer = await client.call_tool("unpaid_students", {})
        assert not answer.is_error and "José Martínez" in answer.content[0].text  # type: ignore[union-attr]
        refused = await client.call_tool("mark_attendance", {"group": "salsa"})
        assert refused.is_error and await marks(session) == 0


async def test_an_mcp_propose_key_only_proposes_and_never_sees_another_organization(
    session: AsyncSession, app: FastAPI
) -> None:
    studio = await studio_with_class_today(session)
    stranger = await build_studio(session, names=("Zacarías Otro",))
    propose_key, stranger_key = (
        await key(session, studio.admin, Scope.PROPOSE),
        await key(session, stranger.admin, Scope.READ),
    )
    async with app.state.mcp.session_manager.run():
        async with mcp_client(app, propose_key) as client:
            proposed = await client.call_tool("mark_attendance", {"group": "salsa"})
            assert not proposed.is_error and proposed.structured_content["pending_action"]["preview"]
            assert await marks(session) == 0
        async with mcp_client(app, stranger_key) as client:
            roster = await client.call_tool("group_roster", {"group": "salsa"})
            text = roster.content[0].text  # type: ignore[union-attr]
            assert "Zacarías Otro" in text and "Ana García" not in text
        unknown = await _post_mcp(app, {"Authorization": "Bearer cad_not-a-real-key"})
        assert unknown.status_code == 401  # refused at the door (see the 401 tests below)


TOOLS_LIST = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


async def _post_mcp(app: FastAPI, headers: dict[str, str]) -> httpx2.Response:
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        return await http.post("/mcp/", json=TOOLS_LIST, headers={**MCP_HEADERS, **headers})


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer cad_not-a-real-key", "Basic dXNlcjpwdw==", "Bearer "],
    ids=["no key", "unknown key", "another scheme", "empty bearer"],
)
async def test_mcp_without_a_working_key_is_401_with_a_bearer_challenge_and_no_traceback(
    session: AsyncSession, app: FastAPI, caplog: pytest.LogCaptureFixture, authorization: str | None
) -> None:
    studio = await studio_with_class_today(session)
    good_key = await key(session, studio.admin, Scope.READ)
    caplog.set_level(logging.DEBUG)
    async with app.state.mcp.session_manager.run():
        refused = await _post_mcp(app, {"Authorization": authorization} if authorization else {})
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"].startswith("Bearer")
        assert refused.json()["error"]["code"] == "unauthorized"
        assert not [r for r in caplog.records if r.exc_info], "a refused key is not an error to log"
        allowed = await _post_mcp(app, good_key)  # control: a working key lists the tools
        assert allowed.status_code == 200
        assert "unpaid_students" in {t["name"] for t in allowed.json()["result"]["tools"]}


async def test_mcp_with_a_revoked_key_is_401(session: AsyncSession, app: FastAPI) -> None:
    studio = await studio_with_class_today(session)
    headers = await key(session, studio.admin, Scope.READ)
    async with app.state.mcp.session_manager.run():
        assert (await _post_mcp(app, headers)).status_code == 200  # control: before revoking
        await session.execute(update(ApiKey).values(revoked_at=datetime.now(UTC)))
        assert (await _post_mcp(app, headers)).status_code == 401
