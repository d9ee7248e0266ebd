"""Schedule edits take effect from a date: every earlier class stays byte-identical."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import Invalid
from domain.events.models import DomainEvent
from domain.scheduling import service as scheduling
from domain.scheduling.schemas import SlotChange
from domain.sessions.models import SessionStatus
from tests.domain.studio import build_studio
from tests.scheduling.helpers import classes, stored, weekly

MON, WED = 0, 2
TODAY = date(2026, 11, 26)


async def test_a_time_change_from_a_date_leaves_every_earlier_class_as_it_was(session: AsyncSession) -> None:
    studio = await build_studio(session)
    slot = await weekly(session, studio, studio.salsa, weekday=MON, valid_from=date(2026, 11, 2))
    await scheduling.generate(session, studio.admin, today=date(2026, 11, 2), until=date(2026, 12, 28))
    # A one-off substitute on 21 December, before the change is made.
    sub_day = next(r for r in await classes(session, studio.salsa) if r.date == date(2026, 12, 21))
    await scheduling.assign_substitute(session, studio.admin, sub_day.id, teacher_id=studio.marco.id)
    before = await stored(session, studio.salsa)

    new = await scheduling.change_slot(
        session,
        studio.admin,
        slot.id,
        data=SlotChange(
            effective_from=date(2026, 12, 7),
            start_time=time(19, 30),
            end_time=time(20, 30),
            teacher_id=studio.marco.id,
        ),
        today=TODAY,
    )
    after = await stored(session, studio.salsa)
    earlier = [i for i, r in before.items() if r["date"] < date(2026, 12, 7)]
    later = [i for i, r in before.items() if r["date"] >= date(2026, 12, 7)]
    assert len(earlier) == 5 and len(later) == 4
    assert all(after[i] == before[i] for i in earlier)  # byte-identical
    assert {(after[i]["start_time"], after[i]["end_time"], after[i]["slot_id"]) for i in later} == {
        (time(19, 30), time(20, 30), new.id)
    }
    assert {after[i]["teacher_id"] for i in later} == {studio.marco.id}
    # The slot was split, not rewritten: the old one ends the day before.
    old = await scheduling.get_slot(session, studio.admin, slot.id)
    assert (old.valid_until, old.start_time, new.valid_from, new.replaces_slot_id) == (
        date(2026, 12, 6),
        time(18),
        date(2026, 12, 7),
        slot.id,
    )
    # Teachers hear about each moved class through the outbox.
    changed = (await session.scalars(select(DomainEvent).where(DomainEvent.type == "session.updated"))).all()
    assert len(changed) == 1 + 4  # the substitute, then the four later classes
    # Generation after the change continues from the new slot, with nothing duplicated.
    again = await scheduling.generate(session, studio.admin, today=TODAY, until=date(2026, 12, 28))
    assert again.created == 0


async def test_a_substitute_on_one_date_survives_a_change_of_time(session: AsyncSession) -> None:
    studio = await build_studio(session)
    slot = await weekly(session, studio, studio.salsa, weekday=MON, valid_from=date(2026, 11, 30))
    await scheduling.generate(session, studio.admin, today=TODAY, until=date(2026, 12, 21))
    one = next(r for r in await classes(session, studio.salsa) if r.date == date(2026, 12, 14))
    covered = await scheduling.assign_substitute(session, studio.admin, one.id, teacher_id=studio.marco.id)
    assert (covered.teacher_id, covered.substitute_for_teacher_id) == (studio.marco.id, studio.lucia.id)

    await scheduling.change_slot(
        session,
        studio.admin,
        slot.id,
        data=SlotChange(effective_from=date(2026, 12, 7), start_time=time(17)),
        today=TODAY,
    )
    rows = {r.date: r for r in await classes(session, studio.salsa)}
    assert rows[date(2026, 12, 14)].teacher_id == studio.marco.id  # still the substitute
    assert rows[date(2026, 12, 21)].teacher_id == studio.lucia.id
    assert {r.start_time for d, r in rows.items() if d >= date(2026, 12, 7)} == {time(17)}
    assert rows[date(2026, 11, 30)].start_time == time(18)


async def test_moving_to_another_weekday_cancels_the_old_dates_and_generates_the_new(
    session: AsyncSession,
) -> None:
    studio = await build_studio(session)
    slot = await weekly(session, studio, studio.salsa, weekday=MON, valid_from=date(2026, 11, 30))
    await scheduling.generate(session, studio.admin, today=TODAY, until=date(2026, 12, 21))
    await scheduling.change_slot(
        session,
        studio.admin,
        slot.id,
        data=SlotChange(effective_from=date(2026, 12, 7), weekday=WED),
        today=TODAY,
    )
    rows = await classes(session, studio.salsa)
    assert [(r.date, r.status) for r in rows] == [
        (date(2026, 11, 30), SessionStatus.SCHEDULED),
        (date(2026, 12, 7), SessionStatus.CANCELLED),
        (date(2026, 12, 9), SessionStatus.SCHEDULED),
        (date(2026, 12, 14), SessionStatus.CANCELLED),
        (date(2026, 12, 16), SessionStatus.SCHEDULED),
        (date(2026, 12, 21), SessionStatus.CANCELLED),
        (date(2026, 12, 23), SessionStatus.SCHEDULED),
    ]
    assert rows[1].cancel_reason == "Moved to Wednesdays from 2026-12-07"


async def test_changes_cannot_reach_into_the_past(session: AsyncSession) -> None:
    studio = await build_studio(session)
    slot = await weekly(session, studio, studio.salsa, weekday=MON, valid_from=date(2026, 11, 2))
    with pytest.raises(Invalid):
        await scheduling.change_slot(
            session,
            studio.admin,
            slot.id,
            data=SlotChange(effective_from=date(2026, 11, 9), start_time=time(17)),
            today=TODAY,
        )
    with pytest.raises(Invalid):
        await scheduling.change_slot(
            session,
            studio.admin,
            slot.id,
            data=SlotChange(effective_from=TODAY, start_time=time(20)),
            today=TODAY,
        )  # 20:00 would end before it starts (19:00)
    assert (await scheduling.get_slot(session, studio.admin, slot.id)).valid_until is None  # nothing changed
