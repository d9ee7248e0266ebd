"""Fitting stores each organization's models as numbers; the dropout list, late payers and the forecast
use them; another organization never sees them; teachers never fit them nor see money in them."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.db import unit_of_work
from domain.errors import Forbidden
from domain.insights import predictions
from domain.insights import service as insights
from domain.insights.features import FEATURES
from domain.insights.model import LogisticModel
from domain.insights.models import InsightModel
from domain.insights.store import DROPOUT, LATE_PAYMENT, fit_models, keep_model, stored_model
from domain.tenancy import TenantContext
from tests.domain.insights.world import TODAY, World, tiny_world

WORDED = {
    "missed_in_a_row",
    "missed_last_two",
    "attendance_fell",
    "came_rarely",
    "tuition_overdue",
    "joined_recently",
    "new_teacher",
    "classmates_left",
    "paying_later",
}
# A hand-made model that leans on absences and, heavily, on money: enough to see who uses what.
LEANING = {"absent_last3": 1.5, "shortfall": 1.0, "overdue_days": 3.0, "lateness": 1.0}


def hand_made_model() -> LogisticModel:
    return LogisticModel(
        kind=DROPOUT,
        features=list(FEATURES),
        mean=[0.0] * len(FEATURES),
        scale=[1.0] * len(FEATURES),
        coef=[LEANING.get(f, 0.0) for f in FEATURES],
        intercept=-2.0,
        rows=1,
        positives=1,
    )


async def keep(sessions: async_sessionmaker[AsyncSession], tenant: TenantContext) -> None:
    async with unit_of_work(sessions, tenant) as session:
        session.add(
            InsightModel(
                organization_id=tenant.org_id,
                kind=DROPOUT,
                fitted_on=TODAY,
                model=hand_made_model().to_json(),
            )
        )


@pytest.fixture
async def world(sessions: async_sessionmaker[AsyncSession]) -> World:
    return await tiny_world(sessions)


async def test_fitting_stores_coefficients_as_json_replaces_them_and_the_list_then_uses_them(
    sessions: async_sessionmaker[AsyncSession], world: World
) -> None:
    async with unit_of_work(sessions, world.school) as session:
        before = await insights.dropout_risk(session, world.school, today=TODAY, limit=100)
        assert all(s.probability is None for s in before.at_risk)  # the rules, until a model is fitted
        fitted = {f.kind: f for f in await fit_models(session, world.school, today=TODAY)}
    assert fitted[DROPOUT].fitted and fitted[LATE_PAYMENT].fitted
    assert (fitted[DROPOUT].figures["dates"] or 0) >= 1

    async with unit_of_work(sessions, world.school) as session:
        rows = list(await session.scalars(select(InsightModel)))
        assert sorted(r.kind for r in rows) == [DROPOUT, LATE_PAYMENT]
        stored = next(r for r in rows if r.kind == DROPOUT).model
        assert isinstance(stored, dict) and isinstance(stored["coef"], list)  # numbers, not a pickle
        model = await stored_model(session, DROPOUT)
        assert isinstance(model, LogisticModel) and model.features == stored["features"]
        after = await insights.dropout_risk(session, world.school, today=TODAY, limit=100)
    assert after.students_checked == before.students_checked
    for student in after.at_risk:
        assert student.probability is not None
        assert 0 < student.probability <= 1
        assert len(student.reason_codes) <= 3 and len(student.reasons) == len(student.reason_codes)
        assert {r.code for r in student.reason_codes} <= WORDED

    async with unit_of_work(sessions, world.school) as session:  # the weekly refit replaces the row
        await keep_model(session, world.school, hand_made_model(), TODAY)
        assert sorted(await session.scalars(select(InsightModel.kind))) == [DROPOUT, LATE_PAYMENT]
        assert await stored_model(session, DROPOUT) == hand_made_model()


async def test_another_organization_neither_sees_nor_uses_the_schools_model(
    sessions: async_sessionmaker[AsyncSession], world: World
) -> None:
    await keep(sessions, world.school)
    async with unit_of_work(sessions, world.school) as session:
        assert await stored_model(session, DROPOUT) is not None  # positive control
        school = await insights.dropout_risk(session, world.school, today=TODAY, limit=100)
    assert school.at_risk and all(s.probability is not None for s in school.at_risk)
    async with unit_of_work(sessions, world.teacher) as session:
        assert await stored_model(session, DROPOUT) is None
        assert list(await session.scalars(select(InsightModel))) == []
        other = await insights.dropout_risk(session, world.teacher, today=TODAY)
    assert all(s.probability is None for s in other.at_risk)  # the rules: it has no model of its own


async def test_a_teachers_list_from_the_model_owes_nothing_to_money(
    sessions: async_sessionmaker[AsyncSession], world: World
) -> None:
    await keep(sessions, world.school)
    async with unit_of_work(sessions, world.school) as session:
        office = await insights.dropout_risk(session, world.school, today=TODAY, limit=100)
    async with unit_of_work(sessions, world.school_teacher) as session:
        seen = await insights.dropout_risk(session, world.school_teacher, today=TODAY, limit=100)
    # positive control: with this model the office's list does speak of overdue tuition
    assert any(r.code == "tuition_overdue" for s in office.at_risk for r in s.reason_codes)
    assert seen.at_risk  # the teacher's own students
    assert all(r.code != "tuition_overdue" for s in seen.at_risk for r in s.reason_codes)
    by_office = {s.student_id: s.probability for s in office.at_risk}
    overdue = {
        s.student_id for s in office.at_risk if any(r.code == "tuition_overdue" for r in s.reason_codes)
    }
    lower = [
        s
        for s in seen.at_risk
        if s.student_id in overdue and (s.probability or 0) < (by_office[s.student_id] or 0)
    ]
    assert lower or not overdue & {s.student_id for s in seen.at_risk}


async def test_teachers_cannot_fit_nor_see_late_payers_or_the_forecast(
    sessions: async_sessionmaker[AsyncSession], world: World
) -> None:
    for attempt in (
        lambda s: fit_models(s, world.school_teacher, today=TODAY),
        lambda s: predictions.late_payment_risk(s, world.school_teacher, today=TODAY),
        lambda s: predictions.revenue_forecast(s, world.school_teacher, today=TODAY),
    ):
        async with unit_of_work(sessions, world.school_teacher) as session:
            with pytest.raises(Forbidden):
                await attempt(session)
    async with unit_of_work(sessions, world.school) as session:  # positive control: the office may
        late = await predictions.late_payment_risk(session, world.school, today=TODAY)
    assert late.late and not late.fitted  # no fitted model: the share of charges paid late stands in
    assert all(p.reason_codes and p.reason_codes[0].code == "paid_late" for p in late.late)


async def test_the_forecast_gives_three_months_in_money_with_its_own_error(
    sessions: async_sessionmaker[AsyncSession], world: World
) -> None:
    async with unit_of_work(sessions, world.school) as session:
        forecast = await predictions.revenue_forecast(session, world.school, today=TODAY)
    assert [m.month.isoformat() for m in forecast.months] == ["2026-12-01", "2027-01-01", "2027-02-01"]
    assert all(m.expected > 0 and m.expected.as_tuple().exponent == -2 for m in forecast.months)
    assert forecast.currency == "EUR" and not forecast.churn_from_model
    assert forecast.error is not None and 0 <= forecast.error < 0.5


def test_the_reason_codes_are_worded_in_english_and_spanish() -> None:
    import yaml

    for language in ("en", "es"):
        with open(f"tools/answers/{language}.yaml", encoding="utf-8") as f:
            said = yaml.safe_load(f)["insights"]
        assert set(said["risk"]["reason"]) >= WORDED
        assert set(said["late"]["reason"]) >= {"paid_late", "tuition_overdue"}
