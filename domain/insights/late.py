"""Who will pay next month's tuition late: features from recorded payments only, labels from the history.

A charge was paid late when it was not settled within ``GRACE_DAYS`` of its due date, as known at
that moment (a payment recorded later does not make it on time). The label of a date is about the
student's next charge falling due after it, and is used only once that charge's grace has passed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from domain.insights.features import active_on
from domain.insights.history import History
from domain.insights.model import LogisticModel, fit_logistic

if TYPE_CHECKING:
    import pandas as pd

GRACE_DAYS = 7
STEP_DAYS = 14
MIN_LATE = 6  # distinct students seen paying late before a model is fitted
LISTED_FROM = 0.5
FEATURES = ("late_share", "mean_late", "overdue_days", "charges_due")


def late_features(history: History, as_of: int) -> pd.DataFrame:
    """Per student active on ``as_of``: the share of their last six due charges settled late (or still
    open past the grace), their mean days late, the oldest open charge's days overdue, how many fell due."""
    import pandas as pd

    known = history.known_on(as_of)
    students = pd.Index(sorted(active_on(known, as_of)["student_id"].unique()), name="student_id")
    charges = known.charges[
        (known.charges["due"] + GRACE_DAYS < as_of) & known.charges["student_id"].isin(students)
    ]
    paid = known.paid.groupby("charge_id").agg(received=("received", "max"), amount=("amount", "sum"))
    c = charges.merge(paid, left_on="charge_id", right_index=True, how="left", suffixes=("", "_paid"))
    settled = c["amount_paid"].fillna(0) >= c["amount"] - 0.005
    days_late = np.where(settled, c["received"] - c["due"], as_of - c["due"]).astype(float)
    c = c.assign(days_late=np.clip(days_late, -5, 60), late=days_late > GRACE_DAYS, open=~settled)
    recent = c.sort_values("due", ascending=False).groupby("student_id").head(6)
    per = recent.groupby("student_id").agg(
        late_share=("late", "mean"), mean_late=("days_late", "mean"), charges_due=("late", "size")
    )
    out = per.reindex(students)
    prior = float(c["late"].mean()) if len(c) else 0.1
    out["late_share"] = ((out["late_share"] * out["charges_due"]).fillna(0) + prior) / (
        out["charges_due"].fillna(0) + 1
    )
    out["mean_late"] = out["mean_late"].fillna(float(c["days_late"].mean()) if len(c) else 0.0)
    out["charges_due"] = np.log1p(out["charges_due"].fillna(0))
    oldest_open = c[c["open"]].groupby("student_id")["due"].min()
    out["overdue_days"] = (as_of - oldest_open).reindex(students).fillna(0.0).clip(upper=90).astype(float)
    out["late_streak"] = per["late_share"].reindex(students)  # raw share, for the reason's wording
    out["charges_raw"] = per["charges_due"].reindex(students).fillna(0)
    return out


def settled_in_grace(history: History) -> pd.Series:
    """Per charge (index: charge_id): whether payments received by its due date plus the grace covered it."""
    c = history.charges.set_index("charge_id")
    paid = history.paid.join(c["due"], on="charge_id")
    in_time = paid[paid["received"] <= paid["due"] + GRACE_DAYS].groupby("charge_id")["amount"].sum()
    return in_time.reindex(c.index).fillna(0.0) >= c["amount"] - 0.005


def paid_next_late(history: History, as_of: int, on_time: pd.Series) -> pd.DataFrame:
    """Per student with a charge falling due in the 5 weeks after ``as_of``: was the first one late?
    (index: student_id; a column ``known_on``: the day that answer became known)."""
    charges = history.charges
    nxt = charges[(charges["due"] > as_of) & (charges["due"] <= as_of + 35)]
    nxt = nxt.sort_values("due").groupby("student_id").head(1).set_index("student_id")
    return nxt.assign(
        late=~on_time.reindex(nxt["charge_id"]).to_numpy(dtype=bool), known_on=nxt["due"] + GRACE_DAYS
    )[["late", "known_on"]]


def late_grid(history: History, *, last_as_of: int) -> pd.DataFrame:
    """Training rows every two weeks: features on the date, whether the next charge was paid late."""
    import pandas as pd

    first = history.first_day
    on_time = settled_in_grace(history)
    frames = []
    if first is not None:
        for as_of in range(first + 35, last_as_of + 1, STEP_DAYS):
            features = late_features(history, as_of)
            labels = paid_next_late(history, as_of, on_time)
            rows = features.join(labels, how="inner")
            frames.append(rows.assign(as_of=as_of).reset_index())
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def fit_late(grid: pd.DataFrame, *, known_until: int) -> LogisticModel | None:
    """Fitted on the rows whose next charge's grace had passed by ``known_until``; None with too few
    late payers."""
    rows = grid[grid["known_on"] <= known_until] if len(grid) else grid
    if rows.empty or rows.loc[rows["late"], "student_id"].nunique() < MIN_LATE:
        return None
    return fit_logistic("late_payment", rows, rows["late"].to_numpy(dtype=int), FEATURES)


def late_scores(history: History, as_of: int, model: LogisticModel | None) -> pd.Series:
    """Probability of paying next month late; without a model, the share of recent charges paid late."""
    import pandas as pd

    features = late_features(history, as_of)
    if model is None:
        return features["late_share"].astype(float)
    return pd.Series(model.probability(features), index=features.index)
