"""The two or three reasons behind a model's probability, as the rules' reason codes and sentences.

The features that pushed a student's log-odds up the most are said with the codes answers already
word in English and Spanish (``tools/answers/<language>.yaml``, ``insights.risk.reason``), with the
student's own figures; a feature with no words of its own (the season, the group's trend) still
counts in the probability but is not listed as a reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from domain.insights.dropout import LISTED_FROM as LISTED_FROM
from domain.insights.model import LogisticModel
from domain.insights.rules import Reason

if TYPE_CHECKING:
    import pandas as pd

MONEY_FEATURES = ("lateness", "overdue_days", "late_last")
ATTENDANCE = ("fall_14", "fall_28", "fall_42", "shortfall")
ABSENCES = ("absent_last3", "absent_streak", "days_unseen")
MOST = 3


def _whole(value: float) -> int:
    return round(value * 100)


def _attendance(row: pd.Series) -> tuple[str, Reason]:
    before, recent = row.get("raw_base"), row.get("raw_r28")
    if (
        before is not None
        and recent is not None
        and not np.isnan(before)
        and not np.isnan(recent)
        and recent < before
    ):
        b, r = _whole(before), _whole(recent)
        return (
            f"attendance fell from {b}% to {r}% in the last 4 weeks",
            Reason("attendance_fell", {"before": b, "recent": r}),
        )
    r = _whole(recent) if recent is not None and not np.isnan(recent) else 0
    return f"came to {r}% of classes in the last 4 weeks", Reason("came_rarely", {"recent": r})


def _absences(row: pd.Series) -> tuple[str, Reason]:
    streak = int(row["streak"])
    if streak >= 3:
        return f"missed the last {streak} classes in a row", Reason("missed_in_a_row", {"count": streak})
    if streak == 2:
        return "missed the last 2 classes", Reason("missed_last_two")
    return _attendance(row)


def _said(feature: str, row: pd.Series, money: bool) -> tuple[str, Reason] | None:
    if feature in ATTENDANCE:
        return _attendance(row)
    if feature in ABSENCES:
        return _absences(row)
    if feature in MONEY_FEATURES and money and row["overdue"] >= 1:
        days = int(row["overdue"])
        return f"tuition {days} days overdue", Reason("tuition_overdue", {"days": days})
    if feature == "tenure_log" and row["tenure"] < 120:
        days = int(row["tenure"])
        return f"joined only {days} days ago", Reason("joined_recently", {"days": days})
    if feature == "new_teacher" and row["new_teacher"] >= 1:
        return "their group's teacher changed recently", Reason("new_teacher")
    if feature == "groupmates_left" and row["groupmates_left"] >= 1:
        count = int(row["groupmates_left"])
        return (
            f"{count} of their classmates left in the last 4 weeks",
            Reason("classmates_left", {"count": count}),
        )
    if feature == "late_last" and money and row["late_last"] >= 7:
        days = int(row["late_last"])
        return (
            f"paid the latest tuition {days} days later than usual",
            Reason("paying_later", {"days": days}),
        )
    return None


def explain(
    model: LogisticModel, row: pd.Series, contributions: np.ndarray, *, money: bool
) -> tuple[list[str], list[Reason]]:
    """The sentences and codes of the features that raised this student's risk most, strongest first."""
    sentences: list[str] = []
    codes: list[Reason] = []
    for j in np.argsort(-contributions):
        if contributions[j] <= 0 or len(codes) == MOST:
            break
        said = _said(model.features[j], row, money)
        if said is not None and said[1].code not in {c.code for c in codes}:
            sentences.append(said[0])
            codes.append(said[1])
    return sentences, codes


def neutral_money(model: LogisticModel, features: pd.DataFrame) -> pd.DataFrame:
    """Payment features at the training average: their contribution is nil for every student."""
    out = features.copy()
    for name, mean in zip(model.features, model.mean, strict=True):
        if name in MONEY_FEATURES:
            out[name] = mean
    return out
