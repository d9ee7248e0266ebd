"""Dropout risk, first explainable version: a few signals, each with a weight and a sentence.

Each reason is also data (``Reason``: a code and its numbers) so answers can word it in the language
asked; the English sentence stays for the API's readers.

Pure functions (no database): the service gathers the features, these rules score and explain them.
The weights are a starting point to be checked against the simulator's known dropouts (evals).
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
class Reason:
    """Why, as data: a stable code (``missed_in_a_row``, ``low_attendance``…) and the whole numbers the
    sentence needs (percentages as 0–100). ``tools/answers/<language>.yaml`` words each code."""

    code: str
    values: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Risk:
    score: float
    reasons: list[str]
    codes: list[Reason] = field(default_factory=list)  # the same reasons, as data, in the same order

    @property
    def listed(self) -> bool:
        return self.score >= LISTED_FROM


def rate(attended: int, marks: int) -> Decimal | None:
    return (Decimal(attended) / Decimal(marks)).quantize(Decimal("0.01"), ROUND_HALF_UP) if marks else None


def percent(value: Decimal) -> str:
    return f"{whole_percent(value)}%"


def whole_percent(value: Decimal) -> int:
    return int(value * 100)


def assess(f: RiskFeatures) -> Risk:
    score, reasons, codes = 0.0, [], []
    if f.absent_streak >= 3:
        score += 3.0
        reasons.append(f"missed the last {f.absent_streak} classes in a row")
        codes.append(Reason("missed_in_a_row", {"count": f.absent_streak}))
    elif f.absent_streak == 2:
        score += 1.5
        reasons.append("missed the last 2 classes")
        codes.append(Reason("missed_last_two"))
    recent, before = rate(f.recent_attended, f.recent_marks), rate(f.before_attended, f.before_marks)
    if (
        recent is not None
        and before is not None
        and f.recent_marks >= 2
        and before - recent >= Decimal("0.25")
    ):
        score += 2.0
        reasons.append(f"attendance fell from {percent(before)} to {percent(recent)} in the last 4 weeks")
        codes.append(
            Reason("attendance_fell", {"before": whole_percent(before), "recent": whole_percent(recent)})
        )
    elif recent is not None and f.recent_marks >= 2 and recent < Decimal("0.5"):
        score += 1.0
        reasons.append(f"came to {percent(recent)} of classes in the last 4 weeks")
        codes.append(Reason("came_rarely", {"recent": whole_percent(recent)}))
    if f.days_overdue is not None and f.days_overdue >= 15:
        score += 1.5
        reasons.append(f"tuition {f.days_overdue} days overdue")
        codes.append(Reason("tuition_overdue", {"days": f.days_overdue}))
    if f.tenure_days < 90 and score > 0:
        score += 1.0  # new students who start missing classes leave more often
        reasons.append(f"joined only {f.tenure_days} days ago")
        codes.append(Reason("joined_recently", {"days": f.tenure_days}))
    return Risk(round(score, 2), reasons, codes)
