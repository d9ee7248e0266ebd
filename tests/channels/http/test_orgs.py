from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from channels.http.deps import get_now
from domain.audit.models import AuditEntry
from domain.db import use_tenant
from domain.orgs.models import Invitation
from domain.tenancy import Role, TenantContext
from tests.channels.http.helpers import create_org, error_code, join, signup


async def test_creating_an_organization_makes_you_its_admin_and_activates_it(client: AsyncClient) -> None:
    ana = await signup(client, "ana")
    org = await create_org(ana, "Salsa Sur", type="independent_teacher", timezone="Europe/Madrid")
    assert org["slug"] == "salsa-sur" and org["type"] == "independent_teacher" and org["currency"] == "EUR"
    assert (await ana.get("/org")).json()["id"] == org["id"]
    members = (await ana.get("/org/members")).json()
    assert [(m["email"], m["role"]) for m in members] == [(ana.email, "admin")]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "X", "type": "gym"}, "type"),
        ({"name": "X", "type": "school", "timezone": "Mars/Olympus"}, "timezone"),
        ({"name": "X", "type": "school", "currency": "E1R"}, "currency"),
        ({"name": "X", "type": "school", "slug": "Bad Slug!"}, "slug"),
        ({"name": "", "type": "school"}, "name"),
    ],
)
async def test_bad_organization_input_is_422_and_creates_nothing(
    client: AsyncClient, body: dict[str, str], field: str
) -> None:
    ana = await signup(client, "ana")
    r = await ana.post("/orgs", body)
    assert r.status_code == 422 and error_code(r) == "invalid" and field in r.text
    assert (await ana.get("/orgs")).json() == []


async def test_a_taken_slug_is_a_conflict(make_client: Callable[[], AsyncClient]) -> None:
    await create_org(await signup(make_client(), "ana"), "Ritmo Dance")
    bob = await signup(make_client(), "bob")
    r = await bob.post("/orgs", {"name": "Ritmo Dance", "type": "school"})
    assert r.status_code == 409 and "slug" in r.json()["error"]["message"]


async def test_invitation_flow_adds_a_member_with_the_invited_role(
    make_client: Callable[[], AsyncClient], session: AsyncSession
) -> None:
    admin = await signup(make_client(), "admin")
    org = await create_org(admin)
    teacher = await signup(make_client(), "teacher")
    joined = await join(admin, teacher, "teacher")
    assert joined["organization_id"] == org["id"] and joined["role"] == "teacher"
    assert (await teacher.get("/org")).json()["id"] == org["id"]
    roles = {m["email"]: m["role"] for m in (await admin.get("/org/members")).json()}
    assert roles == {admin.email: "admin", teacher.email: "teacher"}
    invitations = (await admin.get("/org/invitations")).json()
    assert invitations[0]["accepted_at"] is not None and "token" not in invitations[0]
    stored = (await session.execute(select(Invitation.token_hash))).scalars().all()
    assert len(stored) == 0  # RLS: this test session has no tenant...
    await use_tenant(session, TenantContext(org_id=uuid.UUID(org["id"]), role=Role.ADMIN))
    assert len((await session.execute(select(Invitation.token_hash))).scalars().all()) == 1  # ...control


async def test_an_invitation_works_once_for_its_own_email_until_it_expires(
    make_client: Callable[[], AsyncClient], app: FastAPI
) -> None:
    admin = await signup(make_client(), "admin")
    await create_org(admin)
    invited = await signup(make_client(), "invited")
    other = await signup(make_client(), "other")
    token = (await admin.post("/org/invitations", {"email": invited.email, "role": "staff"})).json()["token"]

    r = await other.post("/invitations/accept", {"token": token})
    assert r.status_code == 403 and "another email" in r.json()["error"]["message"]
    r = await invited.post("/invitations/accept", {"token": "x" * 43})
    assert r.status_code == 404

    app.dependency_overrides[get_now] = lambda: datetime.now(UTC) + timedelta(days=8)
    r = await invited.post("/invitations/accept", {"token": token})
    assert r.status_code == 409 and "expired" in r.json()["error"]["message"]
    app.dependency_overrides.clear()

    assert (await invited.post("/invitations/accept", {"token": token})).status_code == 200
    r = await invited.post("/invitations/accept", {"token": token})
    assert r.status_code == 409


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"email": "not an email", "role": "teacher"}, 422),
        ({"email": "new@example.org", "role": "owner"}, 422),
        ({"email": "new@example.org"}, 422),
    ],
)
async def test_bad_invitations_are_rejected_and_write_nothing(
    client: AsyncClient, session: AsyncSession, body: dict[str, str], status: int
) -> None:
    admin = await signup(client, "admin")
    org = await create_org(admin)
    r = await admin.post("/org/invitations", body)
    assert r.status_code == status and error_code(r) == "invalid"
    assert (await admin.get("/org/invitations")).json() == []
    await use_tenant(session, TenantContext(org_id=uuid.UUID(org["id"]), role=Role.ADMIN))
    actions = (await session.execute(select(AuditEntry.action))).scalars().all()
    assert "invitation.created" not in actions and "organization.created" in actions


