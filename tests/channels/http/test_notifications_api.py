"""Notification settings, opt-outs and the sent log over HTTP, with the roles that may use them."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.db import use_tenant
from domain.notifications.models import OptOut
from domain.tenancy import Role, TenantContext
from tests.channels.http.helpers import Browser, create_org, error_code, join, signup


async def test_settings_opt_outs_and_the_log_follow_the_roles(make_client: Callable[[], AsyncClient]) -> None:
    admin = await signup(make_client(), "admin")
    await create_org(admin)
    teacher = await signup(make_client(), "teacher")
    await join(admin, teacher, "teacher")

    defaults = await admin.get("/notifications/settings")
    assert defaults.status_code == 200
    assert (defaults.json()["quiet_start"], defaults.json()["quiet_end"]) == ("21:00:00", "07:00:00")

    changed = await admin.patch(
        "/notifications/settings", {"quiet_start": "22:30", "disabled_kinds": ["admin_digest"]}
    )
    assert changed.status_code == 200 and changed.json()["quiet_start"] == "22:30:00"
    assert (await admin.get("/notifications/settings")).json()["disabled_kinds"] == ["admin_digest"]
    assert (await teacher.patch("/notifications/settings", {"agenda_hour": 5})).status_code == 403
    assert (await admin.patch("/notifications/settings", {"agenda_hour": 25})).status_code == 422
    assert (await admin.get("/notifications/settings")).json()["agenda_hour"] == 7  # nothing changed

    me = (await teacher.get("/auth/me")).json()["user"]["id"]
    someone = f"student:{(await admin.post('/students', {'full_name': 'Ana García'})).json()['id']}"
    assert (await teacher.post("/notifications/opt-outs", {"recipient": f"user:{me}"})).status_code == 204
    assert (await teacher.post("/notifications/opt-outs", {"recipient": someone})).status_code == 403
    assert (
        await admin.post("/notifications/opt-outs", {"recipient": someone, "kind": "payment_reminder"})
    ).status_code == 204
    assert (await admin.post("/notifications/opt-outs", {"recipient": "nobody"})).status_code == 422
    withdrawn = await admin.client.delete(
        "/api/v1/notifications/opt-outs",
        params={"recipient": someone, "kind": "payment_reminder"},
        headers={"X-CSRF-Token": admin.csrf},
    )
    assert withdrawn.status_code == 204

    assert (await admin.get("/notifications")).status_code == 200
    assert (await teacher.get("/notifications")).status_code == 403


async def test_opt_outs_are_only_for_recipients_of_the_organization(
    make_client: Callable[[], AsyncClient], session: AsyncSession
) -> None:
    admin = await signup(make_client(), "admin")
    org = await create_org(admin)
    teacher_user = await signup(make_client(), "teacher")
    await join(admin, teacher_user, "teacher")
    other = await signup(make_client(), "other-admin")
    await create_org(other)

    async def ids(browser: Browser) -> dict[str, str]:
        student = (await browser.post("/students", {"full_name": "Ana García"})).json()["id"]
        teacher = await browser.post(
            "/teachers", {"full_name": "Lucía", "payment_type": "per_class", "rate_per_class": "40"}
        )
        user = (await browser.get("/auth/me")).json()["user"]["id"]
        teacher_id = teacher.json()["id"]
        return {"student": f"student:{student}", "teacher": f"teacher:{teacher_id}", "user": f"user:{user}"}

    ours, theirs = await ids(admin), await ids(other)
    ours["member"] = f"user:{(await teacher_user.get('/auth/me')).json()['user']['id']}"
    unknown = [f"{kind}:{uuid.uuid4()}" for kind in ("student", "teacher", "user")]
    strangers = [*theirs.values(), *unknown]
    for recipient in strangers:
        r = await admin.post("/notifications/opt-outs", {"recipient": recipient})
        assert r.status_code == 404 and error_code(r) == "not_found", recipient
    await use_tenant(session, TenantContext(org_id=uuid.UUID(org["id"]), role=Role.ADMIN))
    assert await opt_outs(session) == 0  # nothing stored

    for recipient in ours.values():  # control: everyone who belongs here can be opted out
        assert (await admin.post("/notifications/opt-outs", {"recipient": recipient})).status_code == 204
    assert await opt_outs(session) == len(ours)


async def opt_outs(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(OptOut)) or 0)


async def test_admins_register_webhooks_and_see_the_secret_once(
    make_client: Callable[[], AsyncClient],
) -> None:
    admin = await signup(make_client(), "admin")
    await create_org(admin)
    teacher = await signup(make_client(), "teacher")
    await join(admin, teacher, "teacher")

    assert (await admin.post("/webhooks", {"url": "http://hooks.example.com/x"})).status_code == 422
    assert (await admin.post("/webhooks", {"url": "https://user:pw@hooks.example.com/x"})).status_code == 422
    assert (await teacher.post("/webhooks", {"url": "https://hooks.example.com/x"})).status_code == 403
    created = await admin.post(
        "/webhooks", {"url": "https://hooks.example.com/x", "event_types": ["session.cancelled"]}
    )
    assert created.status_code == 201 and created.json()["secret"].startswith("whsec_")
    listed = (await admin.get("/webhooks")).json()
    assert [w["url"] for w in listed] == ["https://hooks.example.com/x"] and "secret" not in listed[0]
    disabled = await admin.delete(f"/webhooks/{created.json()['id']}")
    assert disabled.status_code == 200 and disabled.json()["disabled_at"] is not None
