"""Payout previews, approval, adjustments and who may see what, on PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from domain.attendance import service as attendance
from domain.attendance.models import AttendanceStatus
from domain.errors import Conflict, Forbidden, Invalid
from domain.payouts import service as payouts
from domain.payouts.schemas import PayoutPreview, TeacherPayoutPreview
from domain.sessions import service as sessions
from domain.sessions.models import ClassSession
from domain.sessions.schemas import SessionIn
from domain.teachers import service as teachers
from domain.teachers.models import Teacher
from domain.teachers.schemas import TeacherUpdate
from tests.domain.studio import Studio, build_studio

D = Decimal
OCT_1, OCT_31, NOV_1, NOV_30 = date(2026, 10, 1), date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 30)
TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


async def held_class(
    session: AsyncSession, studio: Studio, day: date, *, absent: int = 0, teacher_id: uuid.UUID | None = None
) -> ClassSession:
    class_session = await sessions.create_session(
        session,
        studio.admin,
        data=SessionIn(group_id=studio.salsa.id, teacher_id=teacher_id, date=day, start_time=time(19)),
    )
    names = list(studio.students.values())
    await attendance.mark_all_except(
        session,
        studio.admin,
        class_session.id,
        except_student_ids=[s.id for s in names[:absent]],
        today=TODAY,
        now=NOW,
    )
    return class_session


def of(preview: PayoutPreview, teacher: Teacher) -> TeacherPayoutPreview:
    return next(t for t in preview.teachers if t.teacher_id == teacher.id)


async def test_the_preview_traces_every_amount_to_a_session(session: AsyncSession) -> None:
    studio = await build_studio(session)  # Lucía: per head 6.50, Marco: per class 45.00
    first = await held_class(session, studio, date(2026, 10, 6))
    second = await held_class(session, studio, date(2026, 10, 13), absent=1)
    covered = await held_class(session, studio, date(2026, 10, 20), teacher_id=studio.marco.id)
    preview = await payouts.preview(session, studio.admin, start=OCT_1, end=OCT_31)
    lucia, marco = of(preview, studio.lucia), of(preview, studio.marco)
    assert [(line.class_session_id, line.quantity, line.amount) for line in lucia.lines] == [
        (first.id, D(3), D("19.50")),
        (second.id, D(2), D("13.00")),
    ]
    assert [(line.class_session_id, line.amount) for line in marco.lines] == [(covered.id, D("45.00"))]
    assert "as substitute" in marco.lines[0].description  # credited to who actually taught
    assert (lucia.total, marco.total, preview.total) == (D("32.50"), D("45.00"), D("77.50"))


async def test_a_rate_change_applies_from_its_effective_date(session: AsyncSession) -> None:
    studio = await build_studio(session)
    await held_class(session, studio, date(2026, 10, 6), teacher_id=studio.marco.id)
    await held_class(session, studio, date(2026, 10, 20), teacher_id=studio.marco.id)
    await teachers.update_teacher(
        session,
        studio.admin,
        studio.marco.id,
        data=TeacherUpdate(rate_per_class=D("50.00"), rates_effective_from=date(2026, 10, 15)),
        today=TODAY,
    )
    marco = of(await payouts.preview(session, studio.admin, start=OCT_1, end=OCT_31), studio.marco)
    assert [line.amount for line in marco.lines] == [D("45.00"), D("50.00")]


async def test_approval_locks_the_period_and_later_corrections_become_adjustments(
    session: AsyncSession,
) -> None:
    studio = await build_studio(session)
    october = await held_class(session, studio, date(2026, 10, 6), absent=1)  # 2 heads = 13.00
    payout = await payouts.approve(
        session, studio.admin, teacher_id=studio.lucia.id, start=OCT_1, end=OCT_31, today=TODAY, now=NOW
    )
    assert payout.total_amount == D("13.00")
    with pytest.raises(Conflict):
        await payouts.approve(
            session, studio.admin, teacher_id=studio.lucia.id, start=OCT_1, end=OCT_31, today=TODAY, now=NOW
        )
    absent_one = next(iter(studio.students.values()))
    await attendance.override_attendance(
        session,
        studio.admin,
        october.id,
        student_id=absent_one.id,
        status=AttendanceStatus.PRESENT,
        reason="arrived after roll call",
        today=TODAY,
        now=NOW,
    )
    explained = await payouts.get_payout(session, studio.admin, payout.id)
    assert explained.total_amount == D("13.00") and [line.amount for line in explained.lines] == [D("13.00")]
    october_again = of(await payouts.preview(session, studio.admin, start=OCT_1, end=OCT_31), studio.lucia)
    assert october_again.approved_payout_id == payout.id
    november = of(await payouts.preview(session, studio.admin, start=NOV_1, end=NOV_30), studio.lucia)
    assert [(line.kind, line.amount, line.adjusts_payout_id) for line in november.lines] == [
        ("adjustment", D("6.50"), payout.id)
    ]
    # Once the adjustment is itself approved, it is not owed a second time.
    await payouts.approve(
        session,
        studio.admin,
        teacher_id=studio.lucia.id,
        start=NOV_1,
        end=date(2026, 11, 25),
        today=TODAY,
        now=NOW,
    )
    december = of(
        await payouts.preview(session, studio.admin, start=date(2026, 12, 1), end=date(2026, 12, 31)),
        studio.lucia,
    )
    assert december.lines == []


async def test_only_ended_periods_are_approved_and_paid_once(session: AsyncSession) -> None:
    studio = await build_studio(session)
    with pytest.raises(Invalid):
        await payouts.approve(
            session, studio.admin, teacher_id=studio.lucia.id, start=NOV_1, end=NOV_30, today=TODAY, now=NOW
        )
    payout = await payouts.approve(
        session, studio.admin, teacher_id=studio.marco.id, start=OCT_1, end=OCT_31, today=TODAY, now=NOW
    )
    await payouts.mark_paid(session, studio.admin, payout.id, now=NOW)
    with pytest.raises(Conflict):
        await payouts.mark_paid(session, studio.admin, payout.id, now=NOW)


async def test_a_teacher_sees_only_their_own_payout_and_staff_none(session: AsyncSession) -> None:
    studio = await build_studio(session)
    own = await payouts.preview(session, studio.teacher, start=OCT_1, end=OCT_31)
    assert [t.teacher_id for t in own.teachers] == [studio.lucia.id]
    with pytest.raises(Forbidden):
        await payouts.preview(session, studio.teacher, start=OCT_1, end=OCT_31, teacher_id=studio.marco.id)
    with pytest.raises(Forbidden):
        await payouts.preview(session, studio.staff, start=OCT_1, end=OCT_31)


async def test_the_preview_runs_a_bounded_number_of_queries(session: AsyncSession) -> None:
    studio = await build_studio(session)
    counts = []
    for sessions_held in (1, 6):
        for week in range(sessions_held):
            await held_class(
                session, studio, date(2026, 9, 1 + week * 4 + sessions_held // 6)
            )  # distinct days
        statements: list[str] = []
        sync_engine = (await session.connection()).sync_engine

        def count(*args: object, seen: list[str] = statements) -> None:
            seen.append(str(args[2]))

        event.listen(sync_engine, "before_cursor_execute", count)
        try:
            await payouts.preview(session, studio.admin, start=date(2026, 9, 1), end=date(2026, 9, 30))
        finally:
            event.remove(sync_engine, "before_cursor_execute", count)
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 8