async def test_a_teacher_cannot_use_admin_only_endpoints(make_client: Callable[[], AsyncClient]) -> None:
    admin = await signup(make_client(), "admin")
    await create_org(admin)
    teacher = await signup(make_client(), "teacher")
    await join(admin, teacher, "teacher")
    members = {m["email"]: m["id"] for m in (await admin.get("/org/members")).json()}

    attempts = [
        await teacher.post("/org/invitations", {"email": "x@example.org", "role": "admin"}),
        await teacher.get("/org/invitations"),
        await teacher.patch(f"/org/members/{members[teacher.email]}", {"role": "admin"}),
        await teacher.delete(f"/org/members/{members[admin.email]}"),
        await teacher.post("/org/api-keys", {"name": "mine", "scopes": ["admin"]}),
        await teacher.get("/org/api-keys"),
    ]
    assert [r.status_code for r in attempts] == [403] * len(attempts)
    assert all(error_code(r) == "forbidden" for r in attempts)
    # Nothing changed: the teacher is still a teacher and the admin still a member.
    roles = {m["email"]: m["role"] for m in (await admin.get("/org/members")).json()}
    assert roles == {admin.email: "admin", teacher.email: "teacher"}
    # Control: the admin can do the same things.
    assert (await admin.patch(f"/org/members/{members[teacher.email]}", {"role": "staff"})).status_code == 200


async def test_roles_change_and_members_leave_but_the_last_admin_stays(
    make_client: Callable[[], AsyncClient],
) -> None:
    admin = await signup(make_client(), "admin")
    await create_org(admin)
    staff = await signup(make_client(), "staff")
    await join(admin, staff, "staff")
    ids = {m["email"]: m["id"] for m in (await admin.get("/org/members")).json()}

    r = await admin.patch(f"/org/members/{ids[admin.email]}", {"role": "teacher"})
    assert r.status_code == 409 and "at least one admin" in r.json()["error"]["message"]
    assert (await admin.delete(f"/org/members/{ids[admin.email]}")).status_code == 409

    assert (await admin.delete(f"/org/members/{ids[staff.email]}")).status_code == 204
    assert [m["email"] for m in (await admin.get("/org/members")).json()] == [admin.email]
    r = await staff.get("/org")  # removed: no active organization any more
    assert r.status_code == 403


async def test_a_multi_org_user_switches_between_organizations(
    make_client: Callable[[], AsyncClient],
) -> None:
    ana = await signup(make_client(), "ana")
    first = await create_org(ana, "First Studio")
    bob = await signup(make_client(), "bob")
    second = await create_org(bob, "Second Studio")
    await join(bob, ana, "teacher")
    assert (await ana.get("/org")).json()["id"] == second["id"]

    r = await ana.post("/orgs/switch", {"organization_id": first["id"]})
    assert r.status_code == 200 and r.json()["role"] == "admin"
    assert (await ana.get("/org")).json()["id"] == first["id"]
    assert {o["slug"] for o in (await ana.get("/orgs")).json()} == {"first-studio", "second-studio"}

    stranger = await create_org(await signup(make_client(), "carol"), "Third Studio")
    r = await ana.post("/orgs/switch", {"organization_id": stranger["id"]})
    assert r.status_code == 404
    assert (await ana.get("/org")).json()["id"] == first["id"]


async def test_api_keys_are_shown_once_work_until_revoked(
    make_client: Callable[[], AsyncClient], session: AsyncSession
) -> None:
    admin = await signup(make_client(), "admin")
    org = await create_org(admin)
    created = await admin.post("/org/api-keys", {"name": "scheduler", "scopes": ["read"]})
    assert created.status_code == 201
    key = created.json()["key"]
    assert key.startswith("cad_") and created.json()["prefix"] == key[:12]
    listed = (await admin.get("/org/api-keys")).json()
    assert len(listed) == 1 and "key" not in listed[0] and listed[0]["last_used_at"] is None

    agent = make_client()
    auth = {"Authorization": f"Bearer {key}"}
    r = await agent.get("/api/v1/org", headers=auth)
    assert r.status_code == 200 and r.json()["id"] == org["id"]
    assert (await admin.get("/org/api-keys")).json()[0]["last_used_at"] is not None
    # A read-scoped key is not an admin.
    assert (await agent.get("/api/v1/org/api-keys", headers=auth)).status_code == 403

    assert (await admin.delete(f"/org/api-keys/{created.json()['id']}")).status_code == 200
    r = await agent.get("/api/v1/org", headers=auth)
    assert r.status_code == 401 and error_code(r) == "unauthorized"


async def test_wrong_or_expired_api_keys_are_401(
    make_client: Callable[[], AsyncClient], app: FastAPI
) -> None:
    admin = await signup(make_client(), "admin")
    await create_org(admin)
    expires = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    key = (await admin.post("/org/api-keys", {"name": "short", "expires_at": expires})).json()["key"]
    agent = make_client()
    assert (await agent.get("/api/v1/org", headers={"Authorization": f"Bearer {key}"})).status_code == 200
    for header in (f"Bearer {key[:-3]}xyz", "Bearer cad_nonsense", f"Basic {key}", "Bearer"):
        r = await agent.get("/api/v1/org", headers={"Authorization": header})
        assert r.status_code == 401, header
    app.dependency_overrides[get_now] = lambda: datetime.now(UTC) + timedelta(hours=2)
    assert (await agent.get("/api/v1/org", headers={"Authorization": f"Bearer {key}"})).status_code == 401


async def test_audit_log_records_who_changed_a_role(
    make_client: Callable[[], AsyncClient], session: AsyncSession
) -> None:
    admin = await signup(make_client(), "admin")
    org = await create_org(admin)
    staff = await signup(make_client(), "staff")
    await join(admin, staff, "staff")
    ids = {m["email"]: m["id"] for m in (await admin.get("/org/members")).json()}
    await admin.patch(f"/org/members/{ids[staff.email]}", {"role": "teacher"})
    await use_tenant(session, TenantContext(org_id=uuid.UUID(org["id"]), role=Role.ADMIN))
    entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "member.role_changed"))
    assert entry is not None
    assert (entry.before, entry.after) == ({"role": "staff"}, {"role": "teacher"})
    n = await session.scalar(select(func.count()).select_from(AuditEntry))
    assert n and n >= 3
