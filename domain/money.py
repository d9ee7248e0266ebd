"""Money is Decimal with two places, rounded half-up where amounts enter the system."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(value: Decimal | int | str) -> Decimal:
    if isinstance(value, float):  # pragma: no cover - guarded by typing; never let a float in
        raise TypeError("money must not be a float")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def optional_money(value: Decimal | None) -> Decimal | None:
    return None if value is None else money(value)


def format_money(value: Decimal | int | str, currency: str) -> str:
    """How amounts read in messages and answers: ``80.00 EUR``."""
    return f"{money(value)} {currency}"
