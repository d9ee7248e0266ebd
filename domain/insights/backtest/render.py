"""The back-test's figures as the lines the command prints (and the report's table is made of)."""

from __future__ import annotations

from domain.insights.backtest.harness import BacktestReport


def _f(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def lines(report: BacktestReport, *, size: str, seed: int, world: str = "fade") -> list[str]:
    out = [
        f"Back-test: {size} demo ({world} world), seed {seed}, horizon {report.horizon} days; "
        f"{report.model_dates} of {len(report.as_of)} as-of dates with a fitted model; "
        f"{report.rows} student-dates, {report.positives} leaving within the horizon",
        f"{'dropout':<18}{'AUC':>6}{'prec':>7}{'recall':>8}{'p@10':>7}{'p@20':>7}{'lead':>6}{'listed':>8}",
    ]
    for name, m in report.dropout.items():
        out.append(
            f"{name:<18}{_f(m.auc):>6}{_f(m.precision):>7}{_f(m.recall):>8}{_f(m.precision_at_10):>7}"
            f"{_f(m.precision_at_20):>7}{_f(m.median_lead_days, 0):>6}{m.listed:>8}"
        )
    for name, m in report.late_payment.items():
        out.append(
            f"late payment {name:<18} AUC {_f(m.auc)}  precision {_f(m.precision)}  recall {_f(m.recall)}"
            f"  p@20 {_f(m.precision_at_20)}"
        )
    mape = None if report.forecast_mape is None else report.forecast_mape * 100
    out.append(f"revenue forecast 1-3 months ahead, last 6 months: MAPE {_f(mape, 1)}%")
    return out
