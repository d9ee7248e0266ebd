"""Domain errors carry the HTTP status and a stable code; one handler renders them all."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status: int = 400
    code: str = "bad_request"
    # A refusal that must itself be recorded (a failed login counts towards rate limiting): the
    # entry point commits the transaction before reporting the error instead of rolling it back.
    keeps_changes: bool = False

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
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
