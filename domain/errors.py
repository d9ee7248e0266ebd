"""Domain errors carry the HTTP status and a stable code; one handler renders them all.

A message is English, and also the ``msgid`` the error is translated by (``domain/error_language.py``,
``locale/es/LC_MESSAGES/cadence.po``). A message with values is a template with named placeholders and
its ``values``: ``Conflict("{name} is already in {group}.", values={"name": …, "group": …})``;
``.message`` is the English filled in, ``.template`` what a translation replaces.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class DomainError(Exception):
    status: int = 400
    code: str = "bad_request"
    # A refusal that must itself be recorded (a failed login counts towards rate limiting): the
    # entry point commits the transaction before reporting the error instead of rolling it back.
    keeps_changes: bool = False

    def __init__(self, message: str, *, details: Any = None, values: Mapping[str, Any] | None = None) -> None:
        filled = message.format(**values) if values else message
        super().__init__(filled)
        self.message = filled
        self.template = message
        self.values: dict[str, Any] = dict(values or {})
        self.details = details


class Invalid(DomainError):
    status, code = 422, "invalid"


class Unauthorized(DomainError):
    status, code = 401, "unauthorized"


class Forbidden(DomainError):
    status, code = 403, "forbidden"


class NotFound(DomainError):
    status, code = 404, "not_found"


class Conflict(DomainError):
    status, code = 409, "conflict"


class TooManyRequests(DomainError):
    status, code = 429, "too_many_requests"
