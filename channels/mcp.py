"""The tool catalogue for other agents over MCP (streamable HTTP, mounted at ``/mcp``).

Every request carries an organization's API key (``Authorization: Bearer …``); the key decides the
organization and, by its scopes, which tools are listed and whether writes are proposed or applied
(``tools.access``). Each call is one transaction, like an HTTP request.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import mcp_types as types
from mcp.server.lowlevel import Server
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from channels.http.errors import error_body
from copilot.llm import compact
from domain.auth import api_keys
from domain.db import unit_of_work
from domain.errors import DomainError, NotFound, Unauthorized
from domain.tenancy import TenantContext
from tools import runner
from tools.access import tools_for, write_mode
from tools.base import NeedsClarification, ToolContext


def _bearer(header: str) -> str:
    scheme, _, credential = header.partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        raise Unauthorized("Send an organization API key: 'Authorization: Bearer <key>'.")
    return credential.strip()


def _key(ctx: Any) -> str:
    request = getattr(ctx, "request", None)
    return _bearer(request.headers.get("authorization", "") if request is not None else "")


def require_api_key(app: ASGIApp, sessions: Callable[[], async_sessionmaker[AsyncSession]]) -> ASGIApp:
    """The HTTP door in front of the MCP transport: a request without a working key gets 401 with a
    ``WWW-Authenticate: Bearer`` challenge (the MCP authorization convention) before the JSON-RPC layer,
    which would answer 200 with an error and log a traceback. Each tool call checks the key again in
    its own transaction, so a key revoked in between still stops there."""

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        header = Headers(scope=scope).get("authorization", "")
        try:
            raw = _bearer(header)
            async with unit_of_work(sessions()) as session:
                await api_keys.authenticate_api_key(session, raw=raw, now=datetime.now(UTC))
        except Unauthorized as exc:
            challenge = 'Bearer realm="cadence"' + (', error="invalid_token"' if header else "")
            refusal = JSONResponse(
                error_body(exc.code, exc.message), status_code=401, headers={"WWW-Authenticate": challenge}
            )
            await refusal(scope, receive, send)
            return
        await app(scope, receive, send)

    return guarded


def build_server(sessions: Any) -> Server[Any]:
    """``sessions()`` returns the app's session factory (set when the app starts)."""

    async def tenant_of(session: AsyncSession, ctx: Any) -> TenantContext:
        return await api_keys.authenticate_api_key(session, raw=_key(ctx), now=datetime.now(UTC))

    async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        factory: async_sessionmaker[AsyncSession] = sessions()
        async with unit_of_work(factory) as session:
            tenant = await tenant_of(session, ctx)
            return types.ListToolsResult(
                tools=[
                    types.Tool(
                        name=t.name,
                        description=t.description,
                        input_schema=compact(t.args.model_json_schema()),
                    )
                    for t in tools_for(tenant)
                ]
            )

    async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        factory: async_sessionmaker[AsyncSession] = sessions()
        try:
            async with unit_of_work(factory) as session:
                tenant = await tenant_of(session, ctx)
                if params.name not in {t.name for t in tools_for(tenant)}:
                    raise NotFound("There is no tool {name!r} for this key.", values={"name": params.name})
                tool_ctx = ToolContext(
                    session=session, tenant=tenant, today=tenant.today(), now=datetime.now(UTC)
                )
                outcome = await runner.execute(
                    tool_ctx, params.name, params.arguments or {}, mode=write_mode(tenant), channel="mcp"
                )
                data: dict[str, Any] = {"data": outcome.output.data}
                if outcome.pending is not None:
                    data["pending_action"] = {
                        "id": str(outcome.pending.id),
                        "preview": outcome.pending.preview,
                        "expires_at": outcome.pending.expires_at.isoformat(),
                    }
        except NeedsClarification as question:
            return _error(question.question)
        except ValidationError as exc:
            return _error(f"Those arguments don't fit: {runner.problems(exc)}.")
        except DomainError as exc:
            return _error(exc.message)
        return types.CallToolResult(
            content=[types.TextContent(text=outcome.output.text)],
            structured_content=json.loads(json.dumps(data, default=str)),
        )

    return Server("cadence", on_list_tools=list_tools, on_call_tool=call_tool)


def _error(message: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=message)], is_error=True)


def transport_security(public_base_url: str) -> TransportSecuritySettings:
    """DNS-rebinding protection: only this deployment's own host names may be addressed."""
    host = urlsplit(public_base_url).hostname or "127.0.0.1"
    hosts = sorted({host, "127.0.0.1", "localhost", "testserver"})
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=[h for name in hosts for h in (name, f"{name}:*")],
        allowed_origins=[
            f"{scheme}://{name}{port}"
            for name in hosts
            for scheme in ("http", "https")
            for port in ("", ":*")
        ],
    )
