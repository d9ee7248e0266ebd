"""Every list the REST API reads can be downloaded as CSV and xlsx: found from the OpenAPI document, so a
list route added tomorrow without ``?format=csv|xlsx`` fails here (the files themselves, and that a teacher's
leak nothing, are checked for every exportable route by ``test_exports_matrix.py``).

A list is a GET whose JSON answer is an array, or a page of one (``total`` and ``rows``/``items``). The few
lists left out are named below with the reason, and must still exist and still be lists."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

NOT_EXPORTED = {
    # Type-ahead pickers: a few best name matches; the full lists they search export themselves.
    "/api/v1/students/search": "a picker's name matches; /students exports",
    "/api/v1/groups/search": "a picker's name matches; /groups exports",
    "/api/v1/teachers/search": "a picker's name matches; /teachers exports",
    "/api/v1/venues/search": "a picker's name matches; /venues exports",
    "/api/v1/chat/history": "a conversation, not a table",
    "/api/v1/notifications/kinds": "the names of the kinds of notification (a fixed list)",
    "/api/v1/orgs": "the account's own memberships, for the organization switcher",
    "/api/v1/tools": "the tool catalogue's JSON schemas, for agents",
}


def _schema(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        found: dict[str, Any] = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        return found
    return schema


def list_routes(app: FastAPI) -> dict[str, set[str]]:
    """Each list GET route and the names of its query parameters."""
    spec = app.openapi()
    lists: dict[str, set[str]] = {}
    for path, operations in spec["paths"].items():
        get = operations.get("get")
        if get is None:
            continue
        content = get.get("responses", {}).get("200", {}).get("content", {})
        schema = _schema(spec, content.get("application/json", {}).get("schema", {}))
        fields = schema.get("properties", {})
        paged = "total" in fields and any(fields.get(k, {}).get("type") == "array" for k in ("rows", "items"))
        if schema.get("type") == "array" or paged:
            lists[path] = {p["name"] for p in get.get("parameters", []) if p.get("in") == "query"}
    return lists


def test_every_list_route_takes_format(app: FastAPI) -> None:
    lists = list_routes(app)
    assert len(lists) >= 30 and "/api/v1/students" in lists and "/api/v1/students/browse" in lists
    missing = sorted(
        path for path, params in lists.items() if "format" not in params and path not in NOT_EXPORTED
    )
    assert missing == []
    stale = sorted(set(NOT_EXPORTED) - set(lists))
    assert stale == []  # a left-out route that is gone or no longer a list is taken off the list above


def test_each_exportable_list_says_so_in_its_openapi(app: FastAPI) -> None:
    """The OpenAPI names both file types for each list that takes ``format`` (what the matrix test reads)."""
    spec = app.openapi()["paths"]
    for path, params in list_routes(app).items():
        if "format" in params:
            content = spec[path]["get"]["responses"]["200"]["content"]
            assert {"text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"} <= set(
                content
            ), path
