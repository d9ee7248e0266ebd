"""Logistic models kept as numbers: fitted with scikit-learn, stored and scored as plain coefficients.

A fitted model is a ``LogisticModel`` (feature names, the standardisation, the coefficients): JSON in
the database, never a pickle, so nothing a tenant could write is ever executed. Logistic regression
fitted by log-loss gives calibrated probabilities on data like its training data, and each feature's
share of the log-odds (coefficient × standardised value) is the "why" shown next to a student.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

REGULARISATION = 0.5  # scikit-learn's C: a little stronger than its default, the classes are rare


@dataclass(frozen=True)
class LogisticModel:
    kind: str  # "dropout" | "late_payment"
    features: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    rows: int
    positives: int
    figures: dict[str, Any] = field(default_factory=dict)  # its back-test on the organization's history

    def _standard(self, frame: pd.DataFrame) -> np.ndarray:
        x = frame[self.features].to_numpy(dtype=float)
        standard: np.ndarray = (x - np.asarray(self.mean)) / np.asarray(self.scale)
        return standard

    def contributions(self, frame: pd.DataFrame) -> np.ndarray:
        """Each feature's part of each row's log-odds, relative to an average row."""
        parts: np.ndarray = self._standard(frame) * np.asarray(self.coef)
        return parts

    def probability(self, frame: pd.DataFrame) -> np.ndarray:
        if frame.empty:
            return np.zeros(0)
        logit = self.contributions(frame).sum(axis=1) + self.intercept
        return np.asarray(1 / (1 + np.exp(-logit)))

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LogisticModel:
        return cls(
            kind=str(data["kind"]),
            features=[str(f) for f in data["features"]],
            mean=[float(v) for v in data["mean"]],
            scale=[float(v) for v in data["scale"]],
            coef=[float(v) for v in data["coef"]],
            intercept=float(data["intercept"]),
            rows=int(data["rows"]),
            positives=int(data["positives"]),
            figures=dict(data.get("figures") or {}),
        )


def fit_logistic(
    kind: str, frame: pd.DataFrame, labels: np.ndarray, features: tuple[str, ...]
) -> LogisticModel:
    from sklearn.linear_model import LogisticRegression

    x = frame[list(features)].to_numpy(dtype=float)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    fitted = LogisticRegression(C=REGULARISATION, max_iter=2000).fit((x - mean) / scale, labels)
    return LogisticModel(
        kind=kind,
        features=list(features),
        mean=[float(v) for v in mean],
        scale=[float(v) for v in scale],
        coef=[float(v) for v in fitted.coef_[0]],
        intercept=float(fitted.intercept_[0]),
        rows=len(labels),
        positives=int(labels.sum()),
    )
