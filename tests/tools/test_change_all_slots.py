"""change_schedule when a group meets on several days and only its venue or teacher changes: people mean
every weekly class ("from January Tap Improvers moves to Studio Centro", "Sofía takes over Zouk Advanced
from 2 December"), so the change applies to all of the group's slots from the date, said in the preview in
the language asked. A time change still names one weekly class. Applied through the runner, as the
copilot, REST and MCP do: preview (`execute`), then `confirm` — once, by the office, history kept.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from channels.embedded import DatabaseUrls
from domain.actions.models import PendingAction
from domain.audit.models import AuditEntry
from domain.db import create_engine, session_factory, unit_of_work
from domain.errors import Conflict, Forbidden
from domain.groups.models import Group
from domain.scheduling import service as scheduling
from domain.scheduling.group_changes import change_group_slots
from domain.scheduling.models import GroupSlot
from domain.scheduling.schemas import GroupChange, SlotChange
from domain.sessions.models import ClassSession, SessionStatus
from domain.teachers import service as teachers
from domain.teachers.models import Teacher, TeacherPaymentType
from domain.teachers.schemas import TeacherIn
from domain.tenancy import TenantContext
from domain.venues import service as venues
from domain.venues.models import Venue
from domain.venues.schemas import VenueIn
from tests.committed import committed_database
from tests.conftest import REPORT
from tests.domain.studio import Studio, build_studio
from tests.scheduling.helpers import stored, weekly
from tools import runner
from tools.base import NeedsClarification, ToolContext

TUE, WED = 1, 2
TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 20, tzinfo=UTC)
JANUARY = date(2027, 1, 7)  # a Thursday: the group meets on neither day, and that is fine
CONCURRENT = 6


@dataclass
class Twice:
    """Salsa Beginners on Tuesdays and Wednesdays 19:00–20:00 at Studio Centro with Lucía, classes
    generated to the end of January; another venue and a third teacher to move to."""

    studio: Studio
    tuesday: GroupSlot
    wednesday: GroupSlot
    north: Venue
    sofia: Teacher


async def twice_a_week(session: AsyncSession) -> Twice:
    studio = await build_studio(session)
    slots = [
        await weekly(
            session,
            studio,
            studio.salsa,
            weekday=day,
            at=time(19),
            until=time(20),
            valid_from=date(2026, 11, 3),
        )
        for day in (TUE, WED)
    ]
    await scheduling.generate(session, studio.admin, today=date(2026, 11, 3), until=date(2027, 1, 31))
    north = await venues.create_venue(session, studio.admin, data=VenueIn(name="Sala Norte"))
    sofia = await teachers.create_teacher(
        session,
        studio.admin,
        data=TeacherIn(
            full_name="Sofía Castro",
            payment_type=TeacherPaymentType.PER_CLASS,
            rate_per_class=Decimal("40.00"),
        ),
    )
    return Twice(studio, slots[0], slots[1], north, sofia)


def ctx(session: AsyncSession, tenant: TenantContext, language: str = "en") -> ToolContext:
    return ToolContext(session=session, tenant=tenant, today=TODAY, now=NOW, language=language)


async def scheduled_from(session: AsyncSession, group: Group, start: date) -> list[ClassSession]:
    rows = await session.scalars(
        select(ClassSession)
        .where(
            ClassSession.group_id == group.id,
            ClassSession.date >= start,
            ClassSession.status == SessionStatus.SCHEDULED,
        )
        .order_by(ClassSession.date)
    )
    return list(rows.all())


async def count(session: AsyncSession, model: type[object]) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_venue_change_of_a_group_that_meets_twice_moves_every_weekly_class_from_the_date(
    session: AsyncSession,
) -> None:
    world = await twice_a_week(session)
    salsa = world.studio.salsa
    before = await stored(session, salsa)
    following = await scheduled_from(session, salsa, JANUARY)
    assert [r.date.day for r in following] == [12, 13, 19, 20, 26, 27]

    proposed = await runner.execute(
        ctx(session, world.studio.admin),
        "change_schedule",
        {"group": "salsa beginners", "effective_from": JANUARY.isoformat(), "venue": "sala norte"},
    )
    assert proposed.pending is not None
    assert proposed.pending.preview == (
        "From 2027-01-07, Salsa Beginners (Tuesdays and Wednesdays) is at Sala Norte; "
        "6 scheduled classes follow the change, earlier ones stay as they were."
    )
    assert await stored(session, salsa) == before  # previewing changed nothing

    done = await runner.confirm(ctx(session, world.studio.admin), proposed.pending.id)
    assert done.text == (
        "Schedule changed from 2027-01-07 for every weekly class of Salsa Beginners "
        "(Tuesdays and Wednesdays); 6 scheduled classes follow."
    )
    after = await stored(session, salsa)
    earlier = [i for i, r in before.items() if r["date"] < JANUARY]
    assert len(earlier) == 20 and all(after[i] == before[i] for i in earlier)  # history byte-identical
    assert {after[r.id]["venue_id"] for r in following} == {world.north.id}
    assert {after[r.id]["start_time"] for r in following} == {time(19)}  # only the venue changed
    # Each weekly slot was split at the date, not rewritten: the old ones end the day before.
    slots = (await session.scalars(select(GroupSlot).where(GroupSlot.group_id == salsa.id))).all()
    old = {s.id: s for s in slots if s.replaces_slot_id is None}
    new = [s for s in slots if s.replaces_slot_id is not None]
    assert {s.valid_until for s in old.values()} == {date(2027, 1, 6)}
    assert sorted((s.weekday, s.valid_from, s.venue_id, s.replaces_slot_id) for s in new) == sorted(
        [
            (TUE, JANUARY, world.north.id, world.tuesday.id),
            (WED, JANUARY, world.north.id, world.wednesday.id),
        ]
    )
    # Generation later continues from the new slots at the new venue, without duplicates.
    again = await scheduling.generate(session, world.studio.admin, today=TODAY, until=date(2027, 2, 28))
    february = await scheduled_from(session, salsa, date(2027, 2, 1))
    assert again.created == len(february) == 8 and {r.venue_id for r in february} == {world.north.id}


async def test_a_new_teacher_for_good_is_said_in_spanish_and_a_substitute_keeps_their_one_date(
    session: AsyncSession,
) -> None:
    world = await twice_a_week(session)
    salsa, start = world.studio.salsa, date(2026, 12, 2)
    covered = next(r for r in await scheduled_from(session, salsa, start) if r.date == date(2026, 12, 15))
    await scheduling.assign_substitute(
        session, world.studio.admin, covered.id, teacher_id=world.studio.marco.id
    )
    following = await scheduled_from(session, salsa, start)
    earlier = {i: r for i, r in (await stored(session, salsa)).items() if r["date"] < start}

    proposed = await runner.execute(
        ctx(session, world.studio.admin, "es"),
        "change_schedule",
        {"group": "Salsa Beginners", "effective_from": start.isoformat(), "teacher": "Sofía Castro"},
    )
    assert proposed.pending is not None
    assert proposed.pending.preview == (
        f"Desde el 2 dic 2026, las clases de Salsa Beginners (martes y miércoles) serán con Sofía Castro; "
        f"{len(following)} clases programadas siguen el cambio y las anteriores se quedan como estaban."
    )
    assert len(following) == 17  # every Tuesday and Wednesday from 2 December to 27 January

    done = await runner.confirm(ctx(session, world.studio.admin, "es"), proposed.pending.id)
    assert done.text == (
        "Horario cambiado desde el 2 dic 2026 en todas las clases semanales de Salsa Beginners "
        "(martes y miércoles); 17 clases programadas siguen el cambio."
    )
    teachers_now = {r.date: r.teacher_id for r in await scheduled_from(session, salsa, start)}
    assert teachers_now.pop(date(2026, 12, 15)) == world.studio.marco.id  # the substitute stays
    assert set(teachers_now.values()) == {world.sofia.id}
    after = await stored(session, salsa)
    assert all(after[i] == row for i, row in earlier.items())


async def test_a_time_change_still_asks_which_weekly_class(session: AsyncSession) -> None:
    """Regression guard (passed before the change too): a new time belongs to one weekly class."""
    world = await twice_a_week(session)
    for change in ({"start_time": "20:00"}, {"start_time": "20:00", "venue": "Sala Norte"}):
        with pytest.raises(NeedsClarification) as asked:
            await runner.execute(
                ctx(session, world.studio.admin),
                "change_schedule",
                {"group": "Salsa Beginners", "effective_from": JANUARY.isoformat(), **change},
            )
        assert asked.value.question == (
            "Salsa Beginners meets on Tuesdays and Wednesdays; say the first date of the class that changes."
        )
    assert await count(session, PendingAction) == 0


async def test_a_teacher_cannot_move_a_group_and_the_office_can(session: AsyncSession) -> None:
    world = await twice_a_week(session)
    args = {"group": "Salsa Beginners", "effective_from": JANUARY.isoformat(), "venue": "Sala Norte"}
    before = await stored(session, world.studio.salsa)
    with pytest.raises(Forbidden):  # Lucía teaches Salsa Beginners, and still may not move it
        await runner.execute(ctx(session, world.studio.teacher), "change_schedule", args)
    with pytest.raises(Forbidden):  # nor through the service itself
        await change_group_slots(
            session,
            world.studio.teacher,
            group_id=world.studio.salsa.id,
            data=GroupChange(effective_from=JANUARY, venue_id=world.north.id),
            today=TODAY,
        )
    assert await count(session, PendingAction) == 0
    assert await stored(session, world.studio.salsa) == before

    # Positive control: the office (staff, not only the admin) previews and applies it.
    proposed = await runner.execute(ctx(session, world.studio.staff), "change_schedule", args)
    assert (
        proposed.pending is not None
        and "(Tuesdays and Wednesdays) is at Sala Norte" in proposed.pending.preview
    )
    await runner.confirm(ctx(session, world.studio.staff), proposed.pending.id)
    assert {r.venue_id for r in await scheduled_from(session, world.studio.salsa, JANUARY)} == {
        world.north.id
    }


async def test_confirming_twice_changes_once_and_a_stale_preview_changes_nothing(
    session: AsyncSession,
) -> None:
    world = await twice_a_week(session)
    admin, salsa = world.studio.admin, world.studio.salsa
    args = {"group": "Salsa Beginners", "effective_from": JANUARY.isoformat(), "venue": "Sala Norte"}
    proposed = await runner.execute(ctx(session, admin), "change_schedule", args)
    assert proposed.pending is not None
    await runner.confirm(ctx(session, admin), proposed.pending.id)
    after_first = await stored(session, salsa)
    slots, audits = await count(session, GroupSlot), await count(session, AuditEntry)

    again = await runner.confirm(ctx(session, admin), proposed.pending.id)
    assert again.text.startswith("Already done") and "Schedule changed from 2027-01-07" in again.text
    assert (await stored(session, salsa), await count(session, GroupSlot)) == (after_first, slots)
    assert await count(session, AuditEntry) == audits

    # A preview made before someone else changed one of the weekly classes is refused at confirm.
    stale = await runner.execute(ctx(session, admin), "change_schedule", {**args, "teacher": "Marco"})
    assert stale.pending is not None
    wednesday = next(
        s
        for s in await scheduling.list_slots(session, admin, group_id=salsa.id, on=JANUARY)
        if s.weekday == WED
    )
    await scheduling.change_slot(
        session,
        admin,
        wednesday.id,
        data=SlotChange(effective_from=date(2027, 1, 13), start_time=time(20), end_time=time(21)),
        today=TODAY,
    )
    before_confirm = await stored(session, salsa)
    with pytest.raises(Conflict) as refused:
        await runner.confirm(ctx(session, admin), stale.pending.id)
    assert "changed since the preview" in refused.value.message
    assert await stored(session, salsa) == before_confirm


@dataclass
class Committed:
    urls: DatabaseUrls
    admin: TenantContext
    salsa_id: uuid.UUID
    north_id: uuid.UUID


@pytest.fixture(scope="module")
def committed(database_urls: DatabaseUrls) -> Iterator[Committed]:
    """A studio committed to its own database: concurrent confirmations need real transactions."""
    urls = committed_database("cadence_change_all_slots_test")

    async def seed() -> Committed:
        engine = create_engine(urls.app)
        try:
            async with session_factory(engine)() as session:
                world = await twice_a_week(session)
                await session.commit()
                return Committed(urls, world.studio.admin, world.studio.salsa.id, world.north.id)
        finally:
            await engine.dispose()

    yield asyncio.run(seed())


async def test_confirmations_pressed_at_the_same_moment_move_the_group_once(committed: Committed) -> None:
    engine = create_engine(committed.urls.app)
    sessions = session_factory(engine)
    admin = committed.admin
    try:
        async with unit_of_work(sessions, admin) as session:
            proposed = await runner.execute(
                ctx(session, admin),
                "change_schedule",
                {"group": "Salsa Beginners", "effective_from": JANUARY.isoformat(), "venue": "Sala Norte"},
            )
            assert proposed.pending is not None
            action = proposed.pending.id

        async def confirm_once() -> str:
            try:
                async with unit_of_work(sessions, admin) as session:
                    return (await runner.confirm(ctx(session, admin), action)).text
            except Exception as exc:  # an answer too; anything unexpected fails the counts below
                return f"{type(exc).__name__}: {exc}"

        answers = await asyncio.gather(*(confirm_once() for _ in range(CONCURRENT)))
        assert sum(a.startswith("Schedule changed from 2027-01-07") for a in answers) == 1, answers
        assert sum(a.startswith("Already done") for a in answers) == CONCURRENT - 1, answers
        async with unit_of_work(sessions, admin) as session:
            slots = (
                await session.scalars(select(GroupSlot).where(GroupSlot.group_id == committed.salsa_id))
            ).all()
            assert len(slots) == 4  # two weekly classes, each split once
            changed = await session.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "slot.changed")
            )
            assert changed == 2
            moved = await session.scalars(
                select(ClassSession.venue_id).where(
                    ClassSession.group_id == committed.salsa_id, ClassSession.date >= JANUARY
                )
            )
            assert set(moved.all()) == {committed.north_id}
    finally:
        await engine.dispose()
    REPORT["concurrent confirms (change every weekly class)"] = f"{CONCURRENT} at once -> 1 change"


async def test_a_date_in_the_past_is_refused_when_asked_and_nothing_is_proposed(
    session: AsyncSession,
) -> None:
    world = await twice_a_week(session)
    before = await stored(session, world.studio.salsa)
    asked = await runner.call(
        ctx(session, world.studio.admin),
        "change_schedule",
        {"group": "Salsa Beginners", "effective_from": "2026-11-24", "venue": "Sala Norte"},
    )
    assert asked.output.text == "A change takes effect today or later; past classes stay as they were."
    assert asked.output.data == {"error": "invalid"} and asked.pending is None
    assert await count(session, PendingAction) == 0
    assert await stored(session, world.studio.salsa) == before
    # The control: from today it is proposed.
    today = await runner.call(
        ctx(session, world.studio.admin),
        "change_schedule",
        {"group": "Salsa Beginners", "effective_from": TODAY.isoformat(), "venue": "Sala Norte"},
    )
    assert today.pending is not None


async def test_moving_a_group_where_it_already_is_asks_instead_of_proposing_nothing(
    session: AsyncSession,
) -> None:
    world = await twice_a_week(session)
    said = {"group": "Salsa Beginners", "effective_from": JANUARY.isoformat()}
    for already, language, question in [
        (
            {"venue": "Studio Centro"},
            "en",
            "Salsa Beginners (Tuesdays and Wednesdays) is already at Studio Centro; what should change?",
        ),
        (
            {"venue": "Studio Centro", "teacher": "Lucía"},
            "es",
            "Las clases de Salsa Beginners (martes y miércoles) ya son en Studio Centro y con Lucía Romero; "
            "¿qué cambia?",
        ),
    ]:
        with pytest.raises(NeedsClarification) as asked:
            await runner.execute(
                ctx(session, world.studio.admin, language), "change_schedule", said | already
            )
        assert asked.value.question == question
    assert await count(session, PendingAction) == 0
    # The control: a venue it is not at yet, with the teacher it already has, is proposed (the teacher
    # said again changes nothing and is no reason to refuse).
    moved = await runner.execute(
        ctx(session, world.studio.admin),
        "change_schedule",
        said | {"venue": "Sala Norte", "teacher": "Lucía"},
    )
    assert moved.pending is not None
