"""Schemathesis over the app's own OpenAPI: every operation, in process, as a logged-in admin.

Cases are generated with schemathesis' Hypothesis strategies (valid and deliberately invalid data), then
sent through httpx's ASGI transport on the test's rolled-back transaction (schemathesis' own ASGI client
runs the app on another event loop, where the test's database connection cannot follow). Operations whose
path parameters name things the seeded organization has get a third batch of cases aimed at those rows,
so bodies reach the services instead of stopping at a 404.

The bar: no 5xx, ever. Responses are also checked against the documented status codes, content types and
schemas.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import schemathesis
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.strategies import SearchStrategy
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from schemathesis import Case, GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from copilot.service import Copilot
from domain.payments.storage import LocalStorage
from tests.channels.http.helpers import API, Browser, create_org, signup
from tests.conftest import REPORT
from tests.copilot.conftest import checkpointer  # noqa: F401 - the fixture, shared

AnyCase = Case[Any]
BASE_URL = "http://testserver"
EXAMPLES_PER_BATCH = 3  # per operation and batch (valid, invalid, aimed at seeded rows): ~750 requests
CONFORMANCE_CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]
# These change which organization (or whether anyone) the admin's session is in: put it back afterwards.
MOVES_THE_SESSION = {"POST /api/v1/orgs", "POST /api/v1/orgs/switch", "POST /api/v1/invitations/accept"}
LAST = "POST /api/v1/auth/logout"


@dataclass
class Tally:
    operations: int = 0
    cases: int = 0
    unsendable: int = 0
    ungenerated: list[str] = field(default_factory=list)  # batches schemathesis could not make
    generating: float = 0.0  # seconds spent drawing cases, and sending them: where the time goes
    sending: float = 0.0
    server_errors: list[str] = field(default_factory=list)
    nonconforming: dict[str, str] = field(default_factory=dict)  # one example per operation and check


def draw(strategy: SearchStrategy[AnyCase], count: int) -> list[AnyCase]:
    """``count`` cases from a strategy, reproducibly (no example database, derandomized)."""
    cases: list[AnyCase] = []

    @given(strategy)
    @settings(
        max_examples=count,
        database=None,
        derandomize=True,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def collect(case: AnyCase) -> None:
        cases.append(case)

    collect()
    return cases[:count]


async def seed(admin: Browser) -> dict[str, str]:
    """One of everything the path parameters can name, created through the API."""

    async def made(path: str, body: dict[str, Any]) -> dict[str, Any]:
        r = await admin.post(path, body)
        assert r.status_code in (200, 201), (path, r.text)
        data: dict[str, Any] = r.json()
        return data

    ids: dict[str, str] = {}
    ids["venue_id"] = (await made("/venues", {"name": "Studio Centro"}))["id"]
    ids["teacher_id"] = (
        await made(
            "/teachers", {"full_name": "Lucía Romero", "payment_type": "per_class", "rate_per_class": "40"}
        )
    )["id"]
    ids["group_id"] = (
        await made("/groups", {"name": "Salsa", "venue_id": ids["venue_id"], "teacher_id": ids["teacher_id"]})
    )["id"]
    ids["student_id"] = (await made("/students", {"full_name": "Ana García"}))["id"]
    await made(
        f"/groups/{ids['group_id']}/members", {"student_id": ids["student_id"], "start_date": "2026-09-01"}
    )
    ids["slot_id"] = (
        await made(
            f"/groups/{ids['group_id']}/slots",
            {"weekday": 0, "start_time": "19:00", "end_time": "20:00", "valid_from": "2026-09-01"},
        )
    )["id"]
    ids["session_id"] = (
        await made("/sessions", {"group_id": ids["group_id"], "date": "2026-09-07", "start_time": "19:00"})
    )["id"]
    ids["lesson_id"] = (
        await made(
            "/private-sessions",
            {
                "teacher_id": ids["teacher_id"],
                "student_id": ids["student_id"],
                "date": "2026-09-08",
                "duration_minutes": 60,
            },
        )
    )["id"]
    ids["closure_id"] = (await made("/closures", {"start_date": "2026-12-24", "reason": "Christmas"}))[
        "closure"
    ]["id"]
    ids["charge_id"] = (
        await made(
            "/charges",
            {
                "student_id": ids["student_id"],
                "description": "Costume",
                "amount": "30",
                "due_date": "2026-09-10",
            },
        )
    )["id"]
    ids["feed_id"] = (await made("/calendar-feeds", {"kind": "teacher", "target_id": ids["teacher_id"]}))[
        "id"
    ]
    ids["invitation_id"] = (await made("/org/invitations", {"email": "new@studio.example", "role": "staff"}))[
        "id"
    ]
    ids["key_id"] = (await made("/org/api-keys", {"name": "agent", "scopes": ["read"]}))["id"]
    ids["token"] = (await made(f"/students/{ids['student_id']}/receipt-links", {}))["token"]
    ids["month"] = "2026-09"
    ids["decision"] = "confirm"
    return ids


async def send(app: FastAPI, admin: Browser, case: AnyCase) -> Response | None:
    """The case as httpx sends it, with the admin's session cookie and CSRF header; None when httpx
    cannot express it (a multipart "file" that is a number, say)."""
    kwargs = case.as_transport_kwargs(base_url=BASE_URL + API.removesuffix("/api/v1"))
    headers = {**(kwargs.get("headers") or {}), "X-CSRF-Token": admin.csrf}
    body: dict[str, Any] = {}
    if "json" in kwargs:
        body["json"] = kwargs["json"]
    elif "files" in kwargs:
        body["files"] = kwargs["files"]
        if isinstance(kwargs.get("data"), dict):
            body["data"] = kwargs["data"]
    elif isinstance(kwargs.get("data"), (bytes, str)):
        body["content"] = kwargs["data"]
    elif kwargs.get("data") is not None:
        body["data"] = kwargs["data"]
    # A client per case: a response's Set-Cookie (signup, login) must not replace the admin's session.
    async with AsyncClient(
        transport=ASGITransport(app=app, raise_app_exceptions=False),
        base_url=BASE_URL,
        cookies=dict(admin.client.cookies),
    ) as client:
        try:
            request = client.build_request(
                kwargs["method"], kwargs["url"], params=kwargs.get("params"), headers=headers, **body
            )
            request.read()  # a multipart body is a stream: read it once so the checks can look at it
        except (TypeError, AttributeError, ValueError):
            return None
        return await client.send(request)


def reproduce(case: AnyCase, response: Response) -> str:
    return (
        f"{case.operation.label} -> {response.status_code}\n"
        f"    {case.as_curl_command()}\n    response: {response.text[:300]}"
    )


def batches(case_operation: Any, ids: dict[str, str]) -> list[Callable[[], SearchStrategy[AnyCase]]]:
    strategies: list[Callable[[], SearchStrategy[AnyCase]]] = [
        lambda: case_operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        lambda: case_operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    ]
    names = [p.name for p in case_operation.path_parameters]
    if names and all(n in ids for n in names):
        known = {n: ids[n] for n in names}
        strategies.append(
            lambda: case_operation.as_strategy(generation_mode=GenerationMode.POSITIVE, path_parameters=known)
        )
    return strategies


async def test_no_operation_answers_a_server_error(
    app: FastAPI,
    make_client: Callable[[], AsyncClient],
    checkpointer: AsyncPostgresSaver,  # noqa: F811
    tmp_path: Path,
) -> None:
    app.state.copilot = Copilot(checkpointer, receipts=LocalStorage(tmp_path / "receipts"))  # the web chat's
    admin = await signup(make_client(), "admin")
    org = await create_org(admin, "Schemathesis Studio")
    ids = {**await seed(admin), "slug": org["slug"]}
    schema = schemathesis.openapi.from_dict(app.openapi())
    operations = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
    operations.sort(key=lambda op: op.label == LAST)  # logging out ends the admin's session: last
    tally = Tally(operations=len(operations))

    for operation in operations:
        for strategy in batches(operation, ids):
            started = time.perf_counter()
            try:
                cases = draw(strategy(), EXAMPLES_PER_BATCH)
            except Exception:  # e.g. nothing to negate in an operation without inputs
                tally.ungenerated.append(operation.label)
                continue
            finally:
                tally.generating += time.perf_counter() - started
            for case in cases:
                started = time.perf_counter()
                response = await send(app, admin, case)
                tally.sending += time.perf_counter() - started
                if response is None:
                    tally.unsendable += 1
                    continue
                tally.cases += 1
                if operation.label in MOVES_THE_SESSION:
                    await admin.post("/orgs/switch", {"organization_id": org["id"]})
                if response.status_code >= 500:
                    tally.server_errors.append(reproduce(case, response))
                    continue
                for check in CONFORMANCE_CHECKS:
                    key = f"{operation.label} [{check.__name__}]"
                    if key in tally.nonconforming:
                        continue
                    try:
                        case.validate_response(response, checks=[check])
                    except FailureGroup as failure:
                        tally.nonconforming[key] = f"{reproduce(case, response)}\n    {failure}"

    REPORT["schemathesis"] = (
        f"{tally.operations} operations, {tally.cases} cases sent "
        f"({tally.unsendable} more not expressible in httpx; "
        f"{len(tally.ungenerated)} batches with nothing to generate), "
        f"{len(tally.server_errors)} server errors, "
        f"{len(tally.nonconforming)} operation/check pairs not conforming to the OpenAPI "
        f"(generating {tally.generating:.0f} s, sending {tally.sending:.0f} s)"
    )
    assert tally.cases > 4 * tally.operations, tally  # the run really exercised the API
    findings = "\n".join(
        ["Server errors:", *tally.server_errors, "Not conforming:", *tally.nonconforming.values()]
    )
    assert not tally.server_errors, findings
    assert not tally.nonconforming, findings
