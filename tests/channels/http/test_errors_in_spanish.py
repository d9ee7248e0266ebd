"""The API says its errors in the request's language: ``Accept-Language: es`` (what the pages send) gets
Spanish messages, no header gets the English it always did, and ``code``/``details`` never change."""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from httpx import AsyncClient, Response

from channels.http.validation_words import VALIDATOR_SENTENCES, problem
from domain.error_language import ROOT
from tests.channels.http.helpers import API, Browser, create_org, signup

SPANISH = {"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"}
ENGLISH_FIRST = {"Accept-Language": "en-GB,es;q=0.5"}


async def _enrol(admin: Browser, group: str, student: str, headers: dict[str, str] | None = None) -> Response:
    return await admin.client.post(
        f"{API}/groups/{group}/members",
        json={"student_id": student, "start_date": "2026-09-01"},
        headers={**admin._headers(), **(headers or {})},
    )


async def _school(make_client: Callable[[], AsyncClient]) -> tuple[Browser, str, str]:
    admin = await signup(make_client(), "es-errors-admin")
    await create_org(admin, "Escuela de errores", country="ES")
    teacher = await admin.post(
        "/teachers", {"full_name": "Lucía", "payment_type": "per_class", "rate_per_class": "40"}
    )
    group = (await admin.post("/groups", {"name": "Salsa", "teacher_id": teacher.json()["id"]})).json()["id"]
    student = (await admin.post("/students", {"full_name": "Ana García"})).json()["id"]
    assert (await _enrol(admin, group, student)).status_code == 201
    return admin, group, student


def _error(response: Response) -> dict[str, Any]:
    error: dict[str, Any] = response.json()["error"]
    return error


async def test_a_domain_error_with_values_in_spanish_and_in_english(
    make_client: Callable[[], AsyncClient],
) -> None:
    admin, group, student = await _school(make_client)

    english = await _enrol(admin, group, student)  # no header: exactly as before
    spanish = await _enrol(admin, group, student, SPANISH)
    english_first = await _enrol(admin, group, student, ENGLISH_FIRST)

    assert english.status_code == spanish.status_code == english_first.status_code == 409
    assert _error(english)["message"] == "Ana García is already in Salsa from 2026-09-01."
    assert _error(spanish)["message"] == "Ana García ya está en Salsa desde el 2026-09-01."
    assert _error(english_first)["message"] == _error(english)["message"]
    assert _error(spanish)["code"] == _error(english)["code"] == "conflict"
    assert _error(spanish)["details"] == _error(english)["details"]
    assert set(_error(spanish)["details"]) == {"membership_id"}


async def test_a_literal_domain_error_in_spanish(make_client: Callable[[], AsyncClient]) -> None:
    admin, _, _ = await _school(make_client)
    missing = "00000000-0000-0000-0000-000000000001"
    english = await admin.get(f"/students/{missing}")
    spanish = await admin.get(f"/students/{missing}", headers=SPANISH)
    assert english.status_code == spanish.status_code == 404
    assert (_error(english)["message"], _error(spanish)["message"]) == (
        "No such student.",
        "No existe ese alumno.",
    )
    assert _error(english)["code"] == _error(spanish)["code"] == "not_found"


async def test_a_validation_error_in_spanish_keeps_its_code_and_details(
    make_client: Callable[[], AsyncClient],
) -> None:
    admin, group, _ = await _school(make_client)
    body = {"student_id": "not-an-id"}  # start_date missing, student_id not a UUID
    english = await admin.client.post(f"{API}/groups/{group}/members", json=body, headers=admin._headers())
    spanish = await admin.client.post(
        f"{API}/groups/{group}/members", json=body, headers={**admin._headers(), **SPANISH}
    )
    assert english.status_code == spanish.status_code == 422
    assert _error(english)["message"] == "Invalid input: student_id, start_date."
    message = _error(spanish)["message"]
    assert message.startswith("Datos no válidos.")
    assert "student_id: Debe ser un identificador válido (UUID)." in message
    assert "start_date: Este campo es obligatorio." in message
    assert _error(spanish)["code"] == _error(english)["code"] == "invalid"
    assert _error(spanish)["details"] == _error(english)["details"]


async def test_bounds_and_lengths_say_their_limits_in_spanish(make_client: Callable[[], AsyncClient]) -> None:
    admin, _, _ = await _school(make_client)
    r = await admin.client.post(
        f"{API}/students", json={"full_name": ""}, headers={**admin._headers(), **SPANISH}
    )
    assert r.status_code == 422, r.text
    assert "full_name: Debe tener al menos 1 carácter." in _error(r)["message"]


async def test_our_validators_sentences_in_spanish(make_client: Callable[[], AsyncClient]) -> None:
    admin, group, student = await _school(make_client)
    body = {"student_id": student, "start_date": "1 de septiembre"}
    english = await admin.client.post(f"{API}/groups/{group}/members", json=body, headers=admin._headers())
    spanish = await admin.client.post(
        f"{API}/groups/{group}/members", json=body, headers={**admin._headers(), **SPANISH}
    )
    assert english.status_code == spanish.status_code == 422
    assert _error(english)["details"] == _error(spanish)["details"]
    assert _error(english)["details"][0]["problem"] == "must be a date written YYYY-MM-DD"
    assert (
        _error(spanish)["message"] == "Datos no válidos. start_date: Debe ser una fecha escrita AAAA-MM-DD."
    )


def test_every_literal_validator_sentence_has_its_spanish() -> None:
    sources = [ROOT / "domain" / "inputs.py", *sorted((ROOT / "domain").glob("*/schemas.py"))]
    literal = {
        str(node.exc.args[0].value)
        for path in sources
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Raise)
        and isinstance(node.exc, ast.Call)
        and isinstance(node.exc.func, ast.Name)
        and node.exc.func.id == "ValueError"
        and node.exc.args
        and isinstance(node.exc.args[0], ast.Constant)
    }
    assert len(literal) >= 8
    assert sorted(literal - set(VALIDATOR_SENTENCES)) == []
    assert problem({"type": "value_error"}, "must be between 1900-01-01 and today", "es") == (
        "Debe estar entre el 1900-01-01 y hoy."
    )


async def test_a_password_rule_is_one_whole_sentence_in_either_language(
    make_client: Callable[[], AsyncClient],
) -> None:
    client = make_client()
    weak = {"email": "corta@example.com", "password": "abc", "full_name": "Corta"}
    spanish = await client.post(f"{API}/auth/signup", json=weak, headers=SPANISH)
    english = await client.post(f"{API}/auth/signup", json=weak)
    assert spanish.status_code == english.status_code == 422
    assert _error(spanish)["message"] == "La contraseña debe tener al menos 10 caracteres."
    assert _error(english)["message"] == "The password must be at least 10 characters."
    assert _error(spanish)["details"] == _error(english)["details"] == {"field": "password"}
