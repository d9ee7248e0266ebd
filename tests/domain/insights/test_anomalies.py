"""A class much emptier than its group's usual is reported, to the office and to its own teacher only."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.attendance.models import AttendanceRecord, AttendanceStatus
from domain.auth.service import member_tenant
from domain.db import unit_of_work
from domain.insights.anomalies import attendance_anomalies
from domain.sessions.models import ClassSession, SessionStatus
from tests.domain.insights.world import TODAY, tiny_world


async def test_an_emptied_class_is_reported_to_the_office_and_its_teacher_not_to_another(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await tiny_world(sessions)
    start = TODAY - timedelta(days=30)
    async with unit_of_work(sessions, world.school) as session:
        before = await attendance_anomalies(session, world.school, start=start, end=TODAY)
        # The busiest group's latest held class: everyone absent.
        busiest = (
            await session.execute(
                select(ClassSession.id, ClassSession.group_id)
                .join(AttendanceRecord, AttendanceRecord.class_session_id == ClassSession.id)
                .where(ClassSession.status == SessionStatus.HELD, ClassSession.date.between(start, TODAY))
                .group_by(ClassSession.id)
                .order_by(func.count().desc(), ClassSession.date.desc())
                .limit(1)
            )
        ).one()
        await session.execute(
            update(AttendanceRecord)
            .where(AttendanceRecord.class_session_id == busiest.id)
            .values(status=AttendanceStatus.ABSENT)
        )
        after = await attendance_anomalies(session, world.school, start=start, end=TODAY)
    new = [c for c in after.classes if c not in before.classes]
    assert [c.group_id for c in new] == [busiest.group_id]
    assert new[0].came == 0 and new[0].usual >= 4

    # Its own teacher sees it (positive control); the school's other teacher does not.
    seen_by = []
    for email in ("teacher1@demo-school.example", "teacher2@demo-school.example"):
        async with unit_of_work(sessions) as session:
            teacher = await member_tenant(session, email=email, org_id=world.school.org_id)
        async with unit_of_work(sessions, teacher) as session:
            seen = await attendance_anomalies(session, teacher, start=start, end=TODAY)
        seen_by.append(any(c.group_id == busiest.group_id and c.came == 0 for c in seen.classes))
    assert sorted(seen_by) == [False, True]
