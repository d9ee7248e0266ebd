from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from channels.http.deps import SESSION_COOKIE, get_now
from domain.auth.models import LoginAttempt, User, UserSession
from domain.settings import Settings
from tests.channels.http.helpers import API, Browser, create_org, error_code, signup
from tests.factories import PASSWORD, unique_email


async def count(session: AsyncSession, model: type) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_signup_logs_in_with_an_httponly_samesite_cookie(client: AsyncClient) -> None:
    email = unique_email("ana")
    r = await client.post(
        f"{API}/auth/signup", json={"email": email.upper(), "password": PASSWORD, "name": "Ana"}
    )
    assert r.status_code == 201
    cookie = r.headers["set-cookie"]
    assert f"{SESSION_COOKIE}=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    me = await client.get(f"{API}/auth/me")
    assert me.status_code == 200
    assert me.json()["user"]["email"] == email  # normalized to lowercase
    assert me.json()["memberships"] == []


async def test_only_the_hash_of_the_session_token_is_stored(
    client: AsyncClient, session: AsyncSession
) -> None:
    await signup(client, "ana")
    token = client.cookies[SESSION_COOKIE]
    stored = (await session.execute(select(UserSession.token_hash))).scalars().all()
    assert token not in stored and len(stored) == 1 and len(stored[0]) == 64


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"email": "not-an-email", "password": PASSWORD}, 422, "email"),
        ({"email": "ana@", "password": PASSWORD}, 422, "email"),
        ({"email": "ana@example.org", "password": "short"}, 422, "password"),
        ({"email": "ana@example.org", "password": "password123"}, 422, "password"),
        ({"email": "ana@example.org", "password": "ana@example.org"}, 422, "password"),
        ({"email": "ana@example.org"}, 422, "password"),
    ],
)
async def test_bad_signups_get_a_clear_error_and_write_nothing(
    client: AsyncClient, session: AsyncSession, body: dict[str, str], status: int, field: str
) -> None:
    before = await count(session, User)
    r = await client.post(f"{API}/auth/signup", json=body)
    assert r.status_code == status
    assert error_code(r) == "invalid"
    assert field in r.text and r.json()["error"]["message"]
    assert await count(session, User) == before
    assert SESSION_COOKIE not in r.cookies


async def test_duplicate_email_is_a_conflict_and_writes_nothing(
    make_client: Callable[[], AsyncClient], session: AsyncSession
) -> None:
    first = await signup(make_client(), "ana")
    before = await count(session, User)
    r = await make_client().post(
        f"{API}/auth/signup", json={"email": first.email.upper(), "password": PASSWORD}
    )
    assert r.status_code == 409 and error_code(r) == "conflict"
    assert await count(session, User) == before


async def test_login_rotates_the_session_and_revokes_the_one_presented(client: AsyncClient) -> None:
    browser = await signup(client, "ana")
    old_token = client.cookies[SESSION_COOKIE]
    assert (await browser.login()).status_code == 200
    new_token = client.cookies[SESSION_COOKIE]
    assert new_token != old_token
    client.cookies.set(SESSION_COOKIE, old_token)
    r = await client.get(f"{API}/auth/me")
    assert r.status_code == 401 and error_code(r) == "unauthorized"
    client.cookies.set(SESSION_COOKIE, new_token)
    assert (await client.get(f"{API}/auth/me")).status_code == 200


async def test_logout_revokes_the_session(client: AsyncClient) -> None:
    browser = await signup(client, "ana")
    token = client.cookies[SESSION_COOKIE]
    assert (await browser.post("/auth/logout")).status_code == 204
    client.cookies.set(SESSION_COOKIE, token)
    assert (await client.get(f"{API}/auth/me")).status_code == 401


async def test_wrong_or_expired_session_is_401(client: AsyncClient, app: FastAPI) -> None:
    await signup(client, "ana")
    assert (await client.get(f"{API}/auth/me")).status_code == 200  # control
    token = client.cookies[SESSION_COOKIE]
    client.cookies.set(SESSION_COOKIE, "forged-" + token[7:])
    assert (await client.get(f"{API}/auth/me")).status_code == 401
    client.cookies.set(SESSION_COOKIE, token)
    app.dependency_overrides[get_now] = lambda: datetime.now(UTC) + timedelta(days=15)
    r = await client.get(f"{API}/auth/me")
    assert r.status_code == 401 and "log in again" in r.json()["error"]["message"]


async def test_wrong_password_is_401_and_the_failure_is_recorded(
    client: AsyncClient, session: AsyncSession
) -> None:
    browser = await signup(client, "ana")
    r = await browser.login(password="wrong-password-1")
    assert r.status_code == 401 and error_code(r) == "unauthorized"
    failures = await session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.email == browser.email, LoginAttempt.succeeded.is_(False))
    )
    assert failures == 1
    unknown = await client.post(
        f"{API}/auth/login", json={"email": "nobody@example.org", "password": PASSWORD}
    )
    assert unknown.status_code == 401
    assert unknown.json()["error"]["message"] == r.json()["error"]["message"]  # no account enumeration


