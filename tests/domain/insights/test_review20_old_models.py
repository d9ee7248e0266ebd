"""Review of issue 20: a dropout model stored before the cause features existed keeps its own feature
list (``insight_models``) and still scores, for the office and for a teacher (whose view holds the
money features it has at their average)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.db import unit_of_work
from domain.insights import service as insights
from domain.insights.features import FEATURES
from domain.insights.model import LogisticModel
from domain.insights.models import InsightModel
from domain.insights.store import DROPOUT
from tests.domain.insights.world import TODAY, tiny_world

ADDED_FOR_ISSUE_20 = ("term_break_ahead", "new_teacher", "groupmates_left", "late_last")
BEFORE = [f for f in FEATURES if f not in ADDED_FOR_ISSUE_20]
LEANING = {"absent_last3": 1.5, "shortfall": 1.0, "lateness": 1.0}


async def test_a_model_stored_before_the_cause_features_still_scores(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await tiny_world(sessions)
    assert len(BEFORE) == len(FEATURES) - len(ADDED_FOR_ISSUE_20)
    old = LogisticModel(
        kind=DROPOUT,
        features=BEFORE,
        mean=[0.0] * len(BEFORE),
        scale=[1.0] * len(BEFORE),
        coef=[LEANING.get(f, 0.0) for f in BEFORE],
        intercept=-2.0,
        rows=1,
        positives=1,
    )
    async with unit_of_work(sessions, world.school) as session:
        session.add(
            InsightModel(
                organization_id=world.school.org_id, kind=DROPOUT, fitted_on=TODAY, model=old.to_json()
            )
        )
    async with unit_of_work(sessions, world.school) as session:
        office = await insights.dropout_risk(session, world.school, today=TODAY, limit=100)
    async with unit_of_work(sessions, world.school_teacher) as session:
        teacher = await insights.dropout_risk(session, world.school_teacher, today=TODAY, limit=100)
    assert office.at_risk and all(s.probability is not None for s in office.at_risk)
    assert teacher.at_risk and all(s.probability is not None for s in teacher.at_risk)
