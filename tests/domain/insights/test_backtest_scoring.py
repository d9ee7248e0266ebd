"""The back-test's own arithmetic: a scorer that knows the answer, one that has it backwards, one that
says nothing, and the lists' precision at k when scores tie across the cut."""

from __future__ import annotations

import pytest

from domain.insights.backtest.scoring import auc, median_lead, precision_at, precision_recall

LABELS = [True, False, True, False, False, True, False, False]


def test_a_perfect_scorer_gets_auc_1_a_reversed_one_0_and_ties_half() -> None:
    perfect = [1.0 if y else 0.0 for y in LABELS]
    assert auc(LABELS, perfect) == 1.0
    assert auc(LABELS, [-s for s in perfect]) == 0.0
    assert auc(LABELS, [0.3] * len(LABELS)) == 0.5


def test_auc_counts_a_tie_between_a_positive_and_a_negative_as_half() -> None:
    # one positive above both negatives, the other tied with one negative: (2 + 1 + 0.5 + 0) / 4
    assert auc([True, True, False, False], [0.9, 0.5, 0.5, 0.1]) == pytest.approx(0.875)


def test_auc_is_undefined_with_one_class_only() -> None:
    assert auc([True, True], [0.1, 0.2]) is None
    assert auc([False, False], [0.1, 0.2]) is None


def test_precision_and_recall_of_what_is_listed() -> None:
    listed = [True, True, False, False, False, True, True, False]
    precision, recall = precision_recall(LABELS, listed)
    assert precision == 0.5
    assert recall == pytest.approx(2 / 3)
    assert precision_recall(LABELS, [False] * len(LABELS)) == (None, 0.0)


def test_precision_at_k_shares_a_tie_across_the_cut_in_proportion() -> None:
    scores = [0.9, 0.8, 0.1, 0.1, 0.1, 0.1, 0.0, 0.0]
    assert precision_at(LABELS, scores, 1) == 1.0
    assert precision_at(LABELS, scores, 2) == 0.5
    # places 3-4 go to four tied students of whom two (indexes 2 and 5) leave: 2 × 2/4 expected hits
    assert precision_at(LABELS, scores, 4) == pytest.approx((1 + 1) / 4)
    # the same whatever order the rows come in
    order = [7, 3, 5, 0, 2, 6, 1, 4]
    assert precision_at([LABELS[i] for i in order], [scores[i] for i in order], 4) == pytest.approx(2 / 4)


def test_a_constant_scorer_gets_the_base_rate_at_any_k() -> None:
    base = sum(LABELS) / len(LABELS)
    for k in (1, 3, 8, 20):
        assert precision_at(LABELS, [0.0] * len(LABELS), k) == pytest.approx(base)


def test_median_lead_counts_only_leavers_ever_listed() -> None:
    assert median_lead({"a": 100, "b": 110, "c": 130}, {"a": 130, "b": 130, "d": 150}) == 25.0
    assert median_lead({}, {"a": 1}) is None
