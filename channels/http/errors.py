"""One error format for every failure: ``{"error": {"code", "message", "details"}}``.

What reaches people is plain: messages never show a Python repr (``Decimal('12.50')``, ``UUID('…')``,
``<Foo object at 0x…>``), details hold only JSON values, and a failure nobody foresaw is a short 500 in the
same envelope, its cause logged rather than shown.

Messages are in the request's language (``channels.http.language``: the pages send ``Accept-Language``;
no header is English): a domain error's template through the gettext catalogue, a validation problem by
its pydantic type. ``code`` and ``details`` never change with the language.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from decimal import Decimal
from enum import Enum
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from channels.http.language import request_language
from channels.http.validation_words import invalid_input, problem
from domain.error_language import say
from domain.errors import DomainError

log = logging.getLogger(__name__)

# Decimal('12.50'), UUID('…'), datetime.date(2026, 9, 1) → their value; <Foo object at 0x…> → "a value".
_VALUE_REPR = re.compile(r"\b(?:Decimal|UUID)\('([^']*)'\)")
_DATE_REPR = re.compile(r"\bdatetime\.(date|datetime|time)\(([0-9, ]+)\)")
_OBJECT_REPR = re.compile(r"<[^<>]*? at 0x[0-9a-fA-F]+>")
UNEXPECTED = "Something went wrong on our side; nothing was changed. Please try again."


def _date_value(match: re.Match[str]) -> str:
    kinds: dict[str, Any] = {"date": dt.date, "datetime": dt.datetime, "time": dt.time}
    try:
        return str(kinds[match.group(1)](*(int(n) for n in match.group(2).split(","))).isoformat())
    except (TypeError, ValueError):
        return "a date"


def plain_text(message: str) -> str:
    """A message as a person should read it: Python reprs replaced by their values."""
    message = _VALUE_REPR.sub(r"\1", message)
    message = _DATE_REPR.sub(_date_value, message)
    return _OBJECT_REPR.sub("a value", message)


def plain(value: Any) -> Any:
    """Details as JSON values: ids, amounts and dates as strings (never floats), text without reprs."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return plain_text(value)
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    return "a value"


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": plain_text(message), "details": plain(details)}}


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return JSONResponse(
        error_body(exc.code, say(exc, request_language(request)), exc.details),
        status_code=exc.status,
        headers=headers,
    )


def _problem(message: str) -> str:
    # pydantic prefixes the messages our validators raise; the person needs only the sentence.
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    language = request_language(request)
    errors = exc.errors()
    details = [
        {"field": ".".join(str(p) for p in err["loc"] if p != "body"), "problem": _problem(str(err["msg"]))}
        for err in errors
    ]
    fields = ", ".join(dict.fromkeys(d["field"] or "body" for d in details))
    said = [
        (d["field"] or "body", problem(err, d["problem"], language))
        for d, err in zip(details, errors, strict=True)
    ]
    message = invalid_input(fields, said, language)
    return JSONResponse(error_body("invalid", message, details), status_code=422)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else "The request could not be handled."
    return JSONResponse(error_body(code, message), status_code=exc.status_code, headers=exc.headers)


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse(error_body("internal", UNEXPECTED), status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)  # still a 500, but in the envelope
