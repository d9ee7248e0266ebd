"""Dropout risk from the organization's own history: labels, the fitted model, the rules and two baselines.

Labels come from the organization's data, never from the demo's truth: a student active on a date
"left" when no membership of theirs is open ``horizon`` days later. A date's label is only used once
that later date has passed, so fitting on "today" uses the history up to today and nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from domain.insights import rules
from domain.insights.features import FEATURES, active_on, dropout_features
from domain.insights.history import History
from domain.insights.model import LogisticModel, fit_logistic

if TYPE_CHECKING:
    import pandas as pd

HORIZON_DAYS = 42
STEP_DAYS = 7  # training dates: one a week
WARM_UP_DAYS = 56  # no training date before two months of history
MIN_LEAVERS = 6  # distinct students who left: fewer, and the organization gets the rules
LISTED_FROM = 0.2  # a probability at least this high is worth a call


@dataclass(frozen=True)
class Grid:
    """Training rows: the features of every active student on each weekly date, and whether they left."""

    frame: pd.DataFrame  # FEATURES + as_of + student_id + left

    def until(self, last_as_of: int) -> pd.DataFrame:
        return self.frame[self.frame["as_of"] <= last_as_of]


def left_within(history: History, as_of: int, horizon: int) -> pd.Series:
    """Per student active on ``as_of``: no membership of theirs open ``horizon`` days later."""
    later = as_of + horizon
    known = history.known_on(later)
    now = active_on(known.known_on(as_of), as_of)["student_id"].unique()
    still = set(active_on(known, later)["student_id"])
    import pandas as pd

    return pd.Series([s not in still for s in now], index=pd.Index(now, name="student_id"), dtype=bool)


def training_grid(history: History, *, last_as_of: int, horizon: int = HORIZON_DAYS) -> Grid:
    """Rows for every weekly date up to ``last_as_of`` (whose label date ``last_as_of + horizon`` must
    have passed for the caller)."""
    import pandas as pd

    first = history.first_day
    frames = []
    if first is not None:
        for as_of in range(first + WARM_UP_DAYS, last_as_of + 1, STEP_DAYS):
            features = dropout_features(history, as_of)
            if features.empty:
                continue
            left = left_within(history, as_of, horizon).reindex(features.index).fillna(False)
            frames.append(features.assign(as_of=as_of, left=left.astype(bool)).reset_index())
    columns = ["student_id", "as_of", "left", *FEATURES]
    return Grid(pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns))


def fit_dropout(grid: Grid, *, known_until: int, horizon: int = HORIZON_DAYS) -> LogisticModel | None:
    """The model fitted on the rows whose outcome was known by ``known_until``; None without enough
    leavers."""
    rows = grid.until(known_until - horizon)
    if rows.empty or rows.loc[rows["left"], "student_id"].nunique() < MIN_LEAVERS:
        return None
    return fit_logistic("dropout", rows, rows["left"].to_numpy(dtype=int), FEATURES)


# -- the rules and the baselines, on the same known history -------------------------------------


def rule_scores(history: History, as_of: int, features: pd.DataFrame) -> pd.Series:
    """``rules.assess`` as ``dropout_risk`` applies it (recent 4 weeks against the 8 before), unlisted 0."""
    known = history.known_on(as_of)
    marks = known.marks[known.marks["day"] > as_of - rules.BASELINE_DAYS]
    recent = marks["day"] > as_of - rules.RECENT_DAYS
    stats = (
        marks.assign(
            recent=recent, r_came=recent & marks["came"], b_came=~recent & marks["came"], before=~recent
        )
        .groupby("student_id")[["recent", "r_came", "before", "b_came"]]
        .sum()
        .reindex(features.index, fill_value=0)
    )
    ordered = marks.sort_values("day", ascending=False)
    ordered = ordered.assign(nth=ordered.groupby("student_id").cumcount())
    not_absent = ordered[~ordered["absent"]].groupby("student_id")["nth"].min()
    total = ordered.groupby("student_id").size()
    streak = not_absent.reindex(features.index).fillna(total.reindex(features.index).fillna(0))
    scores = []
    for sid in features.index:
        s = stats.loc[sid]
        risk = rules.assess(
            rules.RiskFeatures(
                recent_marks=int(s["recent"]),
                recent_attended=int(s["r_came"]),
                before_marks=int(s["before"]),
                before_attended=int(s["b_came"]),
                absent_streak=int(streak.loc[sid]),
                days_overdue=int(features.loc[sid, "overdue"]),
                tenure_days=int(features.loc[sid, "tenure"]),
            )
        )
        scores.append(risk.score if risk.listed else 0.0)
    import pandas as pd

    return pd.Series(scores, index=features.index, dtype=float)


def absent_last_two(history: History, as_of: int, index: pd.Index) -> pd.Series:
    """Baseline: absent (not excused) at both of their last two marks."""
    marks = history.known_on(as_of).marks
    last = marks.sort_values("day", ascending=False).groupby("student_id").head(2)
    both = last.groupby("student_id")["absent"].agg(["sum", "size"])
    flagged = (both["sum"] == 2) & (both["size"] == 2)
    return flagged.reindex(index, fill_value=False).astype(float)


def unseen_for(history: History, as_of: int, index: pd.Index, days: int = 21) -> pd.Series:
    """Baseline: not seen in class (present or late) for ``days`` days."""
    marks = history.known_on(as_of).marks
    seen = marks[marks["came"]].groupby("student_id")["day"].max().reindex(index)
    return ((as_of - seen).fillna(np.inf) >= days).astype(float)
