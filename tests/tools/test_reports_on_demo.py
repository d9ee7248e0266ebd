"""Every read tool over the simulated school: the facts match the database, and roles are respected."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.attendance.models import AttendanceRecord, AttendanceStatus
from domain.db import unit_of_work
from domain.demo.seed import seed_demo
from domain.sessions.models import ClassSession
from tests.copilot.helpers import tenant_of
from tools import runner
from tools.base import ToolContext

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 18, tzinfo=UTC)


async def test_reports_over_the_demo_school(sessions: async_sessionmaker[AsyncSession]) -> None:
    await seed_demo(sessions, today=TODAY, size="small", seed=7)
    async with unit_of_work(sessions) as session:
        admin = await tenant_of(session, "demo-school", "admin@demo-school.example")
        teacher = await tenant_of(session, "demo-school", "teacher1@demo-school.example")
    async with unit_of_work(sessions, admin) as session:
        c = ToolContext(session=session, tenant=admin, today=TODAY, now=NOW)
        att = await runner.call(c, "attendance_summary", {"start": "2026-10-01", "end": "2026-10-31"})
        came = await session.scalar(
            select(func.count())
            .select_from(AttendanceRecord)
            .join(ClassSession, ClassSession.id == AttendanceRecord.class_session_id)
            .where(
                ClassSession.date.between(date(2026, 10, 1), date(2026, 10, 31)),
                AttendanceRecord.status.in_([AttendanceStatus.PRESENT, AttendanceStatus.LATE]),
            )
        )
        assert came and att.output.data["attended"] == came
        assert att.output.text.startswith("Attendance for the organization, October 2026:")
        risk = await runner.call(c, "dropout_risk", {})
        assert risk.output.data["at_risk"], risk.output.text
        assert all(s["reasons"] for s in risk.output.data["at_risk"])
        revenue = await runner.call(c, "revenue_summary", {"start": "2026-10-01"})
        assert revenue.output.text.startswith("Revenue October 2026: expected ")
        data = revenue.output.data
        assert Decimal(data["expected"]) - Decimal(data["collected"]) == Decimal(data["outstanding"])
        load = await runner.call(c, "teacher_load", {})
        assert len(load.output.data["teachers"]) >= 6
        health = await runner.call(c, "group_health", {})
        assert health.output.text.startswith("Group health, ")
        overview = await runner.call(
            c, "student_overview", {"student": risk.output.data["at_risk"][0]["full_name"]}
        )
        assert "Balance:" in overview.output.text
    async with unit_of_work(sessions, teacher) as session:
        c = ToolContext(session=session, tenant=teacher, today=TODAY, now=NOW)
        own = await runner.call(c, "teacher_load", {})
        assert [t["teacher_name"] for t in own.output.data["teachers"]] == ["Martina Delgado"]
        refused = await runner.call(c, "revenue_summary", {})
        assert refused.output.data == {"error": "forbidden"}
        health = await runner.call(c, "group_health", {})
        others = await runner.call(c, "group_roster", {"group": "Lindy Hop Advanced"})
        own_groups = {g["group_name"] for g in health.output.data["groups"]}
        assert own_groups and "Lindy Hop Advanced" not in own_groups
        assert others.output.data == {"error": "forbidden"}
        mine = await runner.call(c, "group_roster", {"group": sorted(own_groups)[0]})
        assert re.match(r".+ on 2026-11-26: \d+ students", mine.output.text)
