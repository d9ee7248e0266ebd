"""What an API key's scopes allow on each REST route, declared once per route and enforced for every call.

The rule: reads (GET) need any scope; anything that changes data needs ``write`` (or ``admin``). A route
that decides for itself what each scope may do — the tool catalogue, where a ``read`` key calls reads and a
``propose`` key's writes wait for a person — declares its scopes explicitly with ``any_key_scope``.

The allowed scopes are written into each operation of the OpenAPI document (``x-key-scopes``), so clients
can see them and the tests can check every route against them: a route added tomorrow is covered by the
same rule without anyone remembering to.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.routing import APIRoute

from domain.errors import Forbidden
from domain.tenancy import Scope, TenantContext
from tools.access import APPLYING, READING

EXTENSION = "x-key-scopes"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class InsufficientScope(Forbidden):
    code = "insufficient_scope"


def any_key_scope() -> dict[str, Any]:
    """``openapi_extra`` for a route that checks each key's scopes itself (the tool catalogue)."""
    return {EXTENSION: sorted(s.value for s in READING)}


def default_scopes(methods: set[str]) -> frozenset[Scope]:
    return READING if methods <= READ_METHODS else APPLYING


def declare(router: APIRouter) -> APIRouter:
    """Write each route's allowed key scopes into its ``openapi_extra`` (explicit ones are kept)."""
    for route in router.routes:
        if isinstance(route, APIRoute):
            extra = dict(route.openapi_extra or {})
            extra.setdefault(EXTENSION, sorted(s.value for s in default_scopes(set(route.methods or ()))))
            route.openapi_extra = extra
    return router


def allowed(request: Request) -> frozenset[Scope]:
    route = request.scope.get("route")
    declared = (getattr(route, "openapi_extra", None) or {}).get(EXTENSION)
    if declared is None:  # a route nobody declared still gets the rule by its method
        return default_scopes({request.method})
    return frozenset(Scope(s) for s in declared)


def require(request: Request, tenant: TenantContext) -> None:
    """Refuse an API key whose scopes this route does not allow, before anything runs."""
    needed = allowed(request)
    if not tenant.scopes & needed:
        names = " or ".join(sorted(s.value for s in needed))
        raise InsufficientScope(
            "This API key may not do this: it needs the {names} scope.",
            values={"names": names},
            details={"required_scopes": sorted(s.value for s in needed)},
        )
