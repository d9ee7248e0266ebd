"""Another organization's ids answer 404 (never 200, never 500), and nothing changes."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from httpx import AsyncClient

from tests.channels.http.helpers import Browser, create_org, join, signup


async def _org_with_rows(
    make_client: Callable[[], AsyncClient], label: str
) -> tuple[Browser, dict[str, Any]]:
    admin = await signup(make_client(), f"{label}-admin")
    await create_org(admin, f"{label} studio")
    staff = await signup(make_client(), f"{label}-staff")
    await join(admin, staff, "staff")
    invitation = await admin.post(
        "/org/invitations", {"email": f"{uuid.uuid4().hex[:8]}@x.org", "role": "teacher"}
    )
    key = await admin.post("/org/api-keys", {"name": "agent"})
    members = {m["email"]: m["id"] for m in (await admin.get("/org/members")).json()}
    ids = {
        "member": members[staff.email],
        "invitation": invitation.json()["id"],
        "api_key": key.json()["id"],
        "org": (await admin.get("/org")).json()["id"],
    }
    return admin, ids


def _requests(ids: dict[str, Any]) -> list[tuple[str, str, dict[str, Any] | None]]:
    return [
        ("PATCH", f"/org/members/{ids['member']}", {"role": "admin"}),
        ("DELETE", f"/org/members/{ids['member']}", None),
        ("DELETE", f"/org/invitations/{ids['invitation']}", None),
        ("DELETE", f"/org/api-keys/{ids['api_key']}", None),
        ("POST", "/orgs/switch", {"organization_id": ids["org"]}),
    ]


async def _send(browser: Browser, method: str, path: str, body: dict[str, Any] | None) -> int:
    if method == "PATCH":
        return (await browser.patch(path, body)).status_code
    if method == "DELETE":
        return (await browser.delete(path)).status_code
    return (await browser.post(path, body)).status_code


async def test_another_orgs_ids_are_404_and_change_nothing(make_client: Callable[[], AsyncClient]) -> None:
    admin_a, _ = await _org_with_rows(make_client, "a")
    admin_b, ids_b = await _org_with_rows(make_client, "b")
    before = (await admin_b.get("/org/members")).json(), (await admin_b.get("/org/api-keys")).json()

    statuses = {path: await _send(admin_a, method, path, body) for method, path, body in _requests(ids_b)}
    assert set(statuses.values()) == {404}, statuses

    after = (await admin_b.get("/org/members")).json(), (await admin_b.get("/org/api-keys")).json()
    assert after == before
    # Control: the rightful admin reaches the same ids (switching to its own org is the last request).
    own = [await _send(admin_b, m, p, b) for m, p, b in _requests(ids_b)]
    assert own == [200, 204, 200, 200, 200]


async def test_unknown_and_malformed_ids(make_client: Callable[[], AsyncClient]) -> None:
    admin, _ = await _org_with_rows(make_client, "a")
    assert (await admin.delete(f"/org/api-keys/{uuid.uuid4()}")).status_code == 404
    r = await admin.delete("/org/api-keys/not-a-uuid")
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid"


async def test_an_api_key_only_reaches_its_own_organization(make_client: Callable[[], AsyncClient]) -> None:
    _, ids_a = await _org_with_rows(make_client, "a")
    admin_b, _ = await _org_with_rows(make_client, "b")
    key_b = (await admin_b.post("/org/api-keys", {"name": "admin agent", "scopes": ["admin"]})).json()["key"]
    agent = make_client()
    headers = {"Authorization": f"Bearer {key_b}"}
    r = await agent.delete(f"/api/v1/org/api-keys/{ids_a['api_key']}", headers=headers)
    assert r.status_code == 404
    r = await agent.get("/api/v1/org/members", headers=headers)
    assert r.status_code == 200 and {m["email"].split("-")[0] for m in r.json()} == {"b"}
