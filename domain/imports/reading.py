"""A spreadsheet file (CSV or xlsx) read into a header and rows of text, or refused with a clear reason.

Refused as a whole: an unknown type (an old .xls, a PDF), more than ``MAX_BYTES`` or ``MAX_ROWS``, text that
is not UTF-8 (or UTF-16 with a BOM), no header. Cell by cell, what cannot be trusted is marked rather than
dropped, so the preview can say which row and column: a formula (an xlsx formula cell, or CSV text that
starts with ``=``, or ``+``/``-``/``@`` and a function call) is never evaluated nor imported. CSV text the
export escaped (``'=…``) is text again.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from domain.errors import Invalid
from domain.exports.cells import unescape_text

MAX_BYTES = 960 * 1024  # under the API's 1 MiB body cap with room for the multipart envelope
MAX_ROWS = 5000
MAX_COLUMNS = 200  # a workbook may declare 16,384 columns, and openpyxl pads every row it reads to that
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls
# +, - and @ start phone numbers and plain text too; followed by a function call they are a formula.
FORMULA = re.compile(r"^(=|[+\-@]\s*[A-Za-z_][A-Za-z0-9_.]*\s*\()")


class Formula(str):
    """A cell that held a formula: its text, kept only to name it in the error."""


Value = str | date | Formula | None


@dataclass
class Sheet:
    headers: list[str]
    rows: list[list[Value]] = field(default_factory=list)  # rows[0] is the spreadsheet's row 2


def _problem(message: str) -> Invalid:
    return Invalid(message, details={"field": "file"})


def _text_cell(raw: str) -> Value:
    text = raw.strip()
    if not text:
        return None
    if FORMULA.match(text):
        return Formula(text)
    return unescape_text(text).strip() or None


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:  # a broken surrogate or an odd byte out
            raise _problem("The file says it is UTF-16 but is not: save it as 'CSV UTF-8'.") from exc
    if b"\x00" in data[:4096]:
        raise _problem("This is not a text file: upload a CSV or an Excel (.xlsx) file.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _problem(
            "The file is not UTF-8 text (accents would come out wrong). In Excel choose "
            "'CSV UTF-8' when saving, or upload the .xlsx itself. / El archivo no está en UTF-8: "
            "guárdalo como 'CSV UTF-8' o sube el .xlsx."
        ) from exc


def _read_csv(data: bytes) -> tuple[list[str], list[list[Value]]]:
    text = _decode(data)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader, None)
        rows: list[list[Value]] = []
        for line in reader:
            if len(rows) >= MAX_ROWS:
                raise Invalid(
                    "At most {max_rows} rows can be imported at once; split the file.",
                    values={"max_rows": MAX_ROWS},
                    details={"field": "file"},
                )
            rows.append([_text_cell(c) for c in line])
    except csv.Error as exc:
        raise Invalid(
            "The CSV file could not be read: {problem}.", values={"problem": exc}, details={"field": "file"}
        ) from exc
    return [str(h or "").strip() for h in header or []], rows


def _xlsx_value(value: object, data_type: str | None) -> Value:
    if value is None:
        return None
    if data_type == "f":  # a text cell that merely starts with "=" is text: xlsx types its cells
        return Formula(str(value))
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone number typed as a number comes back as 600111222.0
    if isinstance(value, str):
        return unescape_text(value.strip()).strip() or None
    return str(value)


def _read_xlsx(data: bytes) -> tuple[list[str], list[list[Value]]]:
    from openpyxl import load_workbook  # loaded when a workbook arrives, not with the app

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # whatever openpyxl's zip and XML readers raise on a broken file (lxml's too)
        raise _problem("The Excel file could not be opened; save it again as .xlsx or CSV.") from exc
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise _problem("The workbook has no sheet.")
        first = next(sheet.iter_rows(max_row=1), None)
        header = [str(c.value).strip() if c.value is not None else "" for c in first or ()]
        while header and not header[-1]:
            header.pop()
        if len(header) > MAX_COLUMNS:
            raise Invalid(
                "At most {max_columns} columns can be read: remove those that are not needed.",
                values={"max_columns": MAX_COLUMNS},
                details={"field": "file"},
            )
        lines = sheet.iter_rows(min_row=2, max_col=max(len(header), 1))  # as wide as the header
        rows: list[list[Value]] = []
        for line in lines:
            if len(rows) >= MAX_ROWS:
                raise Invalid(
                    "At most {max_rows} rows can be imported at once; split the file.",
                    values={"max_rows": MAX_ROWS},
                    details={"field": "file"},
                )
            rows.append([_xlsx_value(c.value, getattr(c, "data_type", None)) for c in line])
    except Invalid:
        raise
    except Exception as exc:  # read only: a sheet's XML is parsed as its rows are read
        raise _problem("The Excel file could not be read; save it again as .xlsx or CSV.") from exc
    finally:
        book.close()
    return header, rows


def read_sheet(data: bytes, filename: str) -> Sheet:
    """The first sheet of an xlsx, or a CSV (comma, semicolon or tab separated), as text rows."""
    if len(data) > MAX_BYTES:
        raise Invalid(
            "The file is larger than {size} KB: split it, or save it as CSV.",
            values={"size": MAX_BYTES // 1024},
            details={"field": "file"},
        )
    if not data.strip():
        raise _problem("The file is empty.")
    name = filename.lower()
    if data.startswith(OLE_MAGIC) or name.endswith(".xls"):
        raise _problem("Old Excel files (.xls) are not read: save as .xlsx or CSV UTF-8.")
    if data.startswith(XLSX_MAGIC):
        header, rows = _read_xlsx(data)
    elif name.endswith((".csv", ".txt", ".tsv")) or not name:
        header, rows = _read_csv(data)
    else:
        raise _problem("Upload a CSV or an Excel (.xlsx) file.")
    while header and not header[-1]:
        header.pop()
    if not any(header):
        raise _problem("The first row must hold the column names.")
    width = len(header)
    return Sheet(header, [(r + [None] * width)[:width] for r in rows])
