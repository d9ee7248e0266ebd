"""The waitlist and capacity over REST: the office adds, lists, removes and enrols; a teacher reads their own
groups' lists only; a full group answers 409 with the count; bad input is a 4xx that stores nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.auth.models import User
from domain.db import use_tenant
from domain.groups import service as groups
from domain.groups.models import StudentGroup, WaitlistEntry
from domain.groups.schemas import GroupUpdate
from domain.students import service as students
from domain.students.schemas import StudentIn
from tests.channels.http.helpers import Browser
from tests.domain.studio import START, Studio, build_studio


async def logged_in(session: AsyncSession, client: AsyncClient, user_id: uuid.UUID | None) -> Browser:
    user = await session.get(User, user_id)
    assert user is not None
    browser = Browser(client, user.email)
    assert (await browser.login()).status_code == 200
    return browser


async def count(session: AsyncSession, model: type[object], studio: Studio) -> int:
    """Rows of the studio's own organization (the requests rebind the shared session to their tenant)."""
    await use_tenant(session, studio.admin)
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def full_salsa(session: AsyncSession) -> tuple[Studio, uuid.UUID, uuid.UUID]:
    studio = await build_studio(session)
    await groups.update_group(session, studio.admin, studio.salsa.id, data=GroupUpdate(capacity=3))
    hugo = await students.create_student(session, studio.admin, data=StudentIn(full_name="Hugo Sánchez"))
    lola = await students.create_student(session, studio.admin, data=StudentIn(full_name="Lola Ruiz"))
    return studio, hugo.id, lola.id


async def test_full_group_waitlist_leave_offer_enrol_over_rest(
    session: AsyncSession, make_client: Callable[[], AsyncClient]
) -> None:
    studio, hugo, lola = await full_salsa(session)
    office = await logged_in(session, make_client(), studio.admin.user_id)
    salsa = f"/groups/{studio.salsa.id}"
    full = await office.post(f"{salsa}/members", {"student_id": str(hugo), "start_date": START.isoformat()})
    assert full.status_code == 409
    assert full.json()["error"]["code"] == "conflict"
    assert full.json()["error"]["message"] == "Salsa Beginners is full (3 of 3); add them to the waitlist?"
    assert full.json()["error"]["details"] == {"group_id": str(studio.salsa.id), "taken": 3, "capacity": 3}

    added = await office.post(f"{salsa}/waitlist", {"student_id": str(hugo), "note": "Tuesdays"})
    assert added.status_code == 201, added.text
    assert (added.json()["position"], added.json()["full_name"]) == (1, "Hugo Sánchez")
    assert (await office.post(f"{salsa}/waitlist", {"student_id": str(lola)})).json()["position"] == 2
    again = await office.post(f"{salsa}/waitlist", {"student_id": str(hugo)})
    assert again.status_code == 409 and "already on the waitlist" in again.json()["error"]["message"]

    ana = studio.students["Ana"].id
    left = await office.post(f"{salsa}/members/{ana}/leave", {"end_date": "2026-10-15"})
    assert left.status_code == 200, left.text
    listed = (await office.get(f"{salsa}/waitlist")).json()
    assert [(e["full_name"], e["offered_at"] is not None) for e in listed] == [
        ("Hugo Sánchez", True),
        ("Lola Ruiz", False),
    ]
    enrolled = await office.post(f"{salsa}/members", {"student_id": str(hugo), "start_date": "2026-10-16"})
    assert enrolled.status_code == 201, enrolled.text
    assert [e["full_name"] for e in (await office.get(f"{salsa}/waitlist")).json()] == ["Lola Ruiz"]

    removed = await office.delete(f"{salsa}/waitlist/{listed[1]['id']}")
    assert removed.status_code == 204
    assert (await office.get(f"{salsa}/waitlist")).json() == []
    assert (await office.delete(f"{salsa}/waitlist/{listed[1]['id']}")).status_code == 404


async def test_teachers_read_their_own_groups_list_only_and_cannot_change_it(
    session: AsyncSession, make_client: Callable[[], AsyncClient]
) -> None:
    studio, hugo, _ = await full_salsa(session)
    office = await logged_in(session, make_client(), studio.admin.user_id)
    assert (
        await office.post(f"/groups/{studio.salsa.id}/waitlist", {"student_id": str(hugo)})
    ).status_code == 201
    teacher = await logged_in(session, make_client(), studio.teacher.user_id)
    own = await teacher.get(f"/groups/{studio.salsa.id}/waitlist")
    assert own.status_code == 200 and [e["full_name"] for e in own.json()] == ["Hugo Sánchez"]
    assert (await teacher.get(f"/groups/{studio.bachata.id}/waitlist")).status_code == 403  # Marco's
    before = await count(session, WaitlistEntry, studio)
    added = await teacher.post(f"/groups/{studio.salsa.id}/waitlist", {"student_id": str(hugo)})
    assert added.status_code == 403
    removed = await teacher.delete(f"/groups/{studio.salsa.id}/waitlist/{own.json()[0]['id']}")
    assert removed.status_code == 403
    assert await count(session, WaitlistEntry, studio) == before
    staff = await logged_in(session, make_client(), studio.staff.user_id)  # the office: staff too
    assert (await staff.get(f"/groups/{studio.bachata.id}/waitlist")).status_code == 200


async def test_bad_input_and_another_organizations_group_store_nothing(
    session: AsyncSession, make_client: Callable[[], AsyncClient]
) -> None:
    studio, hugo, _ = await full_salsa(session)
    theirs = await build_studio(session, names=())
    office = await logged_in(session, make_client(), studio.admin.user_id)
    salsa = f"/groups/{studio.salsa.id}/waitlist"
    before = (await count(session, WaitlistEntry, studio), await count(session, StudentGroup, studio))
    bodies: list[object] = [
        {},
        {"student_id": "not-a-uuid"},
        {"student_id": str(hugo), "note": "x" * 501},
        [],
    ]
    for body in bodies:
        r = await office.post(salsa, body)
        assert r.status_code == 422 and "error" in r.json(), (body, r.text)
    assert (await office.post(salsa, {"student_id": str(uuid.uuid4())})).status_code == 404
    assert (await office.delete(f"{salsa}/{uuid.uuid4()}")).status_code == 404
    assert (await office.delete(f"{salsa}/not-a-uuid")).status_code == 422
    other = f"/groups/{theirs.salsa.id}/waitlist"
    assert (await office.get(other)).status_code == 404
    assert (await office.post(other, {"student_id": str(hugo)})).status_code == 404
    assert (await count(session, WaitlistEntry, studio), await count(session, StudentGroup, studio)) == before
    assert (await office.post(salsa, {"student_id": str(hugo)})).status_code == 201  # positive control
    assert await count(session, WaitlistEntry, studio) == before[0] + 1
