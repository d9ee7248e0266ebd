"""Scheduled summaries: the right people, at their local hour, once per period."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from channels import jobs
from domain.attendance import service as attendance
from domain.db import unit_of_work
from domain.notifications import service as notifications
from domain.notifications.models import Kind
from domain.notifications.schemas import PreferencesPatch
from domain.sessions.models import ClassSession
from domain.settings import Settings
from tests.domain.studio import build_studio
from tests.notifications.helpers import MONDAY, class_on, ledger, madrid

SETTINGS = Settings(telegram_token=None)


async def test_the_morning_agenda_goes_to_teachers_teaching_today_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with unit_of_work(sessions) as session:
        studio = await build_studio(session)
        await class_on(session, studio, MONDAY, hour=18)
    await jobs.plan_summaries(sessions, SETTINGS, now=madrid(6, 30))  # before the hour
    async with unit_of_work(sessions, studio.admin) as session:
        assert [r for r in await ledger(session) if r.kind == Kind.TEACHER_AGENDA] == []
    for moment in (madrid(7, 5), madrid(7, 15), madrid(9, 50)):  # a beat every few minutes
        await jobs.plan_summaries(sessions, SETTINGS, now=moment)
    async with unit_of_work(sessions, studio.admin) as session:
        agendas = [r for r in await ledger(session) if r.kind == Kind.TEACHER_AGENDA]
    assert [(r.recipient, r.period) for r in agendas] == [(f"user:{studio.teacher.user_id}", "2026-11-30")]
    assert "Salsa Beginners" in agendas[0].body and "18:00" in agendas[0].body

    # The next day Lucía teaches nothing: no agenda.
    await jobs.plan_summaries(sessions, SETTINGS, now=madrid(7, 5, day=MONDAY + timedelta(days=1)))
    async with unit_of_work(sessions, studio.admin) as session:
        assert len([r for r in await ledger(session) if r.kind == Kind.TEACHER_AGENDA]) == 1


async def test_the_weekly_digest_and_missing_records_go_to_admins_on_their_day(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with unit_of_work(sessions) as session:
        studio = await build_studio(session)
    tuesday = MONDAY + timedelta(days=1)
    await jobs.plan_summaries(sessions, SETTINGS, now=madrid(9, 30, day=tuesday))  # not the day
    await jobs.plan_summaries(sessions, SETTINGS, now=madrid(13, 0))  # the day, too late
    async with unit_of_work(sessions, studio.admin) as session:
        assert [r.kind for r in await ledger(session)] == []
    await jobs.plan_summaries(sessions, SETTINGS, now=madrid(9, 30))
    await jobs.plan_summaries(sessions, SETTINGS, now=madrid(9, 40))
    async with unit_of_work(sessions, studio.admin) as session:
        rows = {r.kind: r for r in await ledger(session) if r.recipient == f"user:{studio.admin.user_id}"}
    assert set(rows) == {Kind.ADMIN_DIGEST, Kind.MISSING_DATA}
    assert rows[Kind.ADMIN_DIGEST].period == "2026-W49"
    assert "Tuition not paid this month" in rows[Kind.ADMIN_DIGEST].body
    # build_studio's students have no email, phone or guardian: the office is told.
    assert all(
        name in rows[Kind.MISSING_DATA].body for name in ("Ana García", "José Martínez", "Sofía López")
    )


async def test_an_organization_can_switch_a_summary_off_and_move_it(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with unit_of_work(sessions) as session:
        studio = await build_studio(session)
        await class_on(session, studio, MONDAY)
        await notifications.update_preferences(
            session, studio.admin, patch=PreferencesPatch(disabled_kinds=[Kind.ADMIN_DIGEST], agenda_hour=6)
        )
    await jobs.plan_summaries(sessions, SETTINGS, now=madrid(6, 10))
    await jobs.plan_summaries(sessions, SETTINGS, now=madrid(9, 10))
    async with unit_of_work(sessions, studio.admin) as session:
        kinds = sorted(r.kind for r in await ledger(session))
    assert kinds == [Kind.MISSING_DATA, Kind.TEACHER_AGENDA]


async def test_teachers_are_reminded_of_classes_they_have_not_marked(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with unit_of_work(sessions) as session:
        studio = await build_studio(session)
        await class_on(session, studio, MONDAY - timedelta(days=2))  # Saturday, nobody marked it
    await jobs.plan_summaries(sessions, SETTINGS, now=madrid(19, 5))
    async with unit_of_work(sessions, studio.admin) as session:
        reminders = [r for r in await ledger(session) if r.kind == Kind.ATTENDANCE_REMINDER]
    assert [r.recipient for r in reminders] == [f"user:{studio.teacher.user_id}"]
    assert "2026-11-28 Salsa Beginners: 0/3 marked" in reminders[0].body

    # Once marked, the next evening brings no reminder.
    async with unit_of_work(sessions, studio.admin) as session:
        (held,) = (await session.scalars(select(ClassSession.id))).all()
        await attendance.mark_all_except(
            session, studio.admin, held, except_student_ids=[], today=MONDAY, now=madrid(19, 30)
        )
    await jobs.plan_summaries(sessions, SETTINGS, now=madrid(19, 5, day=MONDAY + timedelta(days=1)))
    async with unit_of_work(sessions, studio.admin) as session:
        assert len([r for r in await ledger(session) if r.kind == Kind.ATTENDANCE_REMINDER]) == 1


async def test_admins_get_the_months_payout_preview_on_its_day(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with unit_of_work(sessions) as session:
        studio = await build_studio(session)
    the_24th, the_25th = date(2026, 11, 24), date(2026, 11, 25)
    await jobs.plan_summaries(sessions, SETTINGS, now=madrid(9, 30, day=the_24th))
    await jobs.plan_summaries(sessions, SETTINGS, now=madrid(9, 30, day=the_25th))
    await jobs.plan_summaries(sessions, SETTINGS, now=madrid(10, 30, day=the_25th))
    async with unit_of_work(sessions, studio.admin) as session:
        previews = [r for r in await ledger(session) if r.kind == Kind.PAYOUT_PREVIEW]
    assert [(r.recipient, r.period, r.subject) for r in previews] == [
        (f"user:{studio.admin.user_id}", "2026-11", "Payout preview, 2026-11")
    ]
