"""Dropout risk, first explainable version: a few signals, each with a weight and a sentence.

Pure functions (no database): the service gathers the features, these rules score and explain them.
The weights are a starting point to be checked against the simulator's known dropouts (evals).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

RECENT_DAYS = 28  # "lately"
BASELINE_DAYS = 84  # compared with the eight weeks before that
LISTED_FROM = 2.5  # a score at least this high is worth a call


@dataclass(frozen=True)
class RiskFeatures:
    recent_marks: int
    recent_attended: int
    before_marks: int
    before_attended: int
    absent_streak: int  # consecutive absences up to the latest mark
    days_overdue: int | None  # the oldest unpaid charge; None when the caller may not see money
    tenure_days: int


@dataclass(frozen=True)
class Risk:
    score: float
    reasons: list[str]

    @property
    def listed(self) -> bool:
        return self.score >= LISTED_FROM


def rate(attended: int, marks: int) -> Decimal | None:
    return (Decimal(attended) / Decimal(marks)).quantize(Decimal("0.01"), ROUND_HALF_UP) if marks else None


def percent(value: Decimal) -> str:
    return f"{int(value * 100)}%"


def assess(f: RiskFeatures) -> Risk:
    score, reasons = 0.0, []
    if f.absent_streak >= 3:
        score += 3.0
        reasons.append(f"missed the last {f.absent_streak} classes in a row")
    elif f.absent_streak == 2:
        score += 1.5
        reasons.append("missed the last 2 classes")
    recent, before = rate(f.recent_attended, f.recent_marks), rate(f.before_attended, f.before_marks)
    if (
        recent is not None
        and before is not None
        and f.recent_marks >= 2
        and before - recent >= Decimal("0.25")
    ):
        score += 2.0
        reasons.append(f"attendance fell from {percent(before)} to {percent(recent)} in the last 4 weeks")
    elif recent is not None and f.recent_marks >= 2 and recent < Decimal("0.5"):
        score += 1.0
        reasons.append(f"came to {percent(recent)} of classes in the last 4 weeks")
    if f.days_overdue is not None and f.days_overdue >= 15:
        score += 1.5
        reasons.append(f"tuition {f.days_overdue} days overdue")
    if f.tenure_days < 90 and score > 0:
        score += 1.0  # new students who start missing classes leave more often
        reasons.append(f"joined only {f.tenure_days} days ago")
    return Risk(round(score, 2), reasons)
