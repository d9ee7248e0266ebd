"""limit / offset on the long lists, the total in X-Total-Count, and the JSON body unchanged (a plain list,
whole when no limit is given — what existing clients get)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from domain.db import use_tenant
from domain.groups import service as groups
from domain.groups.schemas import GroupIn
from domain.private_lessons import service as private_lessons
from domain.private_lessons.schemas import PrivateSessionIn
from domain.sessions import service as sessions
from domain.sessions.schemas import SessionIn
from domain.students import service as students
from domain.students.schemas import StudentIn
from domain.venues import service as venues
from domain.venues.schemas import VenueIn
from tests.channels.http.helpers import Browser
from tests.channels.http.test_teacher_visibility import logged_in
from tests.domain.studio import build_studio

LISTS = ["/students", "/teachers", "/venues", "/groups", "/sessions", "/private-sessions"]


async def _office(session: AsyncSession, make_client: Callable[[], AsyncClient]) -> Browser:
    studio = await build_studio(session)
    admin = studio.admin
    await use_tenant(session, admin)
    for n in range(4):
        await students.create_student(session, admin, data=StudentIn(full_name=f"Zoe Paged {n}"))
        await venues.create_venue(session, admin, data=VenueIn(name=f"Sala {n}"))
        await groups.create_group(session, admin, data=GroupIn(name=f"Grupo {n}"))
        await sessions.create_session(
            session,
            admin,
            data=SessionIn(group_id=studio.salsa.id, date=admin.today(), start_time=time(10 + n)),
        )
        lesson = PrivateSessionIn(
            teacher_id=studio.marco.id,
            student_id=studio.students["Ana"].id,
            date=admin.today(),
            duration_minutes=45,
        )
        await private_lessons.create_private_session(session, admin, data=lesson)
    return await logged_in(session, make_client(), admin.user_id)


async def test_pages_walk_the_whole_list_once_with_the_total(
    session: AsyncSession, make_client: Callable[[], AsyncClient]
) -> None:
    office = await _office(session, make_client)
    for path in LISTS:
        whole = await office.get(path)
        assert whole.status_code == 200, (path, whole.text)
        everything = [row["id"] for row in whole.json()]
        assert whole.headers["X-Total-Count"] == str(len(everything)) and len(everything) >= 2
        walked: list[str] = []
        for offset in range(0, len(everything), 2):
            page = await office.get(path, params={"limit": 2, "offset": offset})
            assert page.status_code == 200 and page.headers["X-Total-Count"] == str(len(everything))
            assert len(page.json()) <= 2
            walked += [row["id"] for row in page.json()]
        assert walked == everything, path  # same order, nothing twice, nothing missed
        past = await office.get(path, params={"limit": 2, "offset": len(everything)})
        assert past.status_code == 200 and past.json() == []


async def test_bad_paging_is_a_422_and_an_export_ignores_nothing(
    session: AsyncSession, make_client: Callable[[], AsyncClient]
) -> None:
    office = await _office(session, make_client)
    for path in [*LISTS, "/registrations"]:
        for bad in ({"limit": 0}, {"limit": 5000}, {"offset": -1}, {"limit": "ten"}):
            r = await office.get(path, params=bad)
            assert r.status_code == 422 and r.json()["error"]["code"] == "invalid", (path, bad, r.text)
    exported = await office.get("/venues", params={"format": "csv"})
    assert exported.text.count("Sala ") == 4  # every row, not a page
