"""MCP over streamable HTTP, in process: a key lists and calls the tools its scopes allow, in its
own organization only; a propose key's write waits for a person."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx2
from fastapi import FastAPI
from mcp.client.client import Client
from mcp.client.streamable_http import streamable_http_client
from sqlalchemy.ext.asyncio import AsyncSession

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
        async with mcp_client(app, {"Authorization": "Bearer cad_not-a-real-key"}) as client:
            unknown = await client.call_tool("unpaid_students", {})
            assert unknown.is_error
