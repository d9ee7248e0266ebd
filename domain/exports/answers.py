"""A copilot answer's list as a table: which list of a tool's structured data is "the rows", and its cells
turned back into what they were before the answer was dumped as JSON (amounts as numbers, days as dates).

Tools return ``model_dump(mode="json")``: Decimals became text like ``"45.00"`` and dates ``"2026-11-03"``.
A spreadsheet wants the number and the date back, so text that is exactly a decimal number or an ISO day
(or moment) is read back as one; anything else stays text (and is escaped by the writers when it could run
as a formula). Integers in text ("600123123", a phone) are left alone on purpose: only a decimal point
makes a number here, as every amount of money in the answers has one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from domain.exports.cells import Cell, plain_cell
from domain.exports.listing import NOT_MONEY, SPANISH, readable
from domain.exports.writers import Column, Table

DECIMAL = re.compile(r"^-?\d+\.\d+$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
ROWS_KEY = "rows"  # the reports' list; other tools name theirs ("students", "sessions", …)


def _records(value: Any) -> list[Mapping[str, Any]] | None:
    if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        return value
    return None


def answer_rows(data: Any) -> tuple[str, list[Mapping[str, Any]]] | None:
    """The list an answer is about, and its name: ``rows`` if the data has it, else its longest list of
    records. ``None`` when the answer holds no list (a sentence, a single record, nothing found)."""
    if not isinstance(data, Mapping):
        return None
    if (rows := _records(data.get(ROWS_KEY))) is not None:
        return ROWS_KEY, rows
    lists = [(key, found) for key, value in data.items() if (found := _records(value)) is not None]
    if not lists:
        return None
    return max(lists, key=lambda item: len(item[1]))


def _cell(value: Any) -> Cell:
    if isinstance(value, str):
        try:
            if DECIMAL.match(value):
                return Decimal(value)
            if DAY.match(value):
                return date.fromisoformat(value)
            if MOMENT.match(value):
                return datetime.fromisoformat(value)
        except ValueError:  # 2026-13-45 looks like a day and is none: it stays text
            return value
    return plain_cell(value)


def _flat(record: Mapping[str, Any]) -> dict[str, Any]:
    """One level of nesting flattened as ``teacher.full_name``, as the REST exports do."""
    flat: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, Mapping):
            flat.update({f"{key}.{k}": v for k, v in value.items()})
        else:
            flat[key] = value
    return flat


def _is_money(key: str, cells: list[Cell]) -> bool:
    return any(isinstance(c, Decimal) for c in cells) and not any(word in key for word in NOT_MONEY)


def answer_table(
    name: str, records: Sequence[Mapping[str, Any]], *, currency: str
) -> tuple[Table, list[list[Cell]]]:
    """The table of an answer's records; a currency column is added when they hold money but no currency."""
    flats = [_flat(r) for r in records]
    keys = list(dict.fromkeys(k for r in flats for k in r))
    rows = [[_cell(r.get(k)) for k in keys] for r in flats]
    columns = [Column(k, readable(k), SPANISH.get(k.rsplit(".", 1)[-1])) for k in keys]
    has_money = any(_is_money(k, [row[i] for row in rows]) for i, k in enumerate(keys))
    if has_money and "currency" not in keys:
        columns.append(Column("currency", "Currency", "Moneda"))
        rows = [[*row, currency] for row in rows]
    return Table(name, tuple(columns)), rows
