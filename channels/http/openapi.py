"""The OpenAPI says what errors really look like: one ``Error`` envelope, and the status codes each operation
can answer with, added here once for every route instead of by hand on each.

- 422 (every operation): invalid input, rendered by ``channels.http.errors`` — not FastAPI's default
  ``HTTPValidationError``, which the API never sends.
- 400: a request body that cannot be read at all.
- 401 and 403: operations behind authentication (not logged in; wrong role, scope or CSRF header); 401
  also where the request carries its own credential (a login, a link's token).
- 429: the operations that count attempts (logins, the public registration form).
- 404: operations naming something (a path parameter, an ``…_id`` query parameter or a body) that may not
  exist in the organization.
- 409: writes that may clash with what is already there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from channels.http.deps import get_caller

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string", "description": "Stable, for programs: not_found, invalid, …"},
                "message": {"type": "string", "description": "A sentence for people."},
                "details": {"description": "What the code means in this case (fields, ids), or null."},
            },
        }
    },
}
ENVELOPE = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
MEANING = {
    "400": "The request body could not be read.",
    "401": "Not logged in, or the API key is wrong, expired or revoked.",
    "403": "Not allowed: role, API key scope or CSRF header.",
    "404": "Not found in this organization.",
    "409": "Conflicts with the current state (already done, overlapping, taken).",
    "429": "Too many attempts; try again later.",
    "422": "Invalid input; details name each field and its problem.",
}
WRITES = {"post", "put", "patch", "delete"}
LOGIN = "/api/v1/auth/login"
THROTTLED = {LOGIN, "/api/v1/public/orgs/{slug}/registrations"}
FASTAPI_VALIDATION = ("HTTPValidationError", "ValidationError")


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _calls(dependency)


def _authenticated(app: FastAPI) -> set[tuple[str, str]]:
    """(path, method) of every operation that needs a logged-in person or an API key."""
    # The same walk FastAPI makes to write the document: it sees through included routers and prefixes.
    return {
        (str(context.path_format), method.lower())
        for context in iter_route_contexts(app.routes)
        if isinstance(route := context.original_route, APIRoute)
        and get_caller in set(_calls(route.dependant))
        for method in route.methods or ()
    }


def error_statuses(path: str, method: str, operation: dict[str, Any], *, authenticated: bool) -> list[str]:
    parameters = operation.get("parameters", [])
    path_parameters = {p["name"] for p in parameters if p.get("in") == "path"}
    names_a_row = any(p.get("in") == "query" and p["name"].endswith("_id") for p in parameters)
    statuses = {"422"}
    if "requestBody" in operation:
        statuses.add("400")
    if authenticated:
        statuses |= {"401", "403"}
    if path == LOGIN or "token" in path_parameters:
        statuses.add("401")
    if "requestBody" in operation or path_parameters or names_a_row:
        statuses.add("404")
    if method in WRITES:
        statuses.add("409")
    if path in THROTTLED:
        statuses.add("429")
    return sorted(statuses)


def document_errors(schema: dict[str, Any], authenticated: set[tuple[str, str]]) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    for name in FASTAPI_VALIDATION:
        components.pop(name, None)
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            for answer in responses.values():  # an event stream is read event by event, not as one document
                answer.get("content", {}).get("text/event-stream", {}).pop("schema", None)
            authenticates = (path, method) in authenticated
            for status in error_statuses(path, method, operation, authenticated=authenticates):
                responses[status] = {"description": MEANING[status], "content": ENVELOPE}


def install_openapi(app: FastAPI) -> None:
    """Replace ``app.openapi`` with FastAPI's document plus the error envelope and status codes."""
    default = app.openapi  # builds the document once and keeps it in app.openapi_schema

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document_errors(default(), _authenticated(app))
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
