"""Tables written as CSV or xlsx, a chunk at a time, from rows that may come straight off a database cursor.

Neither writer holds the rows: CSV text is handed on every ~64 KB; openpyxl's write-only workbook streams each
row into a temporary file, and the finished file is read back in chunks (an xlsx is a zip, so it can only be
sent once it is complete — the rows still never sit in memory together).
"""

from __future__ import annotations

import asyncio
import csv
import enum
import io
import tempfile
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from domain.exports.cells import Cell, csv_text

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

CHUNK = 64 * 1024
BOM = "\ufeff"  # Excel opens a UTF-8 CSV with accents intact only when it starts with one


class Format(enum.StrEnum):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


MEDIA_TYPES = {
    Format.CSV: "text/csv; charset=utf-8",
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Column:
    key: str
    en: str
    es: str | None = None

    def header(self, language: str) -> str:
        return self.es if language == "es" and self.es else self.en


@dataclass(frozen=True)
class Table:
    """What an export holds: its name (file and sheet) and its columns, in order."""

    name: str
    columns: tuple[Column, ...]

    def headers(self, language: str) -> list[str]:
        return [c.header(language) for c in self.columns]


Rows = AsyncIterable[Sequence[Cell]] | Iterable[Sequence[Cell]]


async def _each(rows: Rows) -> AsyncIterator[Sequence[Cell]]:
    if isinstance(rows, AsyncIterable):
        async for row in rows:
            yield row
    else:
        for row in rows:
            yield row


def _local(value: datetime, zone: ZoneInfo) -> datetime:
    return value.astimezone(zone) if value.tzinfo is not None else value


async def csv_chunks(table: Table, rows: Rows, *, language: str, timezone: str) -> AsyncIterator[bytes]:
    zone = ZoneInfo(timezone)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow([csv_text(h) for h in table.headers(language)])
    async for row in _each(rows):
        writer.writerow([csv_text(_local(c, zone) if isinstance(c, datetime) else c) for c in row])
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Cell, zone: ZoneInfo) -> object:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # never a formula, whatever the text starts with
        return cell
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, _local(value, zone).replace(tzinfo=None))
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value)  # type: ignore[arg-type]  # openpyxl takes dates too
        cell.number_format = "yyyy-mm-dd"
        return cell
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value)  # type: ignore[arg-type]  # and Decimals, as numbers
        cell.number_format = "0.00"
        return cell
    return value


async def xlsx_chunks(table: Table, rows: Rows, *, language: str, timezone: str) -> AsyncIterator[bytes]:
    # openpyxl is imported when a workbook is written, not with this module: the tool catalogue (and so
    # every ``cadence ask``) loads the exporter's tables, and ~0.1-0.2 s of import would be paid for nothing.
    from openpyxl import Workbook

    zone = ZoneInfo(timezone)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.name[:31])
    sheet.append([_xlsx_cell(sheet, h, zone) for h in table.headers(language)])
    async for row in _each(rows):
        sheet.append([_xlsx_cell(sheet, c, zone) for c in row])
    with tempfile.TemporaryFile() as out:
        await asyncio.to_thread(workbook.save, out)  # zipping a large sheet takes a while: not on the loop
        out.seek(0)
        while chunk := out.read(CHUNK):
            yield chunk


def chunks(fmt: Format, table: Table, rows: Rows, *, language: str, timezone: str) -> AsyncIterator[bytes]:
    write = csv_chunks if fmt is Format.CSV else xlsx_chunks
    return write(table, rows, language=language, timezone=timezone)
