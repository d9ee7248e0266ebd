"""Review of issue 20's ``groupmates_left``: a student in two groups counts each classmate who left once,
however many of the student's groups the classmate shared (the reason says "N of their classmates")."""

from __future__ import annotations

from datetime import date

import pandas as pd

from domain.insights.features import dropout_features
from domain.insights.history import OPEN, History

AS_OF = date(2026, 5, 14).toordinal()
SALSA, BACHATA = 1, 2
ANA, BEA, CARLOS, ELSA = 10, 11, 12, 13
TEACHER = 20


def _history() -> History:
    """Ana and Elsa in Salsa and Bachata; Bea (in both) and Carlos (Bachata only) left ten days ago."""
    start, gone = AS_OF - 400, AS_OF - 10
    members = [
        (ANA, SALSA, start, OPEN),
        (ANA, BACHATA, start, OPEN),
        (ELSA, SALSA, start, OPEN),
        (BEA, SALSA, start, gone),
        (BEA, BACHATA, start, gone),
        (CARLOS, BACHATA, start, gone),
    ]
    marks = [
        (student, group, AS_OF - 7 * week, True, False, TEACHER)
        for week in range(1, 20)
        for student, group, _s, end in members
        if AS_OF - 7 * week <= end
    ]
    return History(
        marks=pd.DataFrame(marks, columns=["student_id", "group_id", "day", "came", "absent", "teacher_id"]),
        members=pd.DataFrame(members, columns=["student_id", "group_id", "start", "end"]),
        charges=pd.DataFrame(columns=["charge_id", "student_id", "due", "month", "amount"]),
        paid=pd.DataFrame(columns=["charge_id", "received", "amount"]),
    )


def test_a_classmate_shared_in_two_groups_counts_once() -> None:
    left = dropout_features(_history(), AS_OF)["groupmates_left"]
    assert float(left[ANA]) == 2.0  # Bea and Carlos; before the review, Bea counted twice: 3
    assert float(left[ELSA]) == 1.0  # Bea only: Salsa (the control)
