"""The tool catalogue over REST: scopes decide what a key sees; an agent's writes wait for a person
(or, with the write scope, apply at once and are audited); no key reaches another organization."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time

from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.attendance.models import AttendanceRecord
from domain.audit.models import AuditEntry
from domain.auth import api_keys
from domain.auth.models import User
from domain.db import use_tenant
from domain.payments import service as payments
from domain.sessions import service as sessions
from domain.sessions.schemas import SessionIn
from domain.tenancy import Scope, TenantContext
from tests.domain.studio import Studio, build_studio
from tests.factories import PASSWORD

API = "/api/v1"
NOW = datetime(2026, 11, 24, 20, tzinfo=UTC)


async def key(session: AsyncSession, admin: TenantContext, *scopes: Scope) -> dict[str, str]:
    await use_tenant(session, admin)
    _, raw = await api_keys.create_api_key(
        session, admin, name="agent", scopes=list(scopes), expires_at=None, now=NOW
    )
    return {"Authorization": f"Bearer {raw}"}


async def studio_with_class_today(session: AsyncSession) -> Studio:
    studio = await build_studio(session, names=("Ana García", "José Martínez", "Sofía López"))
    today = studio.admin.today()
    await sessions.create_session(
        session, studio.admin, data=SessionIn(group_id=studio.salsa.id, date=today, start_time=time(0, 1))
    )
    await payments.generate_tuition(session, studio.admin, month=today, today=today)
    return studio


async def marks(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(AttendanceRecord)) or 0)


async def test_a_read_key_sees_and_calls_only_reads(session: AsyncSession, client: AsyncClient) -> None:
    studio = await studio_with_class_today(session)
    headers = await key(session, studio.admin, Scope.READ)
    listed = (await client.get(f"{API}/tools", headers=headers)).json()
    assert {t["kind"] for t in listed} == {"read"} and "unpaid_students" in {t["name"] for t in listed}
    assert "title" not in str(listed[0]["parameters"]) or listed[0]["parameters"]
    answer = await client.post(f"{API}/tools/unpaid_students", json={}, headers=headers)
    assert answer.status_code == 200 and "José Martínez" in answer.json()["text"]
    refused = await client.post(f"{API}/tools/mark_attendance", json={"group": "salsa"}, headers=headers)
    assert refused.status_code == 404 and await marks(session) == 0
    bad = await client.post(f"{API}/tools/unpaid_students", json={"month": "November"}, headers=headers)
    assert bad.status_code == 422


async def test_a_propose_key_waits_for_a_person_of_the_office(
    session: AsyncSession, make_client: Callable[[], AsyncClient]
) -> None:
    studio = await studio_with_class_today(session)
    agent = make_client()
    headers = await key(session, studio.admin, Scope.PROPOSE)
    proposed = await agent.post(
        f"{API}/tools/mark_attendance", json={"group": "salsa", "absent": ["jose"]}, headers=headers
    )
    assert proposed.status_code == 200, proposed.text
    pending = proposed.json()["pending_action"]
    assert pending["preview"].endswith("2 present, absent: José Martínez.") and await marks(session) == 0
    assert (await agent.post(f"{API}/actions/{pending['id']}/confirm", headers=headers)).status_code == 403
    assert await marks(session) == 0  # the agent cannot confirm its own proposal

    person = make_client()
    staff = await session.get(User, studio.staff.user_id)
    assert staff is not None
    login = await person.post(f"{API}/auth/login", json={"email": staff.email, "password": PASSWORD})
    csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
    switched = await person.post(
        f"{API}/orgs/switch", json={"organization_id": str(studio.org.id)}, headers=csrf
    )
    assert switched.status_code == 200, switched.text
    done = await person.post(f"{API}/actions/{pending['id']}/confirm", headers=csrf)
    assert done.status_code == 200, done.text
    assert await marks(session) == 3
    again = await person.post(f"{API}/actions/{pending['id']}/confirm", headers=csrf)
    assert again.json()["text"].startswith("Already done earlier") and await marks(session) == 3


async def test_a_write_key_applies_at_once_and_is_audited(session: AsyncSession, client: AsyncClient) -> None:
    studio = await studio_with_class_today(session)
    headers = await key(session, studio.admin, Scope.WRITE)
    listed = {t["name"]: t["mode"] for t in (await client.get(f"{API}/tools", headers=headers)).json()}
    assert listed["mark_attendance"] == "apply"
    done = await client.post(f"{API}/tools/mark_attendance", json={"group": "salsa"}, headers=headers)
    assert done.status_code == 200 and done.json()["pending_action"] is None
    assert await marks(session) == 3
    entry = (
        await session.execute(select(AuditEntry).where(AuditEntry.action == "tool.applied"))
    ).scalar_one()
    assert entry.actor_api_key_id is not None and entry.after and entry.after["tool"] == "mark_attendance"


async def test_a_key_never_reaches_another_organization(session: AsyncSession, client: AsyncClient) -> None:
    first = await studio_with_class_today(session)
    second = await build_studio(session, names=("Zacarías Otro",))
    own = await key(session, first.admin, Scope.READ)
    other = await key(session, second.admin, Scope.READ)
    control = await client.post(f"{API}/tools/group_roster", json={"group": "salsa"}, headers=own)
    assert "Ana García" in control.json()["text"]
    roster = await client.post(f"{API}/tools/group_roster", json={"group": "salsa"}, headers=other)
    assert roster.status_code == 200 and "Ana García" not in roster.text and "Zacarías Otro" in roster.text
    overview = await client.post(
        f"{API}/tools/student_overview", json={"student": "Ana García"}, headers=other
    )
    assert overview.status_code == 422 and "Ana García" not in str(overview.json()["error"].get("details"))


async def test_an_argument_the_tool_does_not_take_is_refused_before_anything_applies(
    session: AsyncSession, client: AsyncClient
) -> None:
    """A misspelt or invented argument must not be dropped: `absent_students` dropped would mark
    everyone present at once with a write key. The same call without it applies (the control)."""
    studio = await studio_with_class_today(session)
    headers = await key(session, studio.admin, Scope.WRITE)
    wrong = await client.post(
        f"{API}/tools/mark_attendance", json={"group": "salsa", "absent_students": ["Ana"]}, headers=headers
    )
    assert wrong.status_code == 422, wrong.text
    assert "absent_students" in wrong.json()["error"]["message"]
    assert await marks(session) == 0
    right = await client.post(
        f"{API}/tools/mark_attendance", json={"group": "salsa", "absent": ["Ana García"]}, headers=headers
    )
    assert right.status_code == 200 and await marks(session) == 3
