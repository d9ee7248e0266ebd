"""The drivers world's ``knows_signs`` reference ranks first exactly the leavers who give a sign, so its
AUC is 1 minus half the share of leavers with no sign, and everything it lists leaves."""

from __future__ import annotations

import uuid

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.db import unit_of_work
from domain.demo.simulator import Simulation
from domain.demo.world import Leaving
from domain.demo.writer import write_org
from domain.insights.backtest.demo import load_truth
from domain.insights.backtest.harness import Truth, evaluate
from domain.insights.history import load_history
from domain.orgs import service as orgs
from domain.tenancy import Role, TenantContext
from tests.domain.insights.world import TINY, TODAY


async def test_knowing_the_signs_is_worth_one_minus_half_the_share_of_leavers_with_no_sign(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    plan = Simulation(5, TODAY, leaving=Leaving.DRIVERS).school(TINY)
    signs = {t["student_id"] for t in plan.rows["simulated_traits"] if t.get("_warns")}
    async with unit_of_work(sessions) as session:
        await write_org(session, plan, password_hash="x", progress=lambda _t, _n: None)
        org_id = await orgs.organization_id_by_slug(session, "demo-school")
    assert org_id is not None
    school = TenantContext(org_id=org_id, role=Role.ADMIN)
    async with unit_of_work(sessions, school) as session:
        history = await load_history(session, school)
        truth = await load_truth(session)
    code = history.code_of()
    code_signs = {code[s] for s in signs if s in code}
    coded = Truth(
        leaves_on={code[s]: d for s, d in truth.leaves_on.items() if s in code},
        late_payers={code[s] for s in truth.late_payers if s in code},
        gave_a_sign=code_signs,
    )
    report = evaluate(history, coded, today=TODAY, horizon=42, ceiling=False)
    assert "ceiling" not in report.dropout  # the fade world's law: not scored here
    signs_known = report.dropout["knows_signs"]
    # Independently: the leavers within the horizon on each date, and how many of them gave a sign.
    positives, signed = 0, 0
    for as_of in [d.toordinal() for d in report.as_of][-report.model_dates :]:
        active = history.known_on(as_of).members
        now = active[(active["start"] <= as_of) & (active["end"] > as_of)]["student_id"].unique()
        leaving = [s for s in now if as_of < coded.leaves_on.get(s, 0) <= as_of + 42]
        positives += len(leaving)
        signed += sum(s in code_signs for s in leaving)
    assert positives == report.positives > 0 and 0 < signed < positives  # both kinds of leaver
    silent_share = (positives - signed) / positives
    assert signs_known.auc is not None and np.isclose(signs_known.auc, 1 - silent_share / 2)
    assert signs_known.precision == 1.0
    assert signs_known.listed == signed and isinstance(next(iter(signs)), uuid.UUID)
