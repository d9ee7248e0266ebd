"""The weekly digest and the morning agenda mention what the insights found: a class much emptier than
usual (in the office's digest, and in its own teacher's agenda only), who may pay late and the tuition
expected in the next months (in the digest), each section being the tool's own answer."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copilot import summaries
from copilot.summaries import admin_digest, teacher_agenda
from domain.attendance.models import AttendanceRecord, AttendanceStatus
from domain.auth.service import member_tenant
from domain.db import unit_of_work
from domain.groups.models import Group
from domain.sessions.models import ClassSession, SessionStatus
from domain.tenancy import TenantContext
from tests.domain.insights.world import TODAY, tiny_world
from tools import runner
from tools.base import ToolContext

NOW = datetime.combine(TODAY, time(7), tzinfo=UTC)
EMPTIER = "Classes much emptier than usual (last 7 days)"
YOURS = "Your classes much emptier than usual (last 7 days)"


@pytest.fixture(autouse=True)
def _no_chart(monkeypatch: pytest.MonkeyPatch) -> None:
    async def nowhere(*args: object, **kwargs: object) -> None:  # the chart is not what is tested here
        return None

    monkeypatch.setattr(summaries, "_draw_digest_chart", nowhere)


def _context(session: AsyncSession, tenant: TenantContext) -> ToolContext:
    return ToolContext(session=session, tenant=tenant, today=TODAY, now=NOW)


async def _teachers(sessions: async_sessionmaker[AsyncSession], org_id: uuid.UUID) -> list[TenantContext]:
    async with unit_of_work(sessions) as session:
        return [
            await member_tenant(session, email=f"teacher{n}@demo-school.example", org_id=org_id)
            for n in (1, 2)
        ]


async def test_an_emptied_class_is_in_the_digest_and_only_in_its_own_teachers_agenda(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await tiny_world(sessions)
    async with unit_of_work(sessions, world.school) as session:
        # This week's busiest held class: nobody came.
        busiest = (
            await session.execute(
                select(ClassSession.id, Group.name)
                .join(Group, Group.id == ClassSession.group_id)
                .join(AttendanceRecord, AttendanceRecord.class_session_id == ClassSession.id)
                .where(
                    ClassSession.status == SessionStatus.HELD,
                    ClassSession.date.between(TODAY - timedelta(days=6), TODAY),
                )
                .group_by(ClassSession.id, Group.name)
                .order_by(func.count().desc(), ClassSession.date.desc())
                .limit(1)
            )
        ).one()
        await session.execute(
            update(AttendanceRecord)
            .where(AttendanceRecord.class_session_id == busiest.id)
            .values(status=AttendanceStatus.ABSENT)
        )
    async with unit_of_work(sessions, world.school) as session:
        ctx = _context(session, world.school)
        digest = dict((await admin_digest(ctx)).sections)
        week = {"start": (TODAY - timedelta(days=6)).isoformat(), "end": TODAY.isoformat()}
        emptier = await runner.call(ctx, "attendance_anomalies", week)
        late = await runner.call(ctx, "late_payment_risk", {"limit": 10})
        expected = await runner.call(ctx, "revenue_forecast", {"months": 3})
    assert digest[EMPTIER] == emptier.output.text and busiest.name in digest[EMPTIER]
    assert digest["Who may pay next month's tuition late"] == late.output.text
    assert digest["Tuition expected in the next three months"] == expected.output.text

    mentioned = []
    for teacher in await _teachers(sessions, world.school.org_id):
        async with unit_of_work(sessions, teacher) as session:
            agenda = dict((await teacher_agenda(_context(session, teacher))).sections)
            own = await runner.call(_context(session, teacher), "attendance_anomalies", week)
        # The section is there exactly when the teacher's own classes have something to say.
        assert (YOURS in agenda) == bool((own.output.data or {}).get("classes"))
        mentioned.append(YOURS in agenda and busiest.name in agenda[YOURS])
    assert sorted(mentioned) == [False, True]  # its own teacher is told; the other is not
