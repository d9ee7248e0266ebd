"""One cell's value as a spreadsheet should hold it: text that cannot run as a formula, numbers as numbers,
dates in ISO form.

Formula injection (CSV injection): a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return may be run as a formula by Excel, LibreOffice or Google Sheets when the file is opened. In CSV such a
cell gets a leading apostrophe (the OWASP advice: the spreadsheet shows the text, and the import here takes
the apostrophe off again); in xlsx the cell is written with the string type, which no spreadsheet evaluates.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"

Cell = str | int | Decimal | date | datetime | bool | None


def is_risky(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def escape_text(text: str) -> str:
    """The CSV form of a text cell: a leading apostrophe when a spreadsheet would read a formula."""
    return ESCAPE + text if is_risky(text) else text


def unescape_text(text: str) -> str:
    """The inverse of :func:`escape_text`, for cells read back by the import."""
    if text.startswith(ESCAPE) and is_risky(text[1:]):
        return text[1:]
    return text


def plain_cell(value: Any) -> Cell:
    """A Python value as one of the kinds a spreadsheet cell holds (lists joined, enums by value)."""
    if value is None or isinstance(value, str | bool | int | Decimal | date):  # datetime is a date
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, enum.Enum):
        return plain_cell(value.value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return "; ".join(str(plain_cell(v)) for v in value if v is not None)
    return str(value)


def csv_text(value: Cell) -> str:
    """A cell as CSV text: numbers plain (``45.00``, a dot, no thousands), dates ISO, text escaped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, int | Decimal):
        return str(value)
    return escape_text(value)
