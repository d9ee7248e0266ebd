"""Walk as-of dates over a simulated history and score every scorer against the simulator's truth.

The truth (who left when, who pays late) is only ever compared with the scores here; the scorers see
``History`` cut to each date. The product's dropout model is fitted walk-forward: on each as-of date, on
the weekly rows whose outcome was known by then. Dates before it has enough leavers to learn from are
left out of every scorer's figures (the product shows the rules there), and the report says how many.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from domain.insights import dropout, late
from domain.insights.backtest import scoring
from domain.insights.backtest.ceiling import ceiling_scores
from domain.insights.features import dropout_features
from domain.insights.forecast import forecast, monthly_tuition
from domain.insights.history import History
from domain.payments.rules import month_shift

STEP_DAYS = 28
DATES = 13  # every four weeks over a year
MIN_HISTORY_DAYS = 84
CEILING_LISTED = 1.0  # a likelihood ratio of e: listed
SCORERS = ("model", "rules", "absent_last_two", "unseen_21_days", "ceiling", "knows_signs")


@dataclass(frozen=True)
class Truth:
    """The simulator's latent facts: the day each leaver's last membership ended, and the late payers."""

    leaves_on: dict[Any, int]  # student_id -> ordinal
    late_payers: set[Any]
    # The leavers whose data shows a sign before they go (the drivers world records it; None elsewhere).
    gave_a_sign: set[Any] | None = None


@dataclass
class Metrics:
    auc: float | None = None
    precision: float | None = None
    recall: float | None = None
    precision_at_10: float | None = None
    precision_at_20: float | None = None
    median_lead_days: float | None = None
    listed: int = 0


@dataclass
class BacktestReport:
    horizon: int
    as_of: list[date]
    model_dates: int
    rows: int
    positives: int
    dropout: dict[str, Metrics] = field(default_factory=dict)
    late_payment: dict[str, Metrics] = field(default_factory=dict)
    forecast_mape: float | None = None
    forecast_points: list[dict[str, Any]] = field(default_factory=list)


def as_of_dates(history: History, today: date, horizon: int) -> list[int]:
    last = today.toordinal() - horizon - 7  # the simulator's last leaving day is a week before today
    first = (history.first_day or last) + MIN_HISTORY_DAYS
    return sorted(d for d in (last - STEP_DAYS * i for i in range(DATES)) if d >= first)


def _summarise(
    labels: list[np.ndarray],
    scores: list[np.ndarray],
    listed: list[np.ndarray],
    leads: dict[Any, int],
    truth: dict[Any, int],
) -> Metrics:
    y, s, flagged = np.concatenate(labels), np.concatenate(scores), np.concatenate(listed)
    precision, recall = scoring.precision_recall(y, flagged)

    def mean_at(k: int) -> float | None:
        values = [scoring.precision_at(a, b, k) for a, b in zip(labels, scores, strict=True)]
        kept = [v for v in values if v is not None]
        return float(np.mean(kept)) if kept else None

    return Metrics(
        auc=scoring.auc(y, s),
        precision=precision,
        recall=recall,
        precision_at_10=mean_at(10),
        precision_at_20=mean_at(20),
        median_lead_days=scoring.median_lead(leads, truth),
        listed=int(flagged.sum()),
    )


def evaluate(
    history: History,
    truth: Truth,
    *,
    today: date,
    horizon: int,
    ceiling: bool = True,
    progress: Callable[[str], None] = lambda _m: None,
) -> BacktestReport:
    """``ceiling``: also score the reference that knows the fade world's decay law (meaningless elsewhere).
    When the truth says which leavers gave a sign, ``knows_signs`` is scored too: it ranks first exactly
    those who leave within the horizon and give a sign (even one not begun by the as-of date) and ties
    everyone else — what finding every signalling leaver, and nothing about the rest, is worth (its AUC
    is 1 minus half the share of leavers with no sign). A scorer can pass it only by ranking the silent
    leavers above the stayers, from what raises everyone's hazard (tenure, the season)."""
    dates = as_of_dates(history, today, horizon)
    left_out = {"ceiling"} if not ceiling else set()
    if truth.gave_a_sign is None:
        left_out.add("knows_signs")
    scorers = tuple(s for s in SCORERS if s not in left_out)
    progress(f"training rows for {len(dates)} as-of dates")
    grid = dropout.training_grid(history, last_as_of=dates[-1] - horizon if dates else 0, horizon=horizon)
    payments_grid = late.late_grid(history, last_as_of=dates[-1] if dates else 0)
    per: dict[str, tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray], dict[Any, int]]] = {
        name: ([], [], [], {}) for name in scorers
    }
    late_per: dict[str, tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray], dict[Any, int]]] = {
        name: ([], [], [], {}) for name in ("model", "share_late_so_far")
    }
    model_dates, rows, positives = 0, 0, 0
    for as_of in dates:
        model = dropout.fit_dropout(grid, known_until=as_of, horizon=horizon)
        if model is None:
            continue
        model_dates += 1
        features = dropout_features(history, as_of)
        ids = features.index
        y = np.array([as_of < truth.leaves_on.get(s, 0) <= as_of + horizon for s in ids])
        rows, positives = rows + len(y), positives + int(y.sum())
        probability = model.probability(features)
        rule = dropout.rule_scores(history, as_of, features).to_numpy()
        absent = dropout.absent_last_two(history, as_of, ids).to_numpy()
        unseen = dropout.unseen_for(history, as_of, ids).to_numpy()
        scored = [
            ("model", probability, probability >= dropout.LISTED_FROM),
            ("rules", rule, rule > 0),
            ("absent_last_two", absent, absent > 0),
            ("unseen_21_days", unseen, unseen > 0),
        ]
        if ceiling:
            known_law = ceiling_scores(history, as_of, features, horizon)
            scored.append(("ceiling", known_law, known_law >= CEILING_LISTED))
        if truth.gave_a_sign is not None:
            signs = np.array([bool(hit) and s in truth.gave_a_sign for s, hit in zip(ids, y, strict=True)])
            scored.append(("knows_signs", signs.astype(float), signs))
        for name, score, flagged in scored:
            labels, scores, listed, first = per[name]
            labels.append(y)
            scores.append(score)
            listed.append(flagged)
            for sid, hit, positive in zip(ids, flagged, y, strict=True):
                if hit and positive and sid not in first:
                    first[sid] = as_of
        late_model = late.fit_late(payments_grid, known_until=as_of)
        late_ids = late.late_features(history, as_of).index
        y_late = np.array([s in truth.late_payers for s in late_ids])
        for name, series in (
            ("model", late.late_scores(history, as_of, late_model)),
            ("share_late_so_far", late.late_scores(history, as_of, None)),
        ):
            score = series.reindex(late_ids).to_numpy(dtype=float)
            labels, scores, listed, _ = late_per[name]
            labels.append(y_late)
            scores.append(score)
            listed.append(score >= late.LISTED_FROM)
        progress(f"{date.fromordinal(as_of)}: {int(y.sum())} leaving of {len(y)}")
    report = BacktestReport(
        horizon=horizon,
        as_of=[date.fromordinal(d) for d in dates],
        model_dates=model_dates,
        rows=rows,
        positives=positives,
    )
    if model_dates:
        report.dropout = {name: _summarise(*per[name], truth.leaves_on) for name in scorers}
        report.late_payment = {name: _summarise(*late_per[name], {}) for name in late_per}
    report.forecast_mape, report.forecast_points = forecast_error(history, today)
    return report


def forecast_error(
    history: History, today: date, months: int = 6
) -> tuple[float | None, list[dict[str, Any]]]:
    """Mean absolute percentage error of the forecasts made one to three months before each of the
    last ``months`` complete months, against the tuition actually charged for them."""
    actual = monthly_tuition(history)
    points = []
    for back in range(1, months + 1):
        target = month_shift(today, -back)
        for ahead in (1, 2, 3):
            made_on = month_shift(target, -ahead)
            predicted = next(
                f.expected for f in forecast(history, made_on, months=ahead) if f.month == target
            )
            real = actual.get(target)
            if real:
                error = abs(predicted - real) / real
                points.append(
                    {
                        "month": target.isoformat(),
                        "ahead": ahead,
                        "forecast": round(predicted, 2),
                        "actual": round(real, 2),
                        "error": round(error, 4),
                    }
                )
    mape = float(np.mean([p["error"] for p in points])) if points else None
    return mape, points
