"""Seeding the ``drivers`` world writes a coherent school: no membership, mark or bill after leaving."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.attendance.models import AttendanceRecord
from domain.auth import service as auth
from domain.db import unit_of_work
from domain.demo.models import SimulatedTrait
from domain.demo.seed import plan_demo, seed_demo
from domain.groups.models import StudentGroup
from domain.orgs import service as orgs
from domain.payments.models import Charge
from domain.sessions.models import ClassSession

TODAY = date(2026, 11, 26)


def _month_overlaps(month: date, start: date, end: date | None) -> bool:
    next_month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return start < next_month and (end is None or end >= month)


async def test_the_drivers_world_seeds_a_school_where_leavers_are_gone_after_they_leave(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    summary = await seed_demo(sessions, today=TODAY, size="small", seed=7, leaving="drivers")
    assert summary.organizations == ["demo-school", "demo-teacher"]
    school_plan, _ = plan_demo(size="small", seed=7, today=TODAY, leaving="drivers")

    async with unit_of_work(sessions) as session:
        school_id = await orgs.organization_id_by_slug(session, "demo-school")
        admin = await auth.find_user_by_email(session, "admin@demo-school.example")
        assert school_id and admin
        membership = await auth.membership_in(session, user_id=admin.id, org_id=school_id)
        assert membership

    async with unit_of_work(sessions, membership.tenant(admin.id)) as session:
        traits = (await session.scalars(select(SimulatedTrait))).all()
        groups = (await session.scalars(select(StudentGroup))).all()
        marks = (
            await session.execute(
                select(AttendanceRecord.student_id, ClassSession.group_id, ClassSession.date).join(
                    ClassSession, ClassSession.id == AttendanceRecord.class_session_id
                )
            )
        ).all()
        charges = (await session.scalars(select(Charge))).all()

    assert len(traits) == school_plan.count("simulated_traits")
    assert len(marks) == school_plan.count("attendance_records")
    leaves = {t.student_id: t.dropout_on for t in traits if t.will_drop_out and t.dropout_on}
    assert len(leaves) > 20 and len(leaves) == sum(t.will_drop_out for t in traits)

    mine: dict[uuid.UUID, list[StudentGroup]] = defaultdict(list)
    for m in groups:
        mine[m.student_id].append(m)
    for student_id, day in leaves.items():
        assert mine[student_id], "a leaver had a membership"
        assert all(m.end_date is not None and m.end_date <= day for m in mine[student_id])
        assert any(m.end_date == day for m in mine[student_id])  # the last day a membership covers

    stray_marks = [
        (student_id, group_id, day)
        for student_id, group_id, day in marks
        if not any(
            m.group_id == group_id and m.start_date <= day and (m.end_date is None or day <= m.end_date)
            for m in mine[student_id]
        )
    ]
    assert marks and not stray_marks
    unbacked_charges = [
        c
        for c in charges
        if c.period_month is None
        or not any(_month_overlaps(c.period_month, m.start_date, m.end_date) for m in mine[c.student_id])
    ]
    assert charges and not unbacked_charges
    assert not [
        c
        for c in charges
        if c.student_id in leaves and c.period_month and c.period_month > leaves[c.student_id]
    ]
