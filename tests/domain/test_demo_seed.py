from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.attendance.models import AttendanceRecord
from domain.auth import service as auth
from domain.auth.security import verify_password
from domain.db import unit_of_work
from domain.demo.models import SimulatedTrait
from domain.demo.seed import demo_password, plan_demo, seed_demo
from domain.orgs import service as orgs
from domain.sessions.models import ClassSession
from domain.students.models import Student
from domain.tenancy import Role

TODAY = date(2026, 11, 26)


async def test_demo_seed_writes_the_planned_history_under_each_org_and_only_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    summary = await seed_demo(sessions, today=TODAY, size="small", seed=7)
    school_plan, _ = plan_demo(size="small", seed=7, today=TODAY)
    assert summary.organizations == ["demo-school", "demo-teacher"]
    assert {
        "admin@demo-school.example",
        "staff@demo-school.example",
        "teacher1@demo-school.example",
        "teacher8@demo-school.example",
        "teacher@demo-teacher.example",
    } <= set(summary.users)

    async with unit_of_work(sessions) as session:
        school_id = await orgs.organization_id_by_slug(session, "demo-school")
        admin = await auth.find_user_by_email(session, "admin@demo-school.example")
        teacher = await auth.find_user_by_email(session, "teacher1@demo-school.example")
        assert school_id and admin and teacher
        assert verify_password(demo_password(), admin.password_hash)
        admin_membership = await auth.membership_in(session, user_id=admin.id, org_id=school_id)
        teacher_membership = await auth.membership_in(session, user_id=teacher.id, org_id=school_id)
        assert admin_membership and admin_membership.role is Role.ADMIN
        assert teacher_membership and teacher_membership.role is Role.TEACHER

    async with unit_of_work(sessions, admin_membership.tenant(admin.id)) as session:
        for model, table in (
            (AttendanceRecord, "attendance_records"),
            (ClassSession, "class_sessions"),
            (Student, "students"),
            (SimulatedTrait, "simulated_traits"),
        ):
            assert await session.scalar(select(func.count()).select_from(model)) == school_plan.count(table)

    again = await seed_demo(sessions, today=TODAY, size="small", seed=7)
    assert again.organizations == []  # idempotent
