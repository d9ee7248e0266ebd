"""What every request meets before its route: body caps (413 without reading the body), the client
address behind a proxy (X-Forwarded-For only from a configured proxy) and the security headers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from channels.http.limits import DEFAULT_BODY_MAX_BYTES, MULTIPART_ALLOWANCE, server_options
from domain.auth.models import LoginAttempt
from domain.payments.storage import LocalStorage
from domain.settings import Settings
from tests.channels.http.helpers import API, create_org, error_code, signup
from tests.channels.http.test_money_endpoints import PDF
from tests.factories import unique_email

CHUNK = 64 * 1024
FIFTY_MB = 50 * 1024 * 1024


class Stream:
    """A request body sent in chunks without Content-Length; counts how much the server pulled."""

    def __init__(self, total: int, prefix: bytes = b"") -> None:
        self.total, self.prefix, self.sent = total, prefix, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.prefix
        self.sent += len(self.prefix)
        while self.sent < self.total:
            self.sent += CHUNK
            yield b"x" * CHUNK


def client_at(app: FastAPI, ip: str) -> AsyncClient:
    return AsyncClient(transport=ASGITransport(app=app, client=(ip, 40000)), base_url="http://testserver")


# -- body caps --------------------------------------------------------------------------------------


async def test_a_50_mb_upload_to_a_public_route_is_413_before_the_route_reads_it(
    client: AsyncClient, settings: Settings
) -> None:
    body = Stream(
        FIFTY_MB, prefix=b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n\r\n'
    )
    r = await client.post(
        f"{API}/public/receipts/some-token",
        content=body,
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )
    assert r.status_code == 413 and error_code(r) == "payload_too_large"
    cap = settings.receipt_max_bytes + MULTIPART_ALLOWANCE
    assert r.json()["error"]["details"] == {"max_bytes": cap}
    assert body.sent <= cap + CHUNK  # read up to the cap, not the 50 MB


async def test_a_declared_oversize_body_is_413_without_reading_a_byte(client: AsyncClient) -> None:
    body = Stream(FIFTY_MB)
    r = await client.post(
        f"{API}/public/receipts/some-token",
        content=body,
        headers={"Content-Type": "multipart/form-data; boundary=b", "Content-Length": str(FIFTY_MB)},
    )
    assert r.status_code == 413 and error_code(r) == "payload_too_large"
    assert body.sent == 0


async def test_a_normal_upload_to_the_public_route_still_reaches_it(
    make_client: Callable[[], AsyncClient], app: FastAPI, tmp_path: Path
) -> None:
    """Positive control: a parent's real receipt is accepted; a bad token gets the route's own 401."""
    app.state.receipt_storage = LocalStorage(tmp_path)
    admin = await signup(make_client(), "admin")
    await create_org(admin)
    student = (await admin.post("/students", {"full_name": "Ana García"})).json()["id"]
    link = (await admin.post(f"/students/{student}/receipt-links")).json()
    parent = make_client()
    files = {"file": ("transfer.pdf", PDF, "application/pdf")}
    assert (await parent.post(f"{API}/public/receipts/{link['token']}", files=files)).status_code == 202
    assert (await parent.post(f"{API}/public/receipts/wrong-token", files=files)).status_code == 401


async def test_json_routes_take_a_megabyte_at_most(client: AsyncClient) -> None:
    padding = "x" * DEFAULT_BODY_MAX_BYTES
    r = await client.post(f"{API}/auth/login", json={"email": "a@example.org", "password": padding})
    assert r.status_code == 413 and error_code(r) == "payload_too_large"
    r = await client.post(f"{API}/auth/login", json={"email": "a@example.org", "password": "wrong-guess-1"})
    assert r.status_code == 401  # control: a normal body reaches the route


async def test_a_file_just_over_the_receipt_limit_still_gets_the_routes_own_message(
    make_client: Callable[[], AsyncClient], app: FastAPI, settings: Settings, tmp_path: Path
) -> None:
    """The cap leaves room for the multipart envelope, so the route still explains its own limit."""
    app.state.receipt_storage = LocalStorage(tmp_path)
    admin = await signup(make_client(), "admin")
    await create_org(admin)
    student = (await admin.post("/students", {"full_name": "Ana García"})).json()["id"]
    r = await admin.client.post(
        f"{API}/receipts",
        data={"student_id": student},
        files={"file": ("r.pdf", PDF + b"0" * settings.receipt_max_bytes, "application/pdf")},
        headers={"X-CSRF-Token": admin.csrf},
    )
    assert r.status_code == 422 and "larger than" in r.json()["error"]["message"]


# -- the client address behind a proxy ---------------------------------------------------------------


async def _failures_from(session: AsyncSession, ip: str) -> int:
    count = await session.scalar(select(func.count()).select_from(LoginAttempt).where(LoginAttempt.ip == ip))
    return int(count or 0)


async def test_x_forwarded_for_from_an_untrusted_peer_does_not_change_the_address(
    app: FastAPI, session: AsyncSession
) -> None:
    async with client_at(app, "127.0.0.1") as local:  # even from this machine: no proxy is configured
        r = await local.post(
            f"{API}/auth/login",
            json={"email": unique_email(), "password": "wrong-guess-1"},
            headers={"X-Forwarded-For": "198.51.100.23"},
        )
    assert r.status_code == 401
    assert await _failures_from(session, "198.51.100.23") == 0
    assert await _failures_from(session, "127.0.0.1") == 1


async def test_the_app_as_cadence_up_serves_it_ignores_a_local_spoofed_forwarded_for(
    app: FastAPI, session: AsyncSession
) -> None:
    """uvicorn's own proxy headers would believe any process on 127.0.0.1; cadence up turns them off."""
    config = uvicorn.Config(app, **server_options())
    config.load()
    served = AsyncClient(
        transport=ASGITransport(app=config.loaded_app, client=("127.0.0.1", 40000)),
        base_url="http://testserver",
    )
    async with served:
        r = await served.post(
            f"{API}/auth/login",
            json={"email": unique_email(), "password": "wrong-guess-1"},
            headers={"X-Forwarded-For": "198.51.100.27"},
        )
    assert r.status_code == 401
    assert await _failures_from(session, "198.51.100.27") == 0
    assert await _failures_from(session, "127.0.0.1") == 1


