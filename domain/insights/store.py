"""Fit an organization's models on its own history, keep them with their figures, read them back.

The figures stored with a model are a walk-forward back-test on the organization's own data (labels
from its memberships and payments: who left, who paid late), not the demo's truth: every fourth
weekly date, a model fitted on what was known then, scored on who was active then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.insights import dropout, late
from domain.insights.backtest import scoring
from domain.insights.history import load_history
from domain.insights.model import LogisticModel
from domain.insights.models import InsightModel
from domain.orgs.permissions import require_office
from domain.tenancy import TenantContext

DROPOUT, LATE_PAYMENT = "dropout", "late_payment"


@dataclass(frozen=True)
class Fitted:
    kind: str
    fitted: bool  # False: not enough history yet, the organization keeps the rules
    rows: int
    positives: int
    figures: dict[str, float | None]


def _own_backtest(grid: dropout.Grid, horizon: int) -> dict[str, float | None]:
    frame = grid.frame
    dates = sorted(frame["as_of"].unique())[::-4][:13] if len(frame) else []
    labels, scores = [], []
    for as_of in sorted(dates):
        model = dropout.fit_dropout(grid, known_until=int(as_of), horizon=horizon)
        if model is None:
            continue
        rows = frame[frame["as_of"] == as_of]
        labels.append(rows["left"].to_numpy(dtype=bool))
        scores.append(model.probability(rows))
    if not labels:
        return {"auc": None, "precision_at_20": None, "dates": 0}
    at_20 = [scoring.precision_at(y, s, 20) for y, s in zip(labels, scores, strict=True)]
    return {
        "auc": scoring.auc(np.concatenate(labels), np.concatenate(scores)),
        "precision_at_20": float(np.mean([v for v in at_20 if v is not None])),
        "dates": len(labels),
    }


async def keep_model(session: AsyncSession, tenant: TenantContext, model: LogisticModel, today: date) -> None:
    values = {
        "organization_id": tenant.org_id,
        "kind": model.kind,
        "fitted_on": today,
        "model": model.to_json(),
    }
    statement = insert(InsightModel).values(**values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["organization_id", "kind"],
            set_={"fitted_on": statement.excluded.fitted_on, "model": statement.excluded.model},
        )
    )


async def fit_models(session: AsyncSession, tenant: TenantContext, *, today: date) -> list[Fitted]:
    """Fit the dropout and late-payment models on the history up to ``today`` and store them (flushes).
    An organization without enough leavers or late payers yet keeps its previous model, if any."""
    require_office(tenant, "fit the insight models")
    history = await load_history(session, tenant)
    day, horizon = today.toordinal(), dropout.HORIZON_DAYS
    grid = dropout.training_grid(history, last_as_of=day - horizon, horizon=horizon)
    results = []
    model = dropout.fit_dropout(grid, known_until=day, horizon=horizon)
    if model is not None:
        model = LogisticModel.from_json(model.to_json() | {"figures": _own_backtest(grid, horizon)})
        await keep_model(session, tenant, model, today)
    results.append(_summary(DROPOUT, model))
    payments = late.fit_late(late.late_grid(history, last_as_of=day), known_until=day)
    if payments is not None:
        await keep_model(session, tenant, payments, today)
    results.append(_summary(LATE_PAYMENT, payments))
    await session.flush()
    return results


def _summary(kind: str, model: LogisticModel | None) -> Fitted:
    if model is None:
        return Fitted(kind, False, 0, 0, {})
    return Fitted(kind, True, model.rows, model.positives, dict(model.figures))


async def stored_model(session: AsyncSession, kind: str) -> LogisticModel | None:
    """The organization's fitted model of ``kind`` (RLS: only the caller's own), or None."""
    data = await session.scalar(select(InsightModel.model).where(InsightModel.kind == kind))
    return LogisticModel.from_json(data) if data else None
