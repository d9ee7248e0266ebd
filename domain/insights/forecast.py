"""Tuition forecast for the next months: today's memberships, less who is expected to leave, plus joiners.

For each month ahead: the monthly tuition of every student with an open membership (their latest full
month's charge), kept with the chance they stay (the dropout model's probabilities when there is one,
else the organization's own leaving rate over the last six months), plus what the last six months'
new students brought in their first full month, at the same pace.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from domain.insights.features import active_on
from domain.insights.history import History
from domain.payments.rules import month_shift

LOOKBACK_MONTHS = 6


@dataclass(frozen=True)
class MonthForecast:
    month: date
    expected: float  # a model's figure; money shown to people is rounded from it by the caller


def monthly_tuition(history: History) -> dict[date, float]:
    totals = history.charges.groupby("month")["amount"].sum()
    return {date.fromordinal(int(str(m))): float(v) for m, v in totals.items()}


def forecast(
    history: History, as_of: date, *, months: int = 3, leave_probability: dict[object, float] | None = None
) -> list[MonthForecast]:
    """Months after ``as_of``'s month, from what was known on ``as_of``."""
    day = as_of.toordinal()
    known = history.known_on(day)
    active = active_on(known, day)["student_id"].unique()
    charges = known.charges[known.charges["student_id"].isin(active)]
    this_month = as_of.replace(day=1).toordinal()
    full = charges[charges["month"] < this_month].sort_values("month").groupby("student_id").tail(2)
    fee = full.groupby("student_id")["amount"].max()
    fresh = charges[charges["month"] == this_month].groupby("student_id")["amount"].max()
    fee = fee.combine_first(fresh)
    start = month_shift(as_of, -LOOKBACK_MONTHS).toordinal()
    first = known.members.groupby("student_id")["start"].min()
    last = known.members.groupby("student_id")["end"].max()
    # Those already there when the records begin did not join then: the history just starts with them.
    joiners = first[(first >= max(start, (history.first_day or 0) + 31)) & (first <= day)]
    join_rate = len(joiners) / max(
        1.0, min(LOOKBACK_MONTHS, (day - max(start, (history.first_day or 0) + 31)) / 30.4)
    )
    leavers = last[(last >= start) & (last <= day)]
    active_then = max(1.0, (len(active) + len(leavers) / 2))
    monthly_leave = min(0.5, len(leavers) / LOOKBACK_MONTHS / active_then)
    mean_fee = float(fee.mean()) if len(fee) else 0.0
    out = []
    for k in range(1, months + 1):
        if leave_probability:
            per_month = np.array(
                [min(0.9, leave_probability.get(s, monthly_leave) * 30 / 42) for s in fee.index]
            )
            stay = (1 - per_month) ** k
            kept = float((fee.to_numpy() * stay).sum())
        else:
            kept = float(fee.sum()) * (1 - monthly_leave) ** k
        joined = join_rate * mean_fee * k * (1 - monthly_leave) ** (k / 2)
        out.append(MonthForecast(month=month_shift(as_of, k), expected=kept + joined))
    return out
