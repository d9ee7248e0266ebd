"""How good a list is: AUC, precision and recall of what is listed, precision in the top k, lead time.

Pure functions on plain sequences. Ties count half (AUC) and share the last places of a top-k list in
proportion (precision@k is then the expected value under random tie-breaking), so a scorer that gives
everyone the same score gets AUC 0.5 and the base rate, whatever order its input came in.
"""

from __future__ import annotations

from statistics import median

import numpy as np
from numpy.typing import ArrayLike


def auc(labels: ArrayLike, scores: ArrayLike) -> float | None:
    """Probability that a random positive outscores a random negative (ties: half). None: one class only."""
    y = np.asarray(labels, dtype=bool)
    s = np.asarray(scores, dtype=float)
    positives, negatives = int(y.sum()), int((~y).sum())
    if positives == 0 or negatives == 0:
        return None
    ranks = _average_ranks(s)
    return float((ranks[y].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks from 1, tied values sharing the mean of the ranks they span."""
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    return np.asarray((ends - (counts - 1) / 2)[inverse], dtype=float)


def precision_recall(labels: ArrayLike, listed: ArrayLike) -> tuple[float | None, float | None]:
    y = np.asarray(labels, dtype=bool)
    flagged = np.asarray(listed, dtype=bool)
    hits = int((y & flagged).sum())
    precision = hits / int(flagged.sum()) if flagged.any() else None
    recall = hits / int(y.sum()) if y.any() else None
    return precision, recall


def precision_at(labels: ArrayLike, scores: ArrayLike, k: int) -> float | None:
    """Share of positives among the k highest scores; a tie across the cut counts in proportion."""
    y = np.asarray(labels, dtype=float)
    s = np.asarray(scores, dtype=float)
    if len(y) == 0 or k <= 0:
        return None
    k = min(k, len(y))
    order = np.sort(np.unique(s))[::-1]
    taken, hits = 0.0, 0.0
    for value in order:
        tied = s == value
        room = k - taken
        if room <= 0:
            break
        n = int(tied.sum())
        share = min(1.0, room / n)
        hits += share * float(y[tied].sum())
        taken += min(room, n)
    return hits / k


def median_lead(first_listed: dict[object, int], leaves_on: dict[object, int]) -> float | None:
    """Days between a leaver's first listing and their leaving, median over the leavers ever listed."""
    leads = [leaves_on[key] - day for key, day in first_listed.items() if key in leaves_on]
    return float(median(leads)) if leads else None