async def test_x_forwarded_for_from_a_configured_proxy_names_the_client(
    app: FastAPI, session: AsyncSession
) -> None:
    from channels.http.app import create_app

    proxied = create_app(Settings(trusted_proxies="10.0.0.5, 10.1.0.0/16"))
    proxied.state.sessions = app.state.sessions
    for proxy, client_ip in (("10.0.0.5", "198.51.100.24"), ("10.1.2.3", "198.51.100.25")):
        async with client_at(proxied, proxy) as through_proxy:
            r = await through_proxy.post(
                f"{API}/auth/login",
                json={"email": unique_email(), "password": "wrong-guess-1"},
                headers={"X-Forwarded-For": client_ip},
            )
        assert r.status_code == 401
        assert await _failures_from(session, client_ip) == 1
        assert await _failures_from(session, proxy) == 0
    async with client_at(proxied, "10.2.0.1") as stranger:  # not a configured proxy
        await stranger.post(
            f"{API}/auth/login",
            json={"email": unique_email(), "password": "wrong-guess-1"},
            headers={"X-Forwarded-For": "198.51.100.26"},
        )
    assert await _failures_from(session, "198.51.100.26") == 0


# -- security headers ---------------------------------------------------------------------------------


async def test_pages_and_api_answers_carry_the_security_headers(client: AsyncClient) -> None:
    for path in ("/app/login", "/app/chat", f"{API}/auth/me", "/healthz", "/static/app.js"):
        r = await client.get(path)
        assert r.headers["x-frame-options"] == "DENY", path
        assert r.headers["x-content-type-options"] == "nosniff", path
        assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin", path
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0], path
    page = await client.get("/app/login")
    assert page.status_code == 200 and '<script src="/static/login.js">' in page.text
    assert "<script>" not in page.text  # the pages' scripts are files: no inline script needs admitting


async def test_a_refused_body_carries_the_security_headers_too(client: AsyncClient) -> None:
    r = await client.post(f"{API}/auth/login", content=b"{" + b" " * (2 * DEFAULT_BODY_MAX_BYTES))
    assert r.status_code == 413 and r.headers["x-frame-options"] == "DENY"


async def test_the_api_docs_may_load_swagger_from_its_cdn_but_cannot_be_framed(client: AsyncClient) -> None:
    r = await client.get("/docs")
    assert r.status_code == 200 and r.headers["x-frame-options"] == "DENY"
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "https://cdn.jsdelivr.net" in csp
    page = await client.get("/app/login")
    assert "https://cdn.jsdelivr.net" not in page.headers["content-security-policy"]
