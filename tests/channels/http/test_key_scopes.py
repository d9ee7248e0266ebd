"""API key scopes on every REST route, generated from the OpenAPI document so a new route cannot forget:
reads need any scope, changes need ``write`` (or ``admin``); a ``propose`` key can only propose (through
the tool catalogue, where its writes wait for a person)."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.auth import api_keys
from domain.db import use_tenant
from domain.payments.models import Payment
from domain.scheduling.models import Closure
from domain.students.models import Student
from domain.tenancy import Scope
from tests.conftest import REPORT
from tests.domain.studio import Studio, build_studio

API = "/api/v1"
NOW = datetime(2026, 11, 24, 20, tzinfo=UTC)
PUBLIC = re.compile(r"^/api/v1/(public/|auth/(signup|login)$)")  # no caller, so no key to check
CHOOSES_PER_SCOPE = {("post", "/api/v1/tools/{name}")}  # the catalogue: reads for read, proposals for propose
PATH_VALUES = {"name": "unpaid_students", "month": "2026-11", "decision": "confirm"}


@pytest.fixture
async def raw_client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """Server errors come back as 500 responses here instead of exceptions: this test is about 403s."""
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def keys(session: AsyncSession, studio: Studio) -> dict[Scope, dict[str, str]]:
    await use_tenant(session, studio.admin)
    made = {}
    for scope in (Scope.READ, Scope.PROPOSE, Scope.WRITE):
        _, raw = await api_keys.create_api_key(
            session, studio.admin, name=f"{scope}-key", scopes=[scope], expires_at=None, now=NOW
        )
        made[scope] = {"Authorization": f"Bearer {raw}"}
    return made


def operations(app: FastAPI) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op)
        for path, ops in app.openapi()["paths"].items()
        for method, op in ops.items()
        if path.startswith(API) and not PUBLIC.match(path)
    ]


def concrete(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES.get(m.group(1), str(uuid.uuid4())), path)


def test_every_route_declares_its_key_scopes_and_changes_need_write(app: FastAPI) -> None:
    ops = operations(app)
    assert len(ops) > 100  # the whole API, not a handful
    undeclared = [(m, p) for m, p, op in ops if "x-key-scopes" not in op]
    assert undeclared == []
    loose = [
        (m, p, op["x-key-scopes"])
        for m, p, op in ops
        if m != "get" and (m, p) not in CHOOSES_PER_SCOPE and set(op["x-key-scopes"]) - {"write", "admin"}
    ]
    assert loose == []
    reads = [(m, p) for m, p, op in ops if m == "get" and "read" not in op["x-key-scopes"]]
    assert reads == []


async def test_each_route_refuses_exactly_the_scopes_it_does_not_allow(
    session: AsyncSession, app: FastAPI, raw_client: AsyncClient
) -> None:
    studio = await build_studio(session)
    by_scope = await keys(session, studio)
    refused = allowed = 0
    wrong: list[str] = []
    for method, path, op in operations(app):
        for scope, headers in by_scope.items():
            body: dict[str, Any] | None = {} if method in ("post", "put", "patch") else None
            r = await raw_client.request(method.upper(), concrete(path), json=body, headers=headers)
            code = (
                r.json().get("error", {}).get("code")
                if r.headers.get("content-type", "").startswith("application/json")
                and isinstance(r.json(), dict)
                else None
            )
            if scope.value in op["x-key-scopes"]:
                allowed += 1
                if code == "insufficient_scope" or r.status_code == 401:
                    wrong.append(f"{scope} refused on {method.upper()} {path}: {r.status_code}")
            else:
                refused += 1
                if r.status_code != 403 or code != "insufficient_scope":
                    wrong.append(
                        f"{scope} allowed on {method.upper()} {path}: {r.status_code} {r.text[:120]}"
                    )
    assert wrong == []
    assert refused > 100 and allowed > 100
    REPORT["API key scope matrix"] = (
        f"{len(operations(app))} operations x 3 scopes: {refused} refused as declared, {allowed} let through"
    )


async def count(session: AsyncSession, model: type[Any]) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_read_and_propose_keys_change_nothing_and_a_write_key_does(
    session: AsyncSession, client: AsyncClient
) -> None:
    studio = await build_studio(session)
    by_scope = await keys(session, studio)
    ana = studio.students["Ana"]
    writes: list[tuple[str, str, dict[str, Any], type[Any]]] = [
        (
            "POST",
            "/payments",
            {"student_id": str(ana.id), "amount": "45.00", "received_on": "2026-11-20"},
            Payment,
        ),
        ("POST", "/students", {"full_name": "Nueva Alumna"}, Student),
        (
            "POST",
            "/closures",
            {"start_date": "2026-12-24", "end_date": "2026-12-26", "reason": "Navidad"},
            Closure,
        ),
    ]
    for method, path, body, model in writes:
        before = await count(session, model)
        for scope in (Scope.READ, Scope.PROPOSE):
            r = await client.request(method, API + path, json=body, headers=by_scope[scope])
            assert r.status_code == 403 and r.json()["error"]["code"] == "insufficient_scope", r.text
            assert await count(session, model) == before
        done = await client.request(method, API + path, json=body, headers=by_scope[Scope.WRITE])
        assert done.status_code == 201, done.text  # the positive control: a write key may
        assert await count(session, model) == before + 1
    renamed = await client.patch(
        f"{API}/students/{ana.id}", json={"full_name": "Anita"}, headers=by_scope[Scope.READ]
    )
    assert renamed.status_code == 403
    await session.refresh(ana)
    assert ana.full_name == "Ana García"
    listed = await client.get(f"{API}/students", headers=by_scope[Scope.READ])
    assert listed.status_code == 200 and "Ana" in listed.text  # reads stay open to a read key
