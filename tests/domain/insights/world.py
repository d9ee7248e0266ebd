"""A tiny simulated school (and the independent teacher) written under RLS, for the insights tests:
the simulator's own history at a fraction of the demo's size, with its hidden truth alongside."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.auth.service import member_tenant
from domain.db import unit_of_work
from domain.demo.simulator import Profile, Simulation
from domain.demo.writer import write_org
from domain.orgs import service as orgs
from domain.tenancy import Role, TenantContext

TODAY = date(2026, 11, 26)
TINY = Profile("tiny", 2, 5, 70, 1, 10, 0.6, (0.5, 0.4, 0.1), 0)


@dataclass(frozen=True)
class World:
    school: TenantContext  # the school's office (admin)
    teacher: TenantContext  # the independent teacher's organization, as its admin
    school_teacher: TenantContext  # the school's first teacher (not office: their own groups only)


async def tiny_world(sessions: async_sessionmaker[AsyncSession], seed: int = 3) -> World:
    simulation = Simulation(seed, TODAY)
    plans = [simulation.school(TINY), simulation.independent()]
    for plan in plans:
        async with unit_of_work(sessions) as session:
            await write_org(session, plan, password_hash="x", progress=lambda _t, _n: None)
    async with unit_of_work(sessions) as session:
        school = await orgs.organization_id_by_slug(session, "demo-school")
        teacher = await orgs.organization_id_by_slug(session, "demo-teacher")
        assert school and teacher
        school_teacher = await member_tenant(session, email="teacher1@demo-school.example", org_id=school)
    assert school_teacher.role is Role.TEACHER
    return World(
        school=TenantContext(org_id=school, role=Role.ADMIN),
        teacher=TenantContext(org_id=teacher, role=Role.ADMIN),
        school_teacher=school_teacher,
    )
