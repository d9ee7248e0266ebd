"""Errors reach people as plain sentences in one envelope, and the OpenAPI documents that envelope."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from channels.http.errors import install_error_handlers
from domain.errors import Invalid

REPR = ("Decimal(", "UUID(", "object at 0x", "datetime.date(")


async def test_error_messages_and_details_never_show_a_python_repr() -> None:
    app = FastAPI()
    install_error_handlers(app)
    amount, student = Decimal("12.50"), uuid.UUID(int=7)

    @app.get("/domain")
    async def domain_error() -> None:
        raise Invalid(
            f"Cannot pay {amount!r} for {student!r} ({object()!r}).",
            details={"student_ids": [student], "left": amount, "on": dt.date(2026, 9, 1)},
        )

    @app.get("/unexpected")
    async def unexpected() -> None:
        raise RuntimeError(f"boom {object()!r}")

    async with AsyncClient(
        transport=ASGITransport(app=app, raise_app_exceptions=False), base_url="http://t"
    ) as client:
        r = await client.get("/domain")
        assert r.status_code == 422
        body = r.json()["error"]
        assert body["message"] == "Cannot pay 12.50 for 00000000-0000-0000-0000-000000000007 (a value)."
        assert body["details"] == {"student_ids": [str(student)], "left": "12.50", "on": "2026-09-01"}

        r = await client.get("/unexpected")
        assert r.status_code == 500
        assert r.json()["error"]["code"] == "internal"
        assert not any(marker in r.text for marker in (*REPR, "boom"))


async def test_validation_errors_are_plain_sentences(client: AsyncClient) -> None:
    r = await client.post("/api/v1/auth/signup", json={"email": 1, "password": ["x"], "name": {"a": 1}})
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "invalid"
    assert all(isinstance(d["field"], str) and isinstance(d["problem"], str) for d in error["details"])
    assert not any(marker in r.text for marker in REPR)


def _responses(app: FastAPI) -> dict[str, dict[str, Any]]:
    spec = app.openapi()
    return {
        f"{method.upper()} {path}": op["responses"]
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if path.startswith("/api/v1/")
    }


def test_the_openapi_documents_the_error_envelope_and_the_status_codes(app: FastAPI) -> None:
    spec = app.openapi()
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    assert set(error["properties"]["error"]["properties"]) == {"code", "message", "details"}
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    envelope = {"$ref": "#/components/schemas/Error"}
    responses = _responses(app)
    for label, documented in responses.items():
        assert documented["422"]["content"]["application/json"]["schema"] == envelope, label
    assert {"401", "403"} <= set(responses["GET /api/v1/students"])
    assert {"401", "403", "404", "409"} <= set(responses["PATCH /api/v1/students/{student_id}"])
    assert "401" not in responses["POST /api/v1/public/orgs/{slug}/registrations"]
    assert "404" in responses["POST /api/v1/public/orgs/{slug}/registrations"]
