"""Tools over real services: reads render facts; writes wait for confirmation and run exactly once."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.actions.models import ActionStatus, PendingAction
from domain.actions.service import ActionExpired
from domain.attendance.models import AttendanceRecord
from domain.db import unit_of_work, use_tenant
from domain.errors import Conflict, Forbidden
from domain.groups import service as groups
from domain.groups.schemas import GroupIn
from domain.payments import service as payments
from domain.sessions import service as sessions
from domain.sessions.schemas import SessionIn
from domain.tenancy import TenantContext
from tests.domain.studio import Studio, build_studio
from tools import runner
from tools.base import ToolContext
from tools.catalog import CATALOG, offered_to, schema

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 20, tzinfo=UTC)


def ctx(session: AsyncSession, tenant: TenantContext, now: datetime = NOW) -> ToolContext:
    return ToolContext(session=session, tenant=tenant, today=now.date(), now=now)


async def marks(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(AttendanceRecord)) or 0)


async def salsa_today(session: AsyncSession, studio: Studio) -> None:
    await sessions.create_session(
        session, studio.admin, data=SessionIn(group_id=studio.salsa.id, date=TODAY, start_time=time(19))
    )


async def test_a_read_tool_renders_the_same_facts_every_time(session: AsyncSession) -> None:
    studio = await build_studio(session)
    await payments.generate_tuition(session, studio.admin, month=TODAY, today=TODAY)
    first = await runner.call(ctx(session, studio.staff), "unpaid_students", {})
    again = await runner.call(ctx(session, studio.staff), "unpaid_students", {})
    assert first.output.text == again.output.text
    assert first.output.text.startswith(
        "3 students haven't paid November 2026 in full, 135.00 EUR outstanding"
    )
    assert "- José Martínez: 45.00 EUR (overdue, 19 days late)" in first.output.text
    assert first.output.data["total_outstanding"] == "135.00"


async def test_names_are_resolved_or_the_user_is_asked(session: AsyncSession) -> None:
    studio = await build_studio(session)
    roster = await runner.call(ctx(session, studio.teacher), "group_roster", {"group": "salsa beginers"})
    assert roster.output.text.splitlines()[0] == f"Salsa Beginners on {TODAY.isoformat()}: 3 students"
    await groups.create_group(session, studio.admin, data=GroupIn(name="Salsa Improvers"))
    ambiguous = await runner.call(ctx(session, studio.teacher), "group_roster", {"group": "salsa"})
    assert ambiguous.clarification == ["Salsa Beginners", "Salsa Improvers"]
    assert ambiguous.output.text == "Which group do you mean: Salsa Beginners or Salsa Improvers?"
    unknown = await runner.call(ctx(session, studio.teacher), "group_roster", {"group": "Tango"})
    assert unknown.output.text == "I couldn't find a group called “Tango”."


async def test_a_write_is_only_proposed_until_confirmed_then_applied_once(session: AsyncSession) -> None:
    studio = await build_studio(session)
    await salsa_today(session, studio)
    proposed = await runner.call(
        ctx(session, studio.teacher), "mark_attendance", {"group": "Salsa", "absent": ["jose"]}
    )
    assert proposed.pending is not None
    assert proposed.output.text == (
        "Mark attendance for Salsa Beginners on 2026-11-24: 2 present, absent: José Martínez."
        " Confirm to apply."
    )
    assert await marks(session) == 0  # nothing written before confirmation
    done = await runner.confirm(ctx(session, studio.teacher), proposed.pending.id)
    assert done.text.startswith("Done: 3 marks recorded") and await marks(session) == 3
    twice = await runner.confirm(ctx(session, studio.teacher), proposed.pending.id)
    assert twice.text.startswith("Already done earlier") and await marks(session) == 3


async def test_confirmation_survives_a_restart_and_belongs_to_its_user(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with unit_of_work(sessions) as session:
        studio = await build_studio(session)
        await salsa_today(session, studio)
    async with unit_of_work(sessions, studio.teacher) as session:
        proposed = await runner.call(ctx(session, studio.teacher), "mark_attendance", {"group": "Salsa"})
        assert proposed.pending is not None
        action_id = proposed.pending.id
    # A new session, as after a restart: the pending action is in the database, not in memory.
    async with unit_of_work(sessions, studio.admin) as session:
        with pytest.raises(Forbidden):
            await runner.confirm(ctx(session, studio.admin), action_id)  # someone else's action
    async with unit_of_work(sessions, studio.teacher) as session:
        assert await marks(session) == 0
        await runner.confirm(ctx(session, studio.teacher), action_id)
    async with unit_of_work(sessions, studio.teacher) as session:
        await runner.confirm(ctx(session, studio.teacher), action_id)
        assert await marks(session) == 3


async def test_expired_and_cancelled_actions_change_nothing(session: AsyncSession) -> None:
    studio = await build_studio(session)
    await salsa_today(session, studio)
    late = await runner.call(ctx(session, studio.teacher), "mark_attendance", {"group": "Salsa"})
    assert late.pending is not None
    with pytest.raises(ActionExpired):
        await runner.confirm(ctx(session, studio.teacher, NOW + timedelta(minutes=16)), late.pending.id)
    assert late.pending.status is ActionStatus.EXPIRED and await marks(session) == 0
    dropped = await runner.call(ctx(session, studio.teacher), "mark_attendance", {"group": "Salsa"})
    assert dropped.pending is not None
    await runner.cancel(ctx(session, studio.teacher), dropped.pending.id)
    with pytest.raises(Conflict):
        await runner.confirm(ctx(session, studio.teacher), dropped.pending.id)
    assert await marks(session) == 0


async def test_a_teacher_cannot_propose_marks_for_someone_elses_class(session: AsyncSession) -> None:
    studio = await build_studio(session)
    await sessions.create_session(
        session, studio.admin, data=SessionIn(group_id=studio.bachata.id, date=TODAY)
    )
    refused = await runner.call(ctx(session, studio.teacher), "mark_attendance", {"group": "Bachata"})
    assert refused.pending is None and refused.output.data == {"error": "forbidden"}
    assert await session.scalar(select(func.count()).select_from(PendingAction)) == 0
    assert "unpaid_students" not in {t.name for t in offered_to(studio.teacher)}
    assert "unpaid_students" in {t.name for t in offered_to(studio.staff)}
    teacher_asks = await runner.call(ctx(session, studio.teacher), "unpaid_students", {})
    assert teacher_asks.output.data == {"error": "forbidden"}  # enforced by the service, not the prompt


async def test_every_tool_has_a_compact_schema_and_bad_arguments_are_explained(session: AsyncSession) -> None:
    for tool in CATALOG.values():
        spec = schema(tool)
        assert spec["name"] == tool.name and spec["description"] and spec["parameters"]["type"] == "object"
    studio = await build_studio(session)
    bad = await runner.call(ctx(session, studio.staff), "unpaid_students", {"month": "November"})
    assert bad.output.data == {"error": "invalid"} and "month" in bad.output.text


async def test_recording_a_payment_goes_through_confirmation(session: AsyncSession) -> None:
    from domain.payments.models import Payment

    studio = await build_studio(session)
    await payments.generate_tuition(session, studio.admin, month=TODAY, today=TODAY)
    proposed = await runner.call(
        ctx(session, studio.staff),
        "record_payment",
        {"student": "Sofia Lopez", "amount": "50", "method": "cash"},
    )
    assert proposed.pending is not None
    assert proposed.output.text == (
        "Record a cash payment of 50.00 from Sofía López received 2026-11-24, covering 45.00 of 45.00 owed."
        " Confirm to apply."
    )
    assert await session.scalar(select(func.count()).select_from(Payment)) == 0
    done = await runner.confirm(ctx(session, studio.staff), proposed.pending.id)
    assert done.text == "Recorded 50.00; 1 charges paid, 5.00 kept as credit."
    assert await session.scalar(select(func.count()).select_from(Payment)) == 1
    teacher_try = await runner.call(
        ctx(session, studio.teacher), "record_payment", {"student": "Ana", "amount": "1"}
    )
    assert teacher_try.pending is None and teacher_try.output.data == {"error": "forbidden"}


async def test_payout_preview_tool_shows_a_teacher_only_their_own(session: AsyncSession) -> None:
    studio = await build_studio(session)
    everyone = await runner.call(ctx(session, studio.admin), "payout_preview", {"month": "2026-10"})
    assert everyone.output.text.startswith("Payouts for October 2026:")
    assert {t["teacher_name"] for t in everyone.output.data["teachers"]} == {"Lucía Romero", "Marco Bianchi"}
    own = await runner.call(ctx(session, studio.teacher), "payout_preview", {"month": "2026-10"})
    assert [t["teacher_name"] for t in own.output.data["teachers"]] == ["Lucía Romero"]
    other = await runner.call(
        ctx(session, studio.teacher), "payout_preview", {"month": "2026-10", "teacher": "Marco"}
    )
    assert other.output.data == {"error": "forbidden"}


async def test_schedule_and_cancelling_a_class(session: AsyncSession) -> None:
    studio = await build_studio(session)
    await salsa_today(session, studio)
    nextweek = TODAY + timedelta(days=7)
    await sessions.create_session(
        session, studio.admin, data=SessionIn(group_id=studio.salsa.id, date=nextweek, start_time=time(19))
    )
    await sessions.create_session(
        session, studio.admin, data=SessionIn(group_id=studio.bachata.id, date=TODAY, start_time=time(20))
    )
    today = await runner.call(ctx(session, studio.admin), "schedule", {})
    assert today.output.text == (
        "2 classes on 2026-11-24:\n- 2026-11-24 19:00 Salsa Beginners with Lucía Romero\n"
        "- 2026-11-24 20:00 Bachata Improvers with Marco Bianchi"
    )
    teachers_own = await runner.call(ctx(session, studio.teacher), "schedule", {})
    assert teachers_own.output.text == (
        "1 class on 2026-11-24:\n- 2026-11-24 19:00 Salsa Beginners with Lucía Romero"
    )
    lucias_week = await runner.call(
        ctx(session, studio.admin), "schedule", {"week": True, "teacher": "lucia"}
    )
    assert lucias_week.output.text.startswith("1 class taught by Lucía Romero from 2026-11-23 to 2026-11-29:")
    proposed = await runner.call(
        ctx(session, studio.teacher),
        "cancel_session",
        {"group": "salsa", "date": nextweek.isoformat(), "reason": "Teacher ill"},
    )
    assert proposed.pending is not None
    assert proposed.output.text.startswith("Cancel Salsa Beginners on 2026-12-01 (reason: Teacher ill)")
    listed = await sessions.list_sessions(session, studio.admin, start=nextweek, end=nextweek)
    assert [s.status.value for s in listed] == ["scheduled"]  # not yet
    await runner.confirm(ctx(session, studio.teacher), proposed.pending.id)
    assert [
        s.status.value
        for s in await sessions.list_sessions(session, studio.admin, start=nextweek, end=nextweek)
    ] == ["cancelled"]
    again = await runner.call(
        ctx(session, studio.teacher),
        "cancel_session",
        {"group": "salsa", "date": nextweek.isoformat(), "reason": "x"},
    )
    assert again.pending is None and "no scheduled class" in again.output.text


async def test_tools_only_see_the_callers_organization(session: AsyncSession) -> None:
    mine = await build_studio(session, names=("Ana García",))
    theirs = await build_studio(session, names=("Zoe Zimmermann",))
    await groups.create_group(session, theirs.admin, data=GroupIn(name="Tango Nights"))
    await use_tenant(session, mine.admin)
    asked = await runner.call(ctx(session, mine.admin), "group_roster", {"group": "Tango Nights"})
    assert asked.output.text == "I couldn't find a group called “Tango Nights”."
    paying = await runner.call(
        ctx(session, mine.staff), "record_payment", {"student": "Zoe Zimmermann", "amount": "5"}
    )
    assert paying.pending is None and "couldn't find" in paying.output.text
    await use_tenant(session, theirs.admin)
    found = await runner.call(ctx(session, theirs.admin), "group_roster", {"group": "Tango Nights"})
    assert found.output.text.startswith("Tango Nights on")  # control: its own organization sees it
