"""Capacity on enrolment and the group waitlist, through the services (one rolled-back transaction each).
The race for the last place is in ``test_waitlist_race.py`` (it needs real concurrent transactions)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.db import use_tenant
from domain.errors import Conflict, Forbidden, NotFound
from domain.groups import memberships, waitlist
from domain.groups import service as groups
from domain.groups.models import StudentGroup, WaitlistEntry
from domain.groups.schemas import GroupUpdate
from domain.notifications.models import Kind, Notification
from domain.students import service as students
from domain.students.models import Student
from domain.students.schemas import StudentIn
from tests.domain.studio import START, Studio, build_studio, event_types


async def full_salsa(session: AsyncSession) -> Studio:
    """Salsa Beginners with its three students and a capacity of three."""
    studio = await build_studio(session)
    await groups.update_group(session, studio.admin, studio.salsa.id, data=GroupUpdate(capacity=3))
    return studio


async def newcomer(session: AsyncSession, studio: Studio, name: str) -> Student:
    return await students.create_student(session, studio.admin, data=StudentIn(full_name=name))


async def count(session: AsyncSession, model: type[object]) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def offers(session: AsyncSession) -> list[Notification]:
    query = select(Notification).where(Notification.kind == Kind.WAITLIST_OFFER.value)
    return list((await session.scalars(query)).all())


async def test_a_full_group_refuses_an_enrolment_with_the_count_and_stores_nothing(
    session: AsyncSession,
) -> None:
    studio = await full_salsa(session)
    hugo = await newcomer(session, studio, "Hugo Sánchez")
    before = await count(session, StudentGroup)
    with pytest.raises(Conflict) as refused:
        await memberships.enroll(
            session, studio.admin, student_id=hugo.id, group_id=studio.salsa.id, start_date=START
        )
    assert str(refused.value) == "Salsa Beginners is full (3 of 3); add them to the waitlist?"
    assert await count(session, StudentGroup) == before
    # Positive controls: a group with room, and the same group once a place is raised.
    await memberships.enroll(
        session, studio.admin, student_id=hugo.id, group_id=studio.bachata.id, start_date=START
    )
    await groups.update_group(session, studio.admin, studio.salsa.id, data=GroupUpdate(capacity=4))
    await memberships.enroll(
        session, studio.admin, student_id=hugo.id, group_id=studio.salsa.id, start_date=START
    )
    assert await count(session, StudentGroup) == before + 2


async def test_a_place_freed_by_a_leave_counts_from_the_day_after(session: AsyncSession) -> None:
    studio = await full_salsa(session)
    hugo = await newcomer(session, studio, "Hugo Sánchez")
    last_day = date(2026, 10, 15)
    await memberships.leave(
        session,
        studio.admin,
        student_id=studio.students["Ana"].id,
        group_id=studio.salsa.id,
        end_date=last_day,
    )
    with pytest.raises(Conflict, match="is full"):  # Ana is still there on her last day
        await memberships.enroll(
            session, studio.admin, student_id=hugo.id, group_id=studio.salsa.id, start_date=last_day
        )
    await memberships.enroll(
        session,
        studio.admin,
        student_id=hugo.id,
        group_id=studio.salsa.id,
        start_date=last_day + timedelta(days=1),
    )


async def test_a_move_into_a_full_group_is_refused_and_the_old_membership_stays(
    session: AsyncSession,
) -> None:
    studio = await full_salsa(session)
    hugo = await newcomer(session, studio, "Hugo Sánchez")
    await memberships.enroll(
        session, studio.admin, student_id=hugo.id, group_id=studio.bachata.id, start_date=START
    )
    on = date(2026, 10, 1)
    with pytest.raises(Conflict, match=r"Salsa Beginners is full \(3 of 3\)"):
        await memberships.move(
            session,
            studio.admin,
            student_id=hugo.id,
            from_group_id=studio.bachata.id,
            to_group_id=studio.salsa.id,
            on_date=on,
        )
    kept = await memberships.memberships_of(session, studio.admin, hugo.id)
    assert [(m.group_id, m.end_date) for m, _ in kept] == [(studio.bachata.id, None)]
    # Positive control: the other way round, into a group with room.
    ana = studio.students["Ana"]
    await memberships.move(
        session,
        studio.admin,
        student_id=ana.id,
        from_group_id=studio.salsa.id,
        to_group_id=studio.bachata.id,
        on_date=on,
    )


async def test_the_waitlist_keeps_order_and_refuses_duplicates_and_members(session: AsyncSession) -> None:
    studio = await full_salsa(session)
    hugo, lola = await newcomer(session, studio, "Hugo Sánchez"), await newcomer(session, studio, "Lola Ruiz")
    await waitlist.add(
        session, studio.admin, group_id=studio.salsa.id, student_id=hugo.id, note="  Tuesdays only "
    )
    await waitlist.add(session, studio.staff, group_id=studio.salsa.id, student_id=lola.id)
    listed = await waitlist.entries(session, studio.admin, studio.salsa.id)
    assert [(e.position, e.full_name, e.note, e.offered_at) for e in listed] == [
        (1, "Hugo Sánchez", "Tuesdays only", None),
        (2, "Lola Ruiz", None, None),
    ]
    with pytest.raises(Conflict, match="already on the waitlist"):
        await waitlist.add(session, studio.admin, group_id=studio.salsa.id, student_id=hugo.id)
    with pytest.raises(Conflict, match="already in Salsa Beginners"):
        await waitlist.add(
            session, studio.admin, group_id=studio.salsa.id, student_id=studio.students["Ana"].id
        )
    assert await count(session, WaitlistEntry) == 2
    await waitlist.remove(session, studio.admin, group_id=studio.salsa.id, entry_id=listed[0].id)
    assert [e.full_name for e in await waitlist.entries(session, studio.admin, studio.salsa.id)] == [
        "Lola Ruiz"
    ]
    assert await count(session, WaitlistEntry) == 2  # removed, not deleted
    with pytest.raises(NotFound):
        await waitlist.remove(session, studio.admin, group_id=studio.salsa.id, entry_id=listed[0].id)


async def test_a_freed_place_is_offered_to_the_next_student_and_only_the_office_confirms(
    session: AsyncSession,
) -> None:
    studio = await full_salsa(session)
    hugo, lola = await newcomer(session, studio, "Hugo Sánchez"), await newcomer(session, studio, "Lola Ruiz")
    for student in (hugo, lola):
        await waitlist.add(session, studio.admin, group_id=studio.salsa.id, student_id=student.id)
    assert await offers(session) == []  # full: nothing offered yet
    members = await count(session, StudentGroup)
    last_day = date(2026, 10, 15)
    await memberships.leave(
        session,
        studio.admin,
        student_id=studio.students["Ana"].id,
        group_id=studio.salsa.id,
        end_date=last_day,
    )
    listed = await waitlist.entries(session, studio.admin, studio.salsa.id)
    assert [(e.full_name, e.offered_at is not None) for e in listed] == [
        ("Hugo Sánchez", True),
        ("Lola Ruiz", False),
    ]
    sent = await offers(session)
    assert len(sent) == 1 and "Hugo Sánchez" in sent[0].subject and "Salsa Beginners" in sent[0].body
    assert "next on its waitlist" in sent[0].body  # the admin's language: here the organization's English
    assert await count(session, StudentGroup) == members  # offered, never enrolled automatically
    assert "waitlist.offered" in await event_types(session)
    await memberships.enroll(
        session,
        studio.admin,
        student_id=hugo.id,
        group_id=studio.salsa.id,
        start_date=last_day + timedelta(days=1),
    )
    assert [e.full_name for e in await waitlist.entries(session, studio.admin, studio.salsa.id)] == [
        "Lola Ruiz"
    ]
    assert len(await offers(session)) == 1  # the place Hugo took is not offered again


async def test_raising_the_capacity_and_a_declined_offer_offer_the_next_places(session: AsyncSession) -> None:
    studio = await full_salsa(session)
    waiting = [await newcomer(session, studio, n) for n in ("Hugo Sánchez", "Lola Ruiz", "Iker Gil")]
    for student in waiting:
        await waitlist.add(session, studio.admin, group_id=studio.salsa.id, student_id=student.id)
    await groups.update_group(session, studio.admin, studio.salsa.id, data=GroupUpdate(capacity=4))
    listed = await waitlist.entries(session, studio.admin, studio.salsa.id)
    assert [e.offered_at is not None for e in listed] == [True, False, False]
    await waitlist.remove(session, studio.admin, group_id=studio.salsa.id, entry_id=listed[0].id)  # declined
    listed = await waitlist.entries(session, studio.admin, studio.salsa.id)
    assert [(e.full_name, e.offered_at is not None) for e in listed] == [
        ("Lola Ruiz", True),
        ("Iker Gil", False),
    ]
    assert len(await offers(session)) == 2


async def test_teachers_read_only_their_own_groups_list_and_change_nothing(session: AsyncSession) -> None:
    studio = await full_salsa(session)
    hugo = await newcomer(session, studio, "Hugo Sánchez")
    await waitlist.add(session, studio.admin, group_id=studio.salsa.id, student_id=hugo.id)
    assert [e.full_name for e in await waitlist.entries(session, studio.teacher, studio.salsa.id)] == [
        "Hugo Sánchez"
    ]
    with pytest.raises(Forbidden):  # Bachata is Marco's
        await waitlist.entries(session, studio.teacher, studio.bachata.id)
    with pytest.raises(Forbidden):
        await waitlist.add(session, studio.teacher, group_id=studio.bachata.id, student_id=hugo.id)
    entry = (await waitlist.entries(session, studio.admin, studio.salsa.id))[0]
    with pytest.raises(Forbidden):
        await waitlist.remove(session, studio.teacher, group_id=studio.salsa.id, entry_id=entry.id)
    assert await count(session, WaitlistEntry) == 1


async def test_another_organizations_group_is_not_found(session: AsyncSession) -> None:
    ours = await full_salsa(session)
    hugo = await newcomer(session, ours, "Hugo Sánchez")
    theirs = await build_studio(session, names=())
    await use_tenant(session, ours.admin)
    session.expunge_all()  # a request's session never holds another tenant's rows; this one built both
    for group_id in (theirs.salsa.id,):
        with pytest.raises(NotFound):
            await waitlist.add(session, ours.admin, group_id=group_id, student_id=hugo.id)
        with pytest.raises(NotFound):
            await waitlist.entries(session, ours.admin, group_id)
        with pytest.raises(NotFound):
            await memberships.enroll(
                session, ours.admin, student_id=hugo.id, group_id=group_id, start_date=START
            )
    await waitlist.add(session, ours.admin, group_id=ours.salsa.id, student_id=hugo.id)  # positive control
    assert await count(session, WaitlistEntry) == 1
