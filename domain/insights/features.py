"""Dropout features of every active student on a date, from what the organization knew that day.

Pure (frames in, a frame out): ``History.known_on`` cuts the history first, so nothing after the
as-of date can leak in, and the demo's hidden truth (``simulated_traits``) is never among the inputs.

Rates are compared with the whole organization's rate over the same weeks (summer, the weeks after
the recital and the Christmas break lower everyone's) and shrunk towards it when a student has few
marks, so one missed class of a once-a-week student does not look like a collapse.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from domain.insights.history import OPEN, History

if TYPE_CHECKING:
    import pandas as pd

BASE_DAYS = 182  # the student's usual: the half year before the recent weeks
RECENT = (14, 28, 42)
SHRINK = 2.0  # marks' worth of the organization's rate added to a student's own
FEATURES = (
    "fall_14",
    "fall_28",
    "fall_42",
    "absent_last3",
    "shortfall",
    "absent_streak",
    "days_unseen",
    "group_fall_28",
    "tenure_log",
    "groups_now",
    "moved_recently",
    "lateness",
    "overdue_days",
    "org_fall_28",
    "summer",
    "term_break_ahead",
    "new_teacher",
    "groupmates_left",
    "late_last",
)
NEW_TEACHER_DAYS = 112  # a group's regular teacher changed this recently: its students are unsettled
GROUPMATES_DAYS = 28  # classmates who left the school this recently
# Where a Spanish school's course breaks and people decide whether to go on: the end of the season in
# the second half of June, the return in September, January after Christmas.
TERM_BREAKS = (((6, 15), (6, 30)), ((9, 1), (9, 30)), ((1, 1), (1, 31)))
LOOKAHEAD_DAYS = 42


def _logit(p: ArrayLike) -> np.ndarray:
    q = np.clip(np.asarray(p, dtype=float), 0.02, 0.98)
    return np.asarray(np.log(q / (1 - q)))


def active_on(history: History, as_of: int) -> pd.DataFrame:
    m = history.members
    return m[(m["start"] <= as_of) & (m["end"] > as_of)]


def _rate(came: pd.Series, n: pd.Series, prior: float) -> pd.Series:
    return (came + SHRINK * prior) / (n + SHRINK)


def dropout_features(history: History, as_of: int) -> pd.DataFrame:
    """One row per student with a membership open on ``as_of`` (index: student_id), ``FEATURES`` columns
    plus the raw figures reasons quote (``rate_base``, ``rate_28``, ``streak``, ``tenure``, ``overdue``)."""
    import pandas as pd

    known = history.known_on(as_of)
    active = active_on(known, as_of)
    students = pd.Index(sorted(active["student_id"].unique()), name="student_id")
    out = pd.DataFrame(index=students)
    if students.empty:
        return out.assign(**{f: [] for f in FEATURES})
    marks = known.marks[known.marks["day"] > as_of - max(RECENT) - BASE_DAYS]
    marks = marks[marks["student_id"].isin(students)]
    age = as_of - marks["day"]
    windows = {f"r{d}": age < d for d in RECENT} | {"base": age >= max(RECENT)}
    org = {k: (marks.loc[w, "came"].mean() if w.any() else np.nan) for k, w in windows.items()}
    org_base = org["base"] if not np.isnan(org["base"]) else 0.8
    for key, window in windows.items():
        prior = org[key] if not np.isnan(org[key]) else org_base
        grouped = (
            marks[window].groupby("student_id")["came"].agg(["sum", "size"]).reindex(students, fill_value=0)
        )
        out[f"n_{key}"] = grouped["size"]
        out[f"rate_{key}"] = _rate(grouped["sum"], grouped["size"], prior)
        out[f"raw_{key}"] = grouped["sum"] / grouped["size"].where(grouped["size"] > 0)
    for d in RECENT:
        org_r = org[f"r{d}"] if not np.isnan(org[f"r{d}"]) else org_base
        seasonal = _logit(org_base) - _logit(org_r)
        out[f"fall_{d}"] = _logit(out["rate_base"]) - _logit(out[f"rate_r{d}"]) - seasonal
    org_r28 = org["r28"] if not np.isnan(org["r28"]) else org_base
    out["shortfall"] = _shortfall(marks, as_of, out["rate_base"], org_base)
    out["org_fall_28"] = float(_logit(org_base) - _logit(org_r28))
    # The last marks, whatever their dates: robust to closed weeks.
    ordered = marks.sort_values(["student_id", "day"], ascending=[True, False])
    ordered = ordered.assign(nth=ordered.groupby("student_id").cumcount())
    last3 = ordered[ordered["nth"] < 3].groupby("student_id")["came"].agg(["sum", "size"])
    last3 = last3.reindex(students, fill_value=0)
    out["absent_last3"] = (last3["size"] - last3["sum"]) + (3 - last3["size"]) * (1 - org_base)
    first_came = ordered[ordered["came"]].groupby("student_id")["nth"].min()
    counts = ordered.groupby("student_id").size()
    out["streak"] = first_came.reindex(students).fillna(counts.reindex(students).fillna(0)).astype(int)
    out["absent_streak"] = out["streak"].clip(upper=6)
    last_seen = marks[marks["came"]].groupby("student_id")["day"].max().reindex(students)
    last_class = marks["day"].max() if len(marks) else as_of
    out["days_unseen"] = ((last_class - last_seen).fillna(60)).clip(0, 60)
    # The student's groups' own trend.
    group_rates = marks.assign(recent=age < 28).groupby(["group_id", "recent"])["came"].mean().unstack()
    group_fall = pd.Series(0.0, index=group_rates.index)
    if True in group_rates.columns and False in group_rates.columns:
        group_fall = pd.Series(
            _logit(group_rates[False].fillna(org_base)) - _logit(group_rates[True].fillna(org_r28)),
            index=group_rates.index,
        ) - float(out["org_fall_28"].iloc[0])
    now = active.assign(fall=active["group_id"].map(group_fall).fillna(0.0))
    out["group_fall_28"] = now.groupby("student_id")["fall"].mean().reindex(students).fillna(0.0)
    out["groups_now"] = active.groupby("student_id").size().reindex(students).fillna(0)
    first_start = known.members.groupby("student_id")["start"].min().reindex(students)
    out["tenure"] = (as_of - first_start).astype(int)
    out["tenure_log"] = np.log1p(out["tenure"].clip(lower=0))
    ended = known.members[(known.members["end"] != OPEN) & (known.members["end"] > as_of - 120)]
    out["moved_recently"] = ended.groupby("student_id").size().reindex(students).fillna(0).clip(upper=2)
    lateness, overdue, late_last = payment_lateness(known, as_of, students)
    out["lateness"] = lateness
    out["overdue_days"] = overdue.clip(upper=90)
    out["overdue"] = overdue
    out["late_last"] = late_last
    month = _month(as_of)
    out["summer"] = 1.0 if month in (6, 7) else 0.0
    out["term_break_ahead"] = term_break_ahead(as_of)
    out["new_teacher"] = _new_teacher(marks, active, as_of).reindex(students).fillna(0.0)
    out["groupmates_left"] = _groupmates_left(known, active, as_of).reindex(students).fillna(0.0)
    return out


def term_break_ahead(as_of: int, days: int = LOOKAHEAD_DAYS) -> float:
    """The share of the coming weeks that fall where a course breaks (``TERM_BREAKS``)."""
    from datetime import date

    def at_break(day: date) -> bool:
        return any((m0, d0) <= (day.month, day.day) <= (m1, d1) for (m0, d0), (m1, d1) in TERM_BREAKS)

    return sum(at_break(date.fromordinal(as_of + k)) for k in range(1, days + 1)) / days


def _new_teacher(marks: pd.DataFrame, active: pd.DataFrame, as_of: int) -> pd.Series:
    """1 for a student whose group's regular teacher changed within ``NEW_TEACHER_DAYS``: the group's
    latest class had another regular teacher than its last class before that window. (Not the most
    frequent one before it: that would still read a change up to half as long again as "recent".)"""

    classes = marks.drop_duplicates(["group_id", "day"])[["group_id", "day", "teacher_id"]]
    classes = classes.sort_values(["group_id", "day"], kind="stable")
    latest = classes.groupby("group_id")["teacher_id"].last()
    before = classes[classes["day"] <= as_of - NEW_TEACHER_DAYS]
    usual = before.groupby("group_id")["teacher_id"].last()
    changed = (latest.reindex(usual.index) != usual).astype(float)
    per_student = active.assign(new=active["group_id"].map(changed).fillna(0.0))
    result: pd.Series = per_student.groupby("student_id")["new"].max()
    return result


def _groupmates_left(known: History, active: pd.DataFrame, as_of: int) -> pd.Series:
    """How many of a student's current classmates left the school in the last ``GROUPMATES_DAYS``
    (friends often leave together), at most 3."""

    members = known.members
    still = set(active["student_id"])
    recent = members[
        (members["end"] > as_of - GROUPMATES_DAYS)
        & (members["end"] <= as_of)
        & ~members["student_id"].isin(still)
    ]
    # Each classmate once, however many of the student's groups they shared.
    pairs = active[["student_id", "group_id"]].merge(
        recent[["group_id", "student_id"]].rename(columns={"student_id": "leaver"}), on="group_id"
    )
    result: pd.Series = pairs.groupby("student_id")["leaver"].nunique().astype(float).clip(upper=3)
    return result


def _shortfall(marks: pd.DataFrame, as_of: int, usual: pd.Series, org_base: float) -> pd.Series:
    """How far below their usual a student came over the last six weeks, recent marks weighing most,
    as a z-score: each mark's expected chance is their usual rate times that week's organization-wide
    rate over its usual (the season), and a mark's weight falls from 1 today to 0 six weeks ago."""
    recent = marks[marks["day"] > as_of - max(RECENT)]
    week = recent["day"] // 7
    season = (recent.groupby(week)["came"].transform("mean") / max(org_base, 0.05)).clip(0.3, 1.2)
    expected = (recent["student_id"].map(usual).to_numpy() * season.to_numpy()).clip(0.02, 0.98)
    weight = 1 - (as_of - recent["day"].to_numpy()) / max(RECENT)
    gap = weight * (expected - recent["came"].to_numpy())
    spread = weight**2 * expected * (1 - expected)
    sums = recent.assign(gap=gap, spread=spread).groupby("student_id")[["gap", "spread"]].sum()
    z: pd.Series = (sums["gap"] / np.sqrt(sums["spread"] + 0.25)).reindex(usual.index).fillna(0.0)
    return z


