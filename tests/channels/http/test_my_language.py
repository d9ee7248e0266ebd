"""A person's language in the web app (``/auth/me``): the organization's locale until they choose; their
choice is stored on their account (so a new login, on any device, keeps it); a bad value is a 422 that
stores nothing; an API key cannot change anyone's language."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.auth.models import User
from tests.channels.http.helpers import API, Browser, create_org, error_code, join, signup


async def stored_language(session: AsyncSession, email: str) -> str | None:
    language: str | None = await session.scalar(select(User.language).where(User.email == email))
    return language


async def test_the_organizations_locale_until_the_person_chooses(client: AsyncClient) -> None:
    ana = await signup(client, "ana")
    assert (await ana.get("/auth/me")).json()["language"] == "en"  # no organization yet: English
    await create_org(ana, locale="es_ES")
    me = (await ana.get("/auth/me")).json()
    assert (me["language"], me["language_choice"]) == ("es", None)


async def test_the_choice_is_stored_and_survives_a_new_login(
    make_client: Callable[[], AsyncClient], session: AsyncSession
) -> None:
    first: AsyncClient = make_client()
    ana = await signup(first, "ana")
    await create_org(ana, locale="es")
    assert (await Browser(make_client(), ana.email).login()).json()["language"] == "es"  # the school's
    r = await ana.patch("/auth/me", {"language": "en"})
    assert r.status_code == 200, r.text
    assert (r.json()["language"], r.json()["language_choice"]) == ("en", "en")
    assert await stored_language(session, ana.email) == "en"

    elsewhere = Browser(make_client(), ana.email)
    login = await elsewhere.login()
    assert login.json()["language"] == "en"  # not the school's Spanish: her choice
    assert (await elsewhere.get("/auth/me")).json()["language"] == "en"

    back = await elsewhere.patch("/auth/me", {"language": None})  # the organization decides again
    assert (back.json()["language"], back.json()["language_choice"]) == ("es", None)
    assert await stored_language(session, ana.email) is None


@pytest.mark.parametrize(
    "body",
    [{"language": "fr"}, {"language": "ES"}, {"language": 3}, {"lang": "es"}, {}, {"language": "es", "x": 1}],
)
async def test_a_bad_value_is_a_422_and_stores_nothing(
    client: AsyncClient, session: AsyncSession, body: dict[str, object]
) -> None:
    ana = await signup(client, "ana")
    await ana.patch("/auth/me", {"language": "es"})
    r = await ana.patch("/auth/me", body)
    assert r.status_code == 422 and error_code(r) == "invalid", r.text
    assert await stored_language(session, ana.email) == "es"


async def test_each_person_has_their_own_and_a_key_cannot_change_it(
    make_client: Callable[[], AsyncClient], session: AsyncSession
) -> None:
    ana = await signup(make_client(), "ana")
    await create_org(ana, locale="es")
    ben = await signup(make_client(), "ben")
    await join(ana, ben, "teacher")
    assert (await ben.patch("/auth/me", {"language": "en"})).status_code == 200
    assert (await ana.get("/auth/me")).json()["language"] == "es"  # Ben's choice is his alone
    assert (await ben.get("/auth/me")).json()["language"] == "en"

    key = (await ana.post("/org/api-keys", {"name": "sync", "scopes": ["read", "write"]})).json()["key"]
    keyed = await ana.client.patch(
        f"{API}/auth/me", json={"language": "en"}, headers={"Authorization": f"Bearer {key}"}
    )
    assert keyed.status_code == 403
    assert await stored_language(session, ana.email) is None
    assert uuid.UUID((await ana.get("/auth/me")).json()["user"]["id"])
