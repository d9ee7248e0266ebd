"""A kept spreadsheet follows its owner's role: the office's list a staff member made is no longer theirs to
download once an admin makes them a teacher (a teacher may not read that list), nor after they are removed
and invited back. Other people's files stay (the admin's own, the control), as does the staff member's file
while their role is unchanged (the control before the change)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from domain.db import use_tenant
from domain.exports import kept
from domain.tenancy import TenantContext
from tests.channels.http.test_chat_files import logged_in
from tests.domain.studio import build_studio
from tests.factories import PASSWORD

API = "/api/v1"


async def a_file(session: AsyncSession, tenant: TenantContext) -> str:
    await use_tenant(session, tenant)
    file = await kept.keep(
        session,
        tenant,
        filename="unpaid_students-x.csv",
        media_type="text/csv",
        content=b"name,amount\r\nAna,45.00\r\n",
        now=datetime.now(UTC),
    )
    return file.download_path


@pytest.mark.parametrize("change", ["role", "removed"])
async def test_a_demoted_or_removed_persons_files_go(
    session: AsyncSession, make_client: Callable[[], AsyncClient], change: str
) -> None:
    studio = await build_studio(session, names=("Ana García",))
    staff_file = await a_file(session, studio.staff)
    admin_file = await a_file(session, studio.admin)
    staff, admin = make_client(), make_client()
    await logged_in(session, staff, studio.staff)
    admin_csrf = await logged_in(session, admin, studio.admin)
    assert (await staff.get(staff_file)).status_code == 200  # the control: their own, role unchanged

    members = (await admin.get(f"{API}/org/members")).json()
    [member] = [m for m in members if m["user_id"] == str(studio.staff.user_id)]
    if change == "role":
        r = await admin.patch(
            f"{API}/org/members/{member['id']}", json={"role": "teacher"}, headers=admin_csrf
        )
        assert r.status_code == 200, r.text
    else:  # removed, then invited back as a teacher and accepted
        r = await admin.delete(f"{API}/org/members/{member['id']}", headers=admin_csrf)
        assert r.status_code == 204, r.text
        invited = await admin.post(
            f"{API}/org/invitations", json={"email": member["email"], "role": "teacher"}, headers=admin_csrf
        )
        assert invited.status_code == 201, invited.text
        login = await staff.post(f"{API}/auth/login", json={"email": member["email"], "password": PASSWORD})
        accepted = await staff.post(
            f"{API}/invitations/accept",
            json={"token": invited.json()["token"]},
            headers={"X-CSRF-Token": login.json()["csrf_token"]},
        )
        assert accepted.status_code == 200 and accepted.json()["role"] == "teacher", accepted.text
    refused = await staff.get(staff_file)
    assert refused.status_code == 404, refused.text
    assert (await admin.get(admin_file)).status_code == 200  # another person's file stays
