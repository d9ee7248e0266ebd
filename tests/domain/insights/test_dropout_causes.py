"""The dropout features that read a cause of leaving, not only its symptom: the group's teacher changed,
classmates just left, the latest tuition paid later than the student's habit, a course break ahead —
each on a hand-built history where one student has the cause and another (the control) does not, and
each worded as a reason in English and Spanish."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from domain.insights.explain import explain
from domain.insights.features import FEATURES, dropout_features, term_break_ahead
from domain.insights.history import OPEN, History
from domain.insights.model import LogisticModel
from tools.insights import _reasons
from tools.speech import Speech

AS_OF = date(2026, 5, 14).toordinal()
SALSA, BACHATA = 1, 2  # groups
ANA, BEA, CARLOS, DORA, ELSA = 10, 11, 12, 13, 14  # students
OLD_TEACHER, NEW_TEACHER, BACHATA_TEACHER = 20, 21, 22


def _history() -> History:
    """Ana in Salsa (whose teacher changed five weeks ago), Bea in Bachata with Carlos and Dora, who both
    left the school ten days ago, and Elsa in Bachata since long before. Ana paid on time but the latest
    month 25 days late; Bea always about 3 days late, the latest too."""
    weeks = range(1, 31)
    marks = []
    for w in weeks:
        day = AS_OF - 7 * w + 3
        salsa_teacher = NEW_TEACHER if w <= 5 else OLD_TEACHER
        marks.append((ANA, SALSA, day, True, False, salsa_teacher))
        for student in (BEA, ELSA) + ((CARLOS, DORA) if day <= AS_OF - 10 else ()):
            marks.append((student, BACHATA, day, True, False, BACHATA_TEACHER))
    start = AS_OF - 400
    members = [
        (ANA, SALSA, start, OPEN),
        (BEA, BACHATA, start, OPEN),
        (ELSA, BACHATA, start, OPEN),
        (CARLOS, BACHATA, start, AS_OF - 10),
        (DORA, BACHATA, start, AS_OF - 10),
    ]
    charges, paid = [], []
    for n, month in enumerate(range(6)):
        due = AS_OF - 30 * (6 - month) + 5
        for student, late in ((ANA, 25 if month == 5 else 0), (BEA, 3)):
            charge = 100 * student + n
            charges.append((charge, student, due, due - 4, 45.0))
            paid.append((charge, due + late, 45.0))
    return History(
        marks=pd.DataFrame(marks, columns=["student_id", "group_id", "day", "came", "absent", "teacher_id"]),
        members=pd.DataFrame(members, columns=["student_id", "group_id", "start", "end"]),
        charges=pd.DataFrame(charges, columns=["charge_id", "student_id", "due", "month", "amount"]),
        paid=pd.DataFrame(paid, columns=["charge_id", "received", "amount"]),
    )


def test_each_cause_is_read_for_the_student_who_has_it_and_not_for_the_control() -> None:
    features = dropout_features(_history(), AS_OF)
    assert set(features.index) == {ANA, BEA, ELSA}
    new_teacher, classmates_left = features["new_teacher"], features["groupmates_left"]
    assert float(new_teacher[ANA]) == 1 and float(new_teacher[BEA]) == 0
    assert float(classmates_left[BEA]) == 2 and float(classmates_left[ANA]) == 0
    # Ana's latest month was 25 days late against a habit of ~4: paying later than usual; Bea, as usual.
    late_last = features["late_last"]
    assert float(late_last[ANA]) > 15 and abs(float(late_last[BEA])) < 1


def test_a_course_break_ahead_is_the_share_of_the_coming_weeks_at_a_break() -> None:
    assert term_break_ahead(date(2026, 11, 2).toordinal()) == 0  # mid-term
    assert term_break_ahead(date(2026, 8, 31).toordinal()) == 30 / 42  # September, then mid-October
    assert 0 < term_break_ahead(date(2026, 6, 1).toordinal()) < 1  # the second half of June, then July


def test_the_causes_are_said_as_reasons_in_english_and_spanish() -> None:
    features = dropout_features(_history(), AS_OF)
    leaning = {"new_teacher": 1.0, "groupmates_left": 1.0, "late_last": 1.0}
    model = LogisticModel(
        kind="dropout",
        features=list(FEATURES),
        mean=[0.0] * len(FEATURES),
        scale=[1.0] * len(FEATURES),
        coef=[leaning.get(f, 0.0) for f in FEATURES],
        intercept=-2.0,
        rows=1,
        positives=1,
    )
    parts = model.contributions(features)
    rows = {sid: features.iloc[i] for i, sid in enumerate(features.index)}
    said = {sid: explain(model, rows[sid], parts[i], money=True) for i, sid in enumerate(features.index)}
    assert said[ANA][0] == [
        "paid the latest tuition 20 days later than usual",
        "their group's teacher changed recently",
    ]
    assert said[BEA][0] == ["2 of their classmates left in the last 4 weeks"]
    assert said[ELSA][0] == ["2 of their classmates left in the last 4 weeks"]
    # Without money (a teacher's list), Ana's payment is not a reason.
    assert [r.code for r in explain(model, rows[ANA], parts[0], money=False)[1]] == ["new_teacher"]
    spanish = Speech("es")
    assert _reasons(spanish, "risk.reason", said[ANA][1]) == [
        "pagó la última cuota 20 días más tarde de lo habitual",
        "su grupo ha cambiado de profesor hace poco",
    ]
    assert _reasons(spanish, "risk.reason", said[BEA][1]) == [
        "2 compañeros de su grupo se han ido en las últimas 4 semanas"
    ]
    assert np.isfinite(features[list(FEATURES)].to_numpy(dtype=float)).all()