def _month(day: int) -> int:
    from datetime import date

    return date.fromordinal(day).month


def payment_lateness(
    known: History, as_of: int, students: pd.Index, last: int = 6
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Per student: mean days late of their last ``last`` tuition charges already due (a charge still
    unpaid counts as late as it is so far), how many days the oldest unpaid one is overdue, and how late
    the latest one was against that mean (paying later than one's habit)."""
    import pandas as pd

    charges = known.charges[(known.charges["due"] < as_of) & known.charges["student_id"].isin(students)]
    if charges.empty:
        zero = pd.Series(0.0, index=students)
        return zero, zero.copy(), zero.copy()
    paid_on = known.paid.groupby("charge_id").agg(received=("received", "max"), amount=("amount", "sum"))
    c = charges.merge(paid_on, left_on="charge_id", right_index=True, how="left", suffixes=("", "_paid"))
    settled = c["amount_paid"].fillna(0) >= c["amount"] - 0.005
    days_late = np.where(settled, c["received"] - c["due"], as_of - c["due"]).astype(float)
    c = c.assign(late=np.clip(days_late, -5, 60), unpaid=~settled).sort_values("due", ascending=False)
    recent = c.groupby("student_id").head(last)
    lateness = recent.groupby("student_id")["late"].mean().reindex(students).fillna(0.0)
    oldest = c[c["unpaid"]].groupby("student_id")["due"].min()
    overdue = (as_of - oldest).reindex(students).fillna(0.0).astype(float)
    latest = c.groupby("student_id")["late"].first().reindex(students).fillna(0.0)
    return lateness, overdue, latest - lateness
