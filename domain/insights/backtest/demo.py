"""The back-test's own demo database: seeded from one (size, seed, today), read as the school's office.

The history goes through ``load_history`` exactly as the product reads it; the truth is read from
``simulated_traits`` separately, by ``load_truth``, and handed only to the scoring.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.db import unit_of_work
from domain.demo.models import SimulatedTrait
from domain.demo.seed import seed_demo
from domain.demo.simulator import OrgPlan
from domain.demo.world import Leaving
from domain.insights.backtest.harness import BacktestReport, Truth, evaluate
from domain.insights.history import History, load_history
from domain.orgs import service as orgs
from domain.tenancy import Role, TenantContext

DATABASE = "cadence_backtest"
TODAY = date(2026, 11, 26)  # fixed, so one (size, seed) always gives the same figures


async def load_truth(session: AsyncSession) -> Truth:
    rows = (
        await session.execute(
            select(SimulatedTrait.student_id, SimulatedTrait.dropout_on, SimulatedTrait.late_payer)
        )
    ).all()
    return Truth(
        leaves_on={sid: left.toordinal() for sid, left, _ in rows if left is not None},
        late_payers={sid for sid, _, late in rows if late},
    )


async def school_history(
    sessions: async_sessionmaker[AsyncSession],
    *,
    size: str,
    seed: int,
    today: date,
    world: Leaving = Leaving.FADE,
) -> tuple[History, Truth]:
    signs: set[uuid.UUID] = set()

    def note_signs(plans: list[OrgPlan]) -> None:  # the drivers world's plan says who gives a sign
        for trait in plans[0].rows["simulated_traits"]:
            if trait.get("_warns"):
                signs.add(trait["student_id"])

    await seed_demo(sessions, today=today, size=size, seed=seed, leaving=world, on_plan=note_signs)
    async with unit_of_work(sessions) as session:
        org_id = await orgs.organization_id_by_slug(session, "demo-school")
    assert org_id is not None
    tenant = TenantContext(org_id=org_id, role=Role.ADMIN)
    async with unit_of_work(sessions, tenant) as session:
        history = await load_history(session, tenant)
    async with unit_of_work(sessions, tenant) as session:
        truth = await load_truth(session)
    code = history.code_of()  # the history's frames number students; the truth is keyed the same way
    return history, Truth(
        leaves_on={code[s]: day for s, day in truth.leaves_on.items() if s in code},
        late_payers={code[s] for s in truth.late_payers if s in code},
        gave_a_sign={code[s] for s in signs if s in code} if world is Leaving.DRIVERS else None,
    )


async def run_backtest(
    sessions: async_sessionmaker[AsyncSession],
    *,
    size: str,
    seed: int,
    horizon: int,
    world: Leaving = Leaving.FADE,
    today: date = TODAY,
    progress: Callable[[str], None] = lambda _m: None,
) -> BacktestReport:
    """``world``: the demo as seeded (``fade``: leavers fade for six weeks, with no cause) or the one whose
    leavers have causes (``drivers``); the ceiling scorer knows the fade world's law, so only it gets one."""
    progress(f"seeding the {size} demo (seed {seed}, world {world.value})")
    history, truth = await school_history(sessions, size=size, seed=seed, today=today, world=world)
    return evaluate(
        history, truth, today=today, horizon=horizon, ceiling=world is Leaving.FADE, progress=progress
    )
