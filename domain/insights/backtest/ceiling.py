"""A reference, not a product: how well anyone could rank leavers from attendance, knowing the simulator.

The simulator (``domain.demo.simulator._decay``) fades a leaver's chance of coming linearly to 30% over
the six weeks before they leave. This scorer knows that law (not who leaves): it scores each student
by the likelihood ratio of their last six weeks of marks under "leaves within the horizon" (the day
uniform over it) against "stays", with their own usual rate from the half year before. No scorer that
reads only attendance can be expected to do much better, so it bounds what the targets may ask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from domain.insights.history import History

if TYPE_CHECKING:
    import pandas as pd

DECAY_DAYS = 42
FLOOR = 0.3


def ceiling_scores(history: History, as_of: int, features: pd.DataFrame, horizon: int) -> np.ndarray:
    marks = history.known_on(as_of).marks
    recent = marks[(marks["day"] > as_of - DECAY_DAYS) & marks["student_id"].isin(features.index)]
    by_student = {sid: rows for sid, rows in recent.groupby("student_id")}
    days_left = np.arange(1, horizon + 1, dtype=float)[:, None]
    out = np.zeros(len(features))
    for i, sid in enumerate(features.index):
        rows = by_student.get(sid)
        if rows is None or rows.empty:
            continue
        usual = float(np.clip(features.loc[sid, "rate_base"], 0.05, 0.98))
        age = (as_of - rows["day"].to_numpy(dtype=float))[None, :]
        came = rows["came"].to_numpy(dtype=bool)[None, :]
        weeks = days_left + age
        fade = np.where(weeks >= DECAY_DAYS, 1.0, FLOOR + (1 - FLOOR) * weeks / DECAY_DAYS)
        chance = usual * fade
        leaving = np.where(came, chance, 1 - chance).prod(axis=1).mean()
        staying = np.where(came[0], usual, 1 - usual).prod()
        out[i] = np.log(leaving / staying)
    return out
