from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import Conflict, Invalid, NotFound
from domain.groups import memberships
from domain.groups import service as groups
from domain.groups.models import GroupStatus, StudentGroup
from domain.students import service as students
from domain.students.schemas import StudentIn
from tests.domain.studio import START, build_studio, event_types


async def memberships_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(StudentGroup)) or 0)


async def test_group_lifecycle_allows_pause_resume_and_close_only(session: AsyncSession) -> None:
    studio = await build_studio(session)
    salsa = studio.salsa
    await groups.change_group_status(
        session, studio.admin, salsa.id, status=GroupStatus.PAUSED, reason="summer"
    )
    await groups.change_group_status(session, studio.admin, salsa.id, status=GroupStatus.ACTIVE, reason=None)
    await groups.change_group_status(
        session, studio.admin, salsa.id, status=GroupStatus.CLOSED, reason="ended"
    )
    with pytest.raises(Conflict):
        await groups.change_group_status(
            session, studio.admin, salsa.id, status=GroupStatus.ACTIVE, reason=None
        )
    assert salsa.status is GroupStatus.CLOSED
    assert (await event_types(session)).count("group.status_changed") == 3


async def test_roster_answers_for_any_date(session: AsyncSession) -> None:
    studio = await build_studio(session)
    ana, jose = studio.students["Ana"], studio.students["José"]
    await memberships.leave(
        session, studio.admin, student_id=ana.id, group_id=studio.salsa.id, end_date=date(2026, 10, 15)
    )
    late = await students.create_student(session, studio.admin, data=StudentIn(full_name="Hugo Sánchez"))
    await memberships.enroll(
        session, studio.admin, student_id=late.id, group_id=studio.salsa.id, start_date=date(2026, 11, 1)
    )

    def names(entries: list) -> set[str]:  # type: ignore[type-arg]
        return {e.full_name for e in entries}

    assert names(await groups.roster(session, studio.admin, studio.salsa.id, on=date(2026, 8, 31))) == set()
    assert names(await groups.roster(session, studio.admin, studio.salsa.id, on=date(2026, 10, 15))) == {
        "Ana García",
        "José Martínez",
        "Sofía López",
    }
    assert names(await groups.roster(session, studio.admin, studio.salsa.id, on=date(2026, 10, 16))) == {
        "José Martínez",
        "Sofía López",
    }
    assert names(await groups.roster(session, studio.admin, studio.salsa.id, on=date(2026, 11, 2))) == {
        "José Martínez",
        "Sofía López",
        "Hugo Sánchez",
    }
    on_day = await memberships.memberships_of(session, studio.admin, jose.id, on=date(2026, 9, 10))
    assert [g.name for _, g in on_day] == ["Salsa Beginners"]


async def test_moving_a_student_keeps_both_memberships(session: AsyncSession) -> None:
    studio = await build_studio(session)
    ana = studio.students["Ana"]
    ended, started = await memberships.move(
        session,
        studio.admin,
        student_id=ana.id,
        from_group_id=studio.salsa.id,
        to_group_id=studio.bachata.id,
        on_date=date(2026, 10, 1),
    )
    assert (ended.start_date, ended.end_date) == (START, date(2026, 9, 30))
    assert (started.start_date, started.end_date) == (date(2026, 10, 1), None)
    history = await memberships.memberships_of(session, studio.admin, ana.id)
    assert [(g.name, m.end_date) for m, g in history] == [
        ("Salsa Beginners", date(2026, 9, 30)),
        ("Bachata Improvers", None),
    ]
    types = await event_types(session)
    assert "membership.ended" in types and types.count("membership.started") == 4


async def test_a_student_can_be_in_several_groups_at_once(session: AsyncSession) -> None:
    studio = await build_studio(session)
    ana = studio.students["Ana"]
    await memberships.enroll(
        session, studio.admin, student_id=ana.id, group_id=studio.bachata.id, start_date=START
    )
    on_day = await memberships.memberships_of(session, studio.admin, ana.id, on=date(2026, 9, 15))
    assert {g.name for _, g in on_day} == {"Salsa Beginners", "Bachata Improvers"}


async def test_an_overlapping_membership_is_a_conflict_and_writes_nothing(session: AsyncSession) -> None:
    studio = await build_studio(session)
    ana = studio.students["Ana"]
    before = await memberships_count(session)
    with pytest.raises(Conflict) as err:
        await memberships.enroll(
            session, studio.admin, student_id=ana.id, group_id=studio.salsa.id, start_date=date(2026, 12, 1)
        )
    assert "already in Salsa Beginners" in err.value.message
    assert await memberships_count(session) == before
    # After leaving, a later re-enrollment is fine; one overlapping the old range is not.
    await memberships.leave(
        session, studio.admin, student_id=ana.id, group_id=studio.salsa.id, end_date=date(2026, 10, 31)
    )
    with pytest.raises(Conflict):
        await memberships.enroll(
            session, studio.admin, student_id=ana.id, group_id=studio.salsa.id, start_date=date(2026, 10, 1)
        )
    await memberships.enroll(
        session, studio.admin, student_id=ana.id, group_id=studio.salsa.id, start_date=date(2026, 11, 1)
    )
    assert await memberships_count(session) == before + 1


async def test_closed_groups_take_no_enrollments_and_bad_moves_are_refused(session: AsyncSession) -> None:
    studio = await build_studio(session)
    ana = studio.students["Ana"]
    await groups.change_group_status(
        session, studio.admin, studio.bachata.id, status=GroupStatus.CLOSED, reason=None
    )
    before = await memberships_count(session)
    with pytest.raises(Conflict):
        await memberships.enroll(
            session, studio.admin, student_id=ana.id, group_id=studio.bachata.id, start_date=START
        )
    with pytest.raises(Invalid):
        await memberships.move(
            session,
            studio.admin,
            student_id=ana.id,
            from_group_id=studio.salsa.id,
            to_group_id=studio.salsa.id,
            on_date=date(2026, 10, 1),
        )
    with pytest.raises(NotFound):
        await memberships.leave(
            session, studio.admin, student_id=ana.id, group_id=studio.bachata.id, end_date=START
        )
    assert await memberships_count(session) == before
