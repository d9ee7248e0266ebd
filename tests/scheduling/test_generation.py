"""Generating classes from weekly slots: local times across DST, holidays and closures skipped,
idempotent, nothing for paused groups, never touching what was held or cancelled."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from domain.db import use_tenant
from domain.errors import Invalid
from domain.groups import service as groups
from domain.groups.models import GroupStatus
from domain.groups.schemas import GroupIn
from domain.scheduling import service as scheduling
from domain.scheduling.schemas import ClosureIn
from domain.sessions import service as class_sessions
from domain.sessions.models import SessionStatus
from domain.venues import service as venues
from domain.venues.schemas import VenueIn
from tests.domain.studio import build_studio
from tests.scheduling.helpers import classes, weekly

MON, TUE = 0, 1


async def test_weekly_classes_keep_their_local_time_across_the_clock_change(session: AsyncSession) -> None:
    studio = await build_studio(session)
    await weekly(session, studio, studio.salsa, weekday=MON, valid_from=date(2026, 10, 12))
    # Madrid leaves summer time on Sunday 25 October 2026.
    result = await scheduling.generate(
        session, studio.admin, today=date(2026, 10, 12), until=date(2026, 11, 2)
    )
    rows = await classes(session, studio.salsa)
    assert result.created == 4
    assert [(r.date, r.start_time, r.end_time) for r in rows] == [
        (date(2026, 10, 12), time(18), time(19)),
        (date(2026, 10, 19), time(18), time(19)),
        (date(2026, 10, 26), time(18), time(19)),
        (date(2026, 11, 2), time(18), time(19)),
    ]
    assert all(r.slot_id is not None and r.teacher_id == studio.lucia.id for r in rows)


async def test_running_twice_creates_nothing_new_and_a_paused_group_generates_nothing(
    session: AsyncSession,
) -> None:
    studio = await build_studio(session)
    await weekly(session, studio, studio.salsa, weekday=MON, valid_from=date(2026, 11, 30))
    await weekly(session, studio, studio.bachata, weekday=TUE, valid_from=date(2026, 11, 30))
    await groups.change_group_status(
        session, studio.admin, studio.bachata.id, status=GroupStatus.PAUSED, reason="summer"
    )
    first = await scheduling.generate(
        session, studio.admin, today=date(2026, 11, 30), until=date(2026, 12, 27)
    )
    again = await scheduling.generate(
        session, studio.admin, today=date(2026, 11, 30), until=date(2026, 12, 27)
    )
    assert (first.created, again.created, again.already_there) == (4, 0, 4)
    assert len(await classes(session, studio.salsa)) == 4
    assert await classes(session, studio.bachata) == []
    # Positive control: the same group, active again, does generate.
    await groups.change_group_status(
        session, studio.admin, studio.bachata.id, status=GroupStatus.ACTIVE, reason=None
    )
    resumed = await scheduling.generate(
        session, studio.admin, today=date(2026, 11, 30), until=date(2026, 12, 27)
    )
    assert resumed.created == 4 and len(await classes(session, studio.bachata)) == 4


async def test_default_horizon_every_other_week_and_bad_ranges(session: AsyncSession) -> None:
    studio = await build_studio(session)
    await weekly(session, studio, studio.salsa, weekday=MON, valid_from=date(2026, 11, 30), every=2)
    result = await scheduling.generate(session, studio.admin, today=date(2026, 11, 30))
    assert result.until == date(2026, 12, 28)  # 4 weeks
    assert [r.date for r in await classes(session, studio.salsa)] == [
        date(2026, 11, 30),
        date(2026, 12, 14),
        date(2026, 12, 28),
    ]
    with pytest.raises(Invalid):
        await scheduling.generate(session, studio.admin, today=date(2026, 11, 30), until=date(2026, 11, 1))


async def test_public_holidays_and_venue_closures_are_skipped(session: AsyncSession) -> None:
    studio = await build_studio(session)  # Spain, Europe/Madrid
    annex = await venues.create_venue(session, studio.admin, data=VenueIn(name="Annex"))
    tango = await groups.create_group(
        session, studio.admin, data=GroupIn(name="Tango", venue_id=annex.id, teacher_id=studio.marco.id)
    )
    await weekly(session, studio, studio.salsa, weekday=TUE, valid_from=date(2026, 12, 1))
    await weekly(session, studio, tango, weekday=TUE, valid_from=date(2026, 12, 1))
    await scheduling.add_closure(
        session,
        studio.admin,
        data=ClosureIn(start_date=date(2026, 12, 15), venue_id=annex.id, reason="Floor repairs"),
        today=date(2026, 11, 30),
    )
    # Holidays are opt-in: without it, 8 December (a national holiday) is generated.
    off = await scheduling.generate(session, studio.admin, today=date(2026, 11, 30), until=date(2026, 12, 8))
    assert date(2026, 12, 8) in [r.date for r in await classes(session, studio.salsa)] and off.closed == 0

    studio.org.public_holidays = True
    other = await build_studio(session)
    other.org.public_holidays = True
    await use_tenant(session, other.admin)
    await weekly(session, other, other.salsa, weekday=TUE, valid_from=date(2026, 12, 1))
    result = await scheduling.generate(
        session, other.admin, today=date(2026, 11, 30), until=date(2026, 12, 22)
    )
    assert [r.date for r in await classes(session, other.salsa)] == [
        date(2026, 12, 1),
        date(2026, 12, 15),
        date(2026, 12, 22),
    ]
    assert result.closed == 1  # Inmaculada Concepción

    await use_tenant(session, studio.admin)
    await scheduling.generate(session, studio.admin, today=date(2026, 11, 30), until=date(2026, 12, 22))
    # The 8th was generated before the studio opted in to holidays; the 15th is the annex's closure.
    assert [r.date for r in await classes(session, tango)] == [
        date(2026, 12, 1),
        date(2026, 12, 8),
        date(2026, 12, 22),
    ]
    assert date(2026, 12, 15) in [r.date for r in await classes(session, studio.salsa)]  # other venue: open


async def test_a_closure_added_later_cancels_exactly_the_future_scheduled_classes(
    session: AsyncSession,
) -> None:
    studio = await build_studio(session)
    await weekly(session, studio, studio.salsa, weekday=MON, valid_from=date(2026, 11, 2))
    await weekly(session, studio, studio.bachata, weekday=TUE, valid_from=date(2026, 11, 2))
    await scheduling.generate(session, studio.admin, today=date(2026, 11, 2), until=date(2026, 12, 31))
    held = next(r for r in await classes(session, studio.salsa) if r.date == date(2026, 11, 23))
    await class_sessions.mark_held(session, studio.admin, held.id, today=date(2026, 11, 24))

    closure, cancelled = await scheduling.add_closure(
        session,
        studio.admin,
        data=ClosureIn(start_date=date(2026, 11, 20), end_date=date(2026, 12, 8), reason="Christmas fair"),
        today=date(2026, 11, 26),
    )
    rows = await classes(session, studio.salsa) + await classes(session, studio.bachata)
    hit = {(r.date, r.status) for r in rows if r.status is SessionStatus.CANCELLED}
    assert hit == {
        (date(2026, 11, 30), SessionStatus.CANCELLED),
        (date(2026, 12, 1), SessionStatus.CANCELLED),
        (date(2026, 12, 7), SessionStatus.CANCELLED),
        (date(2026, 12, 8), SessionStatus.CANCELLED),
    }
    assert cancelled == 4
    assert all(
        r.cancel_reason == "Closed: Christmas fair" for r in rows if r.status is SessionStatus.CANCELLED
    )
    assert held.status is SessionStatus.HELD  # history stays
    # Before today (the 24th) and after the closure: untouched.
    untouched = [r for r in rows if r.date in (date(2026, 11, 24), date(2026, 12, 14), date(2026, 12, 15))]
    assert len(untouched) == 3 and all(r.status is SessionStatus.SCHEDULED for r in untouched)
    assert closure.end_date == date(2026, 12, 8)

    # Generating again does not bring cancelled classes back.
    again = await scheduling.generate(
        session, studio.admin, today=date(2026, 11, 26), until=date(2026, 12, 31)
    )
    assert again.created == 0
