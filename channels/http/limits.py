"""Limits that apply before any route runs: how large a request body may be, and which peer's
``X-Forwarded-For`` decides the client address (the one login limits count by).

A body over its route's cap is refused with 413 as soon as ``Content-Length`` says so, or, for a body
without one (chunked), as soon as the bytes read pass the cap: the handler never holds more than the
cap, so an unauthenticated 50 MB upload costs the server one cap's worth of reading, not 50 MB.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from channels.http.errors import error_body
from domain.settings import Settings

MiB = 1024 * 1024
DEFAULT_BODY_MAX_BYTES = MiB  # JSON bodies, forms, the MCP and Telegram webhooks
BANK_STATEMENT_MAX_BYTES = 20 * MiB  # the statement import's own check (routes/money.py) says 20 MB
MULTIPART_ALLOWANCE = 64 * 1024  # boundaries and form fields around an upload at its size limit


@dataclass(frozen=True)
class BodyCap:
    method: str
    path: re.Pattern[str]
    max_bytes: int


def body_caps(settings: Settings) -> list[BodyCap]:
    """Uploads get their own documented sizes, plus room for the multipart envelope, so a file just
    over its limit still gets the route's own clear 422; everything else gets the default."""
    receipt = settings.receipt_max_bytes + MULTIPART_ALLOWANCE
    statement = BANK_STATEMENT_MAX_BYTES + MULTIPART_ALLOWANCE
    return [
        BodyCap("POST", re.compile(r"^/api/v1/receipts/?$"), receipt),
        BodyCap("POST", re.compile(r"^/api/v1/public/receipts/[^/]+/?$"), receipt),
        BodyCap("POST", re.compile(r"^/api/v1/bank-imports/?$"), statement),
    ]


class _BodyTooLarge(Exception):
    pass


class BodySizeLimit:
    """Pure ASGI (no buffering): counts the bytes as the app reads them."""

    def __init__(self, app: ASGIApp, *, caps: Sequence[BodyCap], default_max_bytes: int) -> None:
        self.app, self.caps, self.default_max_bytes = app, list(caps), default_max_bytes

    def cap_for(self, method: str, path: str) -> int:
        for cap in self.caps:
            if cap.method == method and cap.path.match(path):
                return cap.max_bytes
        return self.default_max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.cap_for(scope["method"], scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > max_bytes:
            await _refuse(send, max_bytes)
            return

        received = 0
        exceeded = started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                raise _BodyTooLarge
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                return  # whatever the app answers to a cut-off body is replaced by the 413
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await _refuse(send, max_bytes)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server rejects a malformed length; the byte count still applies
    return None


async def _refuse(send: Send, max_bytes: int) -> None:
    body = json.dumps(
        error_body(
            "payload_too_large",
            f"The request body is larger than this endpoint accepts ({max_bytes} bytes).",
            {"max_bytes": max_bytes},
        )
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def trusted_proxies(settings: Settings) -> list[str]:
    return [p.strip() for p in settings.trusted_proxies.split(",") if p.strip()]


def server_options() -> dict[str, Any]:
    """How uvicorn must serve the app (``cadence up``; pass the same when serving it yourself):
    without uvicorn's own proxy headers, which by default believe X-Forwarded-For from any process
    on 127.0.0.1. The app applies CADENCE_TRUSTED_PROXIES itself (``install_limits``)."""
    return {"proxy_headers": False}


def install_limits(app: FastAPI, settings: Settings) -> None:
    """Body caps, and ``X-Forwarded-For`` honoured only from the configured proxies (none by default:
    then the client address is the TCP peer's, whatever a request claims)."""
    app.add_middleware(BodySizeLimit, caps=body_caps(settings), default_max_bytes=DEFAULT_BODY_MAX_BYTES)
    proxies = trusted_proxies(settings)
    if proxies:  # added last, so it runs first: every later layer sees the real client
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)
