"""Seed the demo organizations ``demo-school`` and ``demo-teacher`` from the simulator.

The user names are a contract (evals and docs rely on them): ``admin@demo-school.example``,
``staff@demo-school.example``, one ``teacherN@demo-school.example`` per teacher and
``teacher@demo-teacher.example``. Everyone's password is the demo password.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.auth.models import User
from domain.auth.security import hash_password
from domain.db import unit_of_work
from domain.demo.simulator import PROFILES, OrgPlan, Simulation
from domain.demo.world import Leaving
from domain.demo.writer import TABLE_ORDER, write_org
from domain.orgs import service as orgs

DEMO_PASSWORD_ENV = "CADENCE_DEMO_PASSWORD"  # noqa: S105 - a variable name
DEFAULT_DEMO_PASSWORD = "dance-demo-2026"  # noqa: S105 - a local demo's login, printed by `cadence demo seed`
DEFAULT_SEED = 7


@dataclass
class SeedSummary:
    organizations: list[str] = field(default_factory=list)
    users: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    password: str = ""


def demo_password() -> str:
    return os.environ.get(DEMO_PASSWORD_ENV, DEFAULT_DEMO_PASSWORD)


async def is_seeded(sessions: async_sessionmaker[AsyncSession]) -> bool:
    async with unit_of_work(sessions) as session:
        return await orgs.organization_id_by_slug(session, "demo-school") is not None


async def count_users(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with unit_of_work(sessions) as session:
        return int(await session.scalar(select(func.count()).select_from(User)) or 0)


def plan_demo(*, size: str, seed: int, today: date, leaving: Leaving | str = Leaving.FADE) -> list[OrgPlan]:
    """Both demo organizations, in the same world; ``leaving`` picks how students leave (``Leaving``)."""
    if size not in PROFILES:
        raise ValueError(f"unknown size {size!r}; choose one of {', '.join(PROFILES)}")
    if leaving not in set(Leaving):
        raise ValueError(f"unknown leaving {leaving!r}; choose one of {', '.join(Leaving)}")
    simulation = Simulation(seed, today, leaving=leaving)
    return [simulation.school(PROFILES[size]), simulation.independent()]


async def seed_demo(
    sessions: async_sessionmaker[AsyncSession],
    *,
    today: date,
    size: str = "small",
    seed: int = DEFAULT_SEED,
    leaving: Leaving | str = Leaving.FADE,
    on_plan: Callable[[list[OrgPlan]], None] | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> SeedSummary:
    """Create both demo organizations unless they exist; deterministic for one (size, seed, today)."""
    summary = SeedSummary(password=demo_password())
    if await is_seeded(sessions):
        return summary
    plans = plan_demo(size=size, seed=seed, today=today, leaving=leaving)
    if on_plan is not None:
        on_plan(plans)
    password_hash = hash_password(summary.password)
    for plan in plans:
        async with unit_of_work(sessions) as session:
            await write_org(
                session, plan, password_hash=password_hash, progress=progress or (lambda _t, _n: None)
            )
        summary.organizations.append(plan.slug)
        summary.users.extend([plan.admin[0], *(email for email, _, _ in plan.members)])
        for table in TABLE_ORDER:
            summary.rows[table] = summary.rows.get(table, 0) + plan.count(table)
    return summary
