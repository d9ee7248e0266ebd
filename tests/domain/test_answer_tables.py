"""A copilot answer's list as a table (``domain/exports/answers.py``): the list chosen, JSON text turned back
into numbers and dates only where it was one, money given a currency column, nesting flattened."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from domain.exports.answers import answer_rows, answer_table


def test_the_rows_key_wins_else_the_longest_list_of_records() -> None:
    assert answer_rows({"rows": [{"a": 1}], "trend": [{"b": 1}, {"b": 2}]}) == ("rows", [{"a": 1}])
    found = answer_rows({"month": "2026-11", "students": [{"a": 1}, {"a": 2}], "notes": [{"n": 1}]})
    assert found is not None and found[0] == "students"
    assert answer_rows({"rows": [], "total": 3}) is None  # an empty list is no table
    assert answer_rows({"session": None}) is None and answer_rows("text") is None
    assert answer_rows({"ids": ["a", "b"]}) is None  # a list, but not of records


def test_cells_come_back_as_what_they_were_and_only_then() -> None:
    records = [
        {
            "full_name": "Ana",
            "outstanding": "45.00",
            "rate": "0.8333",
            "due_date": "2026-11-05",
            "marked_at": "2026-11-05T18:30:00+01:00",
            "phone": "600123123",
            "code": "2026-13-45",
            "teacher": {"full_name": "Lucía"},
        }
    ]
    table, rows = answer_table("unpaid", records, currency="EUR")
    keys = [c.key for c in table.columns]
    assert keys[-1] == "currency" and "teacher.full_name" in keys
    cells = dict(zip(keys, rows[0], strict=True))
    assert cells["outstanding"] == Decimal("45.00") and cells["rate"] == Decimal("0.8333")
    assert cells["due_date"] == date(2026, 11, 5) and isinstance(cells["marked_at"], datetime)
    assert cells["phone"] == "600123123" and cells["code"] == "2026-13-45"  # text stays text
    assert cells["currency"] == "EUR" and cells["teacher.full_name"] == "Lucía"
    assert table.headers("es")[:2] == ["Nombre completo", "Pendiente"]


def test_no_currency_column_without_money_or_when_the_rows_have_one() -> None:
    rates_only, _ = answer_table("x", [{"name": "Salsa", "rate": "0.90"}], currency="EUR")
    assert [c.key for c in rates_only.columns] == ["name", "rate"]  # a rate is no money
    own, rows = answer_table("x", [{"amount": "10.00", "currency": "GBP"}], currency="EUR")
    assert [c.key for c in own.columns] == ["amount", "currency"] and rows[0][1] == "GBP"