async def test_login_is_rate_limited_per_account(client: AsyncClient, settings: Settings) -> None:
    browser = await signup(client, "ana")
    for _ in range(settings.login_max_failures_per_account):
        assert (await browser.login(password="wrong-password-1")).status_code == 401
    r = await browser.login()  # even the right password is refused while locked
    assert r.status_code == 429 and error_code(r) == "too_many_requests"


def client_at(app: FastAPI, ip: str) -> AsyncClient:
    """A client whose requests arrive from ``ip`` (the peer address the limits count by)."""
    return AsyncClient(transport=ASGITransport(app=app, client=(ip, 40000)), base_url="http://testserver")


async def test_failures_from_one_address_do_not_lock_the_owner_out_elsewhere(
    app: FastAPI, client: AsyncClient, settings: Settings
) -> None:
    owner = await signup(client, "owner")
    async with client_at(app, "198.51.100.66") as attacker, client_at(app, "203.0.113.10") as home:
        for _ in range(settings.login_max_failures_per_account):
            r = await attacker.post(f"{API}/auth/login", json={"email": owner.email, "password": "guess-1-x"})
            assert r.status_code == 401
        at_home = await home.post(f"{API}/auth/login", json={"email": owner.email, "password": PASSWORD})
        assert at_home.status_code == 200  # the owner, on another address, logs in
        # The attacker's address stays refused, even with the right password: no oracle past the limit.
        r = await attacker.post(f"{API}/auth/login", json={"email": owner.email, "password": PASSWORD})
        assert r.status_code == 429 and error_code(r) == "too_many_requests"


async def test_guessing_from_many_addresses_stops_but_the_owner_at_home_gets_in(
    app: FastAPI, client: AsyncClient, settings: Settings
) -> None:
    settings.login_max_failures_per_account_everywhere = 6
    owner = await signup(client, "owner")
    async with client_at(app, "203.0.113.10") as home:
        first = await home.post(f"{API}/auth/login", json={"email": owner.email, "password": PASSWORD})
        assert first.status_code == 200  # the owner has logged in from home before
    for n in range(6):  # one wrong guess from each of many addresses: no address reaches its own limit
        async with client_at(app, f"198.51.100.{n + 1}") as attacker:
            r = await attacker.post(f"{API}/auth/login", json={"email": owner.email, "password": "guess-x-1"})
            assert r.status_code == 401
    async with client_at(app, "198.51.100.99") as stranger:
        r = await stranger.post(f"{API}/auth/login", json={"email": owner.email, "password": PASSWORD})
        assert r.status_code == 429  # even the right password, from an address never used: no oracle
    async with client_at(app, "203.0.113.10") as home:
        r = await home.post(f"{API}/auth/login", json={"email": owner.email, "password": PASSWORD})
        assert r.status_code == 200  # the owner, from an address they used before


async def test_login_is_rate_limited_per_ip(
    make_client: Callable[[], AsyncClient], settings: Settings
) -> None:
    settings.login_max_failures_per_ip = 3
    victim = await signup(make_client(), "victim")
    attacker = make_client()
    r = await attacker.post(f"{API}/auth/login", json={"email": victim.email, "password": PASSWORD})
    assert r.status_code == 200  # control: this address may log in
    for _ in range(3):
        r = await attacker.post(
            f"{API}/auth/login", json={"email": unique_email(), "password": "guess-guess-1"}
        )
        assert r.status_code == 401
    r = await attacker.post(f"{API}/auth/login", json={"email": victim.email, "password": PASSWORD})
    assert r.status_code == 429


async def test_cookie_authenticated_writes_need_the_csrf_token(client: AsyncClient) -> None:
    browser = await signup(client, "ana")
    r = await client.post(f"{API}/orgs", json={"name": "No Token", "type": "school"})
    assert r.status_code == 403 and "X-CSRF-Token" in r.json()["error"]["message"]
    r = await client.post(
        f"{API}/orgs", json={"name": "Wrong", "type": "school"}, headers={"X-CSRF-Token": "x"}
    )
    assert r.status_code == 403
    assert (await client.get(f"{API}/orgs")).json() == []  # nothing was created
    await create_org(browser, "With Token")  # control


async def test_unauthenticated_requests_are_401(client: AsyncClient) -> None:
    for path in ("/auth/me", "/org", "/org/members", "/orgs"):
        r = await client.get(API + path)
        assert r.status_code == 401, path
        assert error_code(r) == "unauthorized"


async def test_a_browser_can_be_built_from_a_fresh_login(make_client: Callable[[], AsyncClient]) -> None:
    ana = await signup(make_client(), "ana")
    again = Browser(make_client(), ana.email)
    assert (await again.login()).status_code == 200
    assert (await again.get("/auth/me")).json()["user"]["email"] == ana.email
