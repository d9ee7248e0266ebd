"""Review of issue 20: the new payment feature (``late_last``) is money, so a teacher's dropout list owes
nothing to it: held at the model's average, it moves nobody's probability and is never a reason."""

from __future__ import annotations

import numpy as np

from domain.insights.explain import MONEY_FEATURES, explain, neutral_money
from domain.insights.features import FEATURES, dropout_features
from domain.insights.model import LogisticModel
from tests.domain.insights.test_dropout_causes import ANA, AS_OF, _history


def _leaning_on_late_last() -> LogisticModel:
    return LogisticModel(
        kind="dropout",
        features=list(FEATURES),
        mean=[0.0] * len(FEATURES),
        scale=[1.0] * len(FEATURES),
        coef=[2.0 if f == "late_last" else 0.0 for f in FEATURES],
        intercept=-2.0,
        rows=1,
        positives=1,
    )


def test_paying_later_than_usual_counts_for_the_office_and_not_for_a_teacher() -> None:
    assert "late_last" in MONEY_FEATURES
    model = _leaning_on_late_last()
    features = dropout_features(_history(), AS_OF)
    ana = list(features.index).index(ANA)
    # Positive control: the office's view leans on Ana's late latest month, and says so.
    office = model.probability(features)
    assert office[ana] > max(np.delete(office, ana))
    codes = [
        r.code for r in explain(model, features.iloc[ana], model.contributions(features)[ana], money=True)[1]
    ]
    assert codes == ["paying_later"]
    # A teacher's view: everyone alike, and no payment reason.
    held = neutral_money(model, features)
    teacher = model.probability(held)
    assert np.allclose(teacher, teacher[0])
    assert explain(model, held.iloc[ana], model.contributions(held)[ana], money=False) == ([], [])
