"""A whole spreadsheet as bytes, from any list of records: for channels that send a file instead of
streaming a response (the copilot's "send me that as a spreadsheet": a Telegram document, a web-chat
download). The rows of a tool's structured answer become the table, with the same cell rules as the
REST exports (formulas escaped, money as numbers, dates ISO)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from domain.exports.cells import Cell, plain_cell
from domain.exports.listing import SPANISH, readable, rows_of, table_of
from domain.exports.writers import Column, Format, Table, chunks


def records_table(
    name: str, records: Sequence[BaseModel] | Sequence[Mapping[str, Any]], *, currency: str | None = None
) -> tuple[Table, list[list[Cell]]]:
    """The table of a list of models (their fields) or of dicts (the keys, in first-seen order)."""
    if records and isinstance(records[0], BaseModel):
        models = [r for r in records if isinstance(r, BaseModel)]
        table, needs_currency = table_of(type(models[0]), name)
        return table, list(rows_of(models, table, currency=currency if needs_currency else None))
    dicts = [r for r in records if isinstance(r, Mapping)]
    keys = list(dict.fromkeys(k for r in dicts for k in r))
    table = Table(name, tuple(Column(k, readable(k), SPANISH.get(k)) for k in keys))
    return table, [[plain_cell(r.get(k)) for k in keys] for r in dicts]


async def render(
    fmt: Format, table: Table, rows: Sequence[Sequence[Cell]], *, language: str = "en", timezone: str = "UTC"
) -> bytes:
    """The complete file (a chat attachment is sent whole; lists in answers are small)."""
    if fmt is Format.JSON:
        raise ValueError("render makes CSV or xlsx files")
    parts = [chunk async for chunk in chunks(fmt, table, rows, language=language, timezone=timezone)]
    return b"".join(parts)
