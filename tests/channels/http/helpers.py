"""HTTP helpers: sign up / log in through the API and carry the CSRF token like a browser would."""

from __future__ import annotations

import uuid
from typing import Any

from httpx import AsyncClient, Response

from tests.factories import PASSWORD, unique_email

API = "/api/v1"


class Browser:
    """A person's client: its cookie jar holds the session, and writes echo the CSRF token."""

    def __init__(self, client: AsyncClient, email: str) -> None:
        self.client, self.email = client, email
        self.csrf = ""

    def _headers(self) -> dict[str, str]:
        return {"X-CSRF-Token": self.csrf}

    async def get(self, path: str, **kw: Any) -> Response:
        return await self.client.get(API + path, **kw)

    async def post(self, path: str, json: Any = None) -> Response:
        return await self.client.post(API + path, json=json, headers=self._headers())

    async def patch(self, path: str, json: Any = None) -> Response:
        return await self.client.patch(API + path, json=json, headers=self._headers())

    async def put(self, path: str, json: Any = None) -> Response:
        return await self.client.put(API + path, json=json, headers=self._headers())

    async def delete(self, path: str) -> Response:
        return await self.client.delete(API + path, headers=self._headers())

    async def login(self, password: str = PASSWORD) -> Response:
        r = await self.client.post(f"{API}/auth/login", json={"email": self.email, "password": password})
        if r.status_code == 200:
            self.csrf = r.json()["csrf_token"]
        return r


async def signup(client: AsyncClient, label: str = "user", email: str | None = None) -> Browser:
    email = email or unique_email(label)
    r = await client.post(f"{API}/auth/signup", json={"email": email, "password": PASSWORD, "name": label})
    assert r.status_code == 201, r.text
    browser = Browser(client, email)
    browser.csrf = r.json()["csrf_token"]
    return browser


async def create_org(browser: Browser, name: str | None = None, **extra: Any) -> dict[str, Any]:
    body = {"name": name or f"Studio {uuid.uuid4().hex[:8]}", "type": "school", **extra}
    r = await browser.post("/orgs", body)
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    return data


async def join(admin: Browser, invitee: Browser, role: str) -> dict[str, Any]:
    """Invite ``invitee`` with ``role`` and accept; returns the accept response body."""
    r = await admin.post("/org/invitations", {"email": invitee.email, "role": role})
    assert r.status_code == 201, r.text
    r = await invitee.post("/invitations/accept", {"token": r.json()["token"]})
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


def error_code(response: Response) -> str:
    code: str = response.json()["error"]["code"]
    return code
