"""The new read tools answer in English and Spanish from the domain's figures, and the back-test
walks the tiny simulated school end to end (every scorer scored, the truth only in the scoring)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.db import unit_of_work
from domain.errors import Forbidden
from domain.insights.backtest.demo import load_truth
from domain.insights.backtest.harness import SCORERS, Truth, evaluate
from domain.insights.history import load_history
from tests.domain.insights.world import TODAY, tiny_world
from tools import runner
from tools.base import ToolContext

NOW = datetime(2026, 11, 26, 18, tzinfo=UTC)


async def test_late_payers_forecast_and_anomalies_are_said_in_english_and_spanish(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await tiny_world(sessions)
    said: dict[tuple[str, str], str] = {}
    async with unit_of_work(sessions, world.school) as session:
        for language in ("en", "es"):
            ctx = ToolContext(session=session, tenant=world.school, today=TODAY, now=NOW, language=language)
            for tool in ("late_payment_risk", "revenue_forecast", "attendance_anomalies"):
                result = await runner.call(ctx, tool, {})
                said[(tool, language)] = result.output.text
                assert result.output.data  # the JSON the API returns
    assert "may pay next month's tuition late" in said[("late_payment_risk", "en")]
    assert (
        "paid " in said[("late_payment_risk", "en")]
        and "tuition charges late" in said[("late_payment_risk", "en")]
    )
    assert "cuota del mes que viene" in said[("late_payment_risk", "es")]
    assert "pagó tarde" in said[("late_payment_risk", "es")]
    assert said[("revenue_forecast", "en")].startswith("Expected tuition for the next 3 months")
    assert "December 2026" in said[("revenue_forecast", "en")] and "€" not in said[("revenue_forecast", "en")]
    assert (
        said[("revenue_forecast", "es")].startswith("Cuotas previstas")
        and "diciembre de 2026" in said[("revenue_forecast", "es")]
    )
    assert "€" in said[("revenue_forecast", "es")]
    assert said[("attendance_anomalies", "en")].startswith(("Classes much emptier", "No class"))
    assert said[("attendance_anomalies", "es")].startswith(("Clases mucho más vacías", "Ninguna clase"))


async def test_a_teacher_is_refused_the_office_tools_but_not_the_anomalies(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await tiny_world(sessions)
    async with unit_of_work(sessions, world.school_teacher) as session:
        ctx = ToolContext(session=session, tenant=world.school_teacher, today=TODAY, now=NOW)
        for tool in ("late_payment_risk", "revenue_forecast"):
            with pytest.raises(Forbidden):
                await runner.execute(ctx, tool, {})
        assert (await runner.execute(ctx, "attendance_anomalies", {})).output.text  # positive control


async def test_the_back_test_walks_the_tiny_school_and_scores_every_scorer(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await tiny_world(sessions)
    async with unit_of_work(sessions, world.school) as session:
        history = await load_history(session, world.school)
        truth = await load_truth(session)
    code = history.code_of()
    truth = Truth(
        {code[s]: d for s, d in truth.leaves_on.items() if s in code}, {code[s] for s in truth.late_payers}
    )
    report = evaluate(history, truth, today=TODAY, horizon=42)
    assert report.as_of and report.as_of[-1] == TODAY - timedelta(days=49)
    assert report.model_dates >= 1 and report.positives >= 1
    # The fade world records no signs: every scorer but the drivers world's `knows_signs` reference.
    assert set(report.dropout) == set(SCORERS) - {"knows_signs"}
    for metrics in report.dropout.values():
        assert metrics.auc is not None and 0 <= metrics.auc <= 1
    assert (report.late_payment["model"].auc or 0) > 0.8
    assert report.forecast_mape is not None and report.forecast_mape < 0.5
