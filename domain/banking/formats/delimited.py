"""CSV statements: a column mapping (a bank's preset or the school's own) turns rows into lines.

A mapping names the columns by their header, or by number (1 = first) for a file without a header
row. It can skip preamble rows (many banks print the account and period above the table; when the
header is not on the first row it is looked for in the first rows), read separate debit and credit
columns or a debit/credit marker column, take the currency from a column or a fixed code, keep only
rows in an accepted state (Revolut lists pending and reverted card payments too), and read the text in
the encoding the user chose.
"""

from __future__ import annotations

import csv
import re
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.banking.formats.lines import ParsedLine, checked_line, decode_text, refuse_binary, short
from domain.errors import Invalid

HEADER_SEARCH_ROWS = 30
# Who paid, when a bank writes it into a sentence: Revolut's "Money added from ANA LOPEZ", Santander's and
# Sabadell's "TRANSFERENCIA DE LAURA SANCHEZ, CONCEPTO …". The name alone is what matching compares.
PAYER_IN_TEXT = re.compile(
    r"^(?:payment from|money added from|transfer from|transferencia (?:recibida )?de|transf\.? de)\s+"
    r"(?P<name>[^,;]+)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CsvMapping:
    date: str
    amount: str | None
    payer: str | None
    reference: str | None
    currency: str | None = None
    date_format: str = "%Y-%m-%d"
    delimiter: str = ","
    decimal_comma: bool = False
    default_currency: str = "EUR"
    encoding: str = "auto"
    skip_rows: int = 0
    skip_footer: int = 0  # summary rows under the table (a closing balance)
    has_header: bool = True
    debit: str | None = None  # amounts taken out, written positive or negative
    credit: str | None = None  # amounts paid in
    direction: str | None = None  # a column saying which way the money went (ING's Af/Bij, D/C)
    debit_marks: tuple[str, ...] = ()
    value_date: str | None = None
    payer_iban: str | None = None
    bank_id: str | None = None
    status: str | None = None
    accepted_statuses: tuple[str, ...] = ()

    def columns(self) -> list[str]:
        named = (self.date, self.amount, self.payer, self.reference, self.currency, self.debit, self.credit)
        extra = (self.direction, self.value_date, self.payer_iban, self.bank_id, self.status)
        return [c for c in (*named, *extra) if c]

    def as_json(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> CsvMapping:
        known = {f for f in cls.__dataclass_fields__}
        kept: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in values.items() if k in known
        }
        return check_mapping(cls(**kept))


def check_mapping(mapping: CsvMapping) -> CsvMapping:
    """Invalid unless the mapping can read a statement: a date, an amount, a sane delimiter."""
    if len(mapping.delimiter) != 1 or mapping.delimiter in '"\r\n' or mapping.delimiter.isalnum():
        raise Invalid(
            "The delimiter is one character that separates the columns, such as , ; | or a tab.",
            details={"field": "delimiter"},
        )
    if not mapping.amount and not (mapping.debit and mapping.credit):
        raise Invalid(
            "Say which column holds the amount, or which two hold debits and credits.",
            details={"field": "amount_column"},
        )
    if not (0 <= mapping.skip_rows <= 1_000 and 0 <= mapping.skip_footer <= 1_000):
        raise Invalid("Rows to skip is between 0 and 1,000.", details={"field": "skip_rows"})
    if not mapping.has_header and not all(c.isdigit() and int(c) >= 1 for c in mapping.columns()):
        raise Invalid(
            "A file without a header row names its columns by number: 1 for the first.",
            details={"field": "date_column"},
        )
    return mapping


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: Iterator[tuple[int, list[str]]] = field(repr=False)


# One physical line with its ending (\r\n, \r or \n), as io.StringIO(newline="") hands them to the csv
# reader — without StringIO's copy of the whole text at four bytes a character (20 MB for a 5 MB file).
PHYSICAL_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def _rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    physical = (match.group(0) for match in PHYSICAL_LINE.finditer(text))
    reader = csv.reader(physical, delimiter=delimiter)
    number = 0
    try:
        for row in reader:
            number = reader.line_num
            yield number, [cell.strip() for cell in row]
    except csv.Error as exc:  # a field over the csv module's 128 KB limit, an unclosed quote, …
        raise Invalid(
            "Line {number} of the CSV cannot be read ({problem}).",
            values={"number": number + 1, "problem": exc},
            details={"line": number + 1},
        ) from exc


def find_header(rows: Sequence[list[str]], wanted: Sequence[str]) -> int | None:
    """The index of the first row that holds every wanted column name."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = set(row)
        if all(name in names for name in wanted):
            return index
    return None


def _table(text: str, mapping: CsvMapping) -> Table:
    rows = _rows(text, mapping.delimiter)
    for _ in range(mapping.skip_rows):
        next(rows, None)
    if not mapping.has_header:
        return Table([], rows)
    start: list[tuple[int, list[str]]] = []
    for item in rows:
        start.append(item)
        if len(start) >= HEADER_SEARCH_ROWS:
            break
    found = find_header([row for _, row in start], mapping.columns())
    if found is None:
        first = start[0][1] if start else []
        missing = [c for c in mapping.columns() if c not in first]
        raise Invalid(
            "The CSV has no column {names}; choose another preset or mapping. / El CSV no tiene esas "
            "columnas.",
            values={"names": ", ".join(repr(short(m)) for m in missing)},
            details={"columns_found": [short(name) for name in first[:50]]},
        )

    def rest() -> Iterator[tuple[int, list[str]]]:
        yield from start[found + 1 :]
        yield from rows

    return Table(start[found][1], rest())


def _amount(text: str, decimal_comma: bool) -> Decimal:
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "").replace("\u2212", "-").lstrip("+")
    for symbol in ("€", "EUR", "$", "£"):
        cleaned = cleaned.replace(symbol, "")
    # "1.234,50" with decimal commas, "1,234.50" otherwise: drop the thousands separator first.
    cleaned = cleaned.replace(".", "").replace(",", ".") if decimal_comma else cleaned.replace(",", "")
    return Decimal(cleaned)


def _date(text: str, date_format: str) -> date:
    value = text.strip()
    if " " not in date_format and " " in value:  # "2024-01-31 10:00:00" read with "%Y-%m-%d"
        value = value.split()[0]
    return datetime.strptime(value, date_format).date()


def parse_csv(data: bytes, mapping: CsvMapping) -> list[ParsedLine]:
    lines = list(iter_csv(data, mapping))
    if not lines:
        raise Invalid("No transactions were found in that CSV. / El CSV no tiene movimientos.", details={})
    return lines


def iter_csv(data: bytes, mapping: CsvMapping) -> Iterator[ParsedLine]:
    """The statement's lines one at a time, as the csv reader reaches them: the file's rows are never all
    held (only the few a footer may need), so a caller that consumes lines as they come keeps one row."""
    check_mapping(mapping)
    refuse_binary(data)
    table = _table(decode_text(data, mapping.encoding), mapping)
    index = {name: i for i, name in enumerate(table.header)}  # a repeated name: the last one
    if not mapping.has_header:
        index = {c: int(c) - 1 for c in mapping.columns()}
    held: deque[tuple[int, list[str]]] = deque()  # the last skip_footer rows may be the footer
    for item in table.rows:
        if not any(item[1]):
            continue
        held.append(item)
        if len(held) <= mapping.skip_footer:
            continue
        number, row = held.popleft()
        values = {c: (row[i] if i < len(row) else "") for c, i in index.items()}
        if mapping.status and values.get(mapping.status, "").upper() not in mapping.accepted_statuses:
            continue
        yield _line(number, values, mapping)


def _line(number: int, values: dict[str, str], mapping: CsvMapping) -> ParsedLine:
    def get(column: str | None) -> str | None:
        return (values.get(column) or "").strip() or None if column else None

    try:
        booked = _date(values.get(mapping.date, ""), mapping.date_format)
        valued = (
            _date(get(mapping.value_date) or "", mapping.date_format) if get(mapping.value_date) else None
        )
        if mapping.amount:
            amount = _amount(values.get(mapping.amount, ""), mapping.decimal_comma)
        else:
            debit, credit = get(mapping.debit), get(mapping.credit)
            amount = _amount(credit, mapping.decimal_comma) if credit else Decimal(0)
            amount -= abs(_amount(debit, mapping.decimal_comma)) if debit else Decimal(0)
        if mapping.direction and (get(mapping.direction) or "").upper() in mapping.debit_marks:
            amount = -abs(amount)
        elif mapping.direction:
            amount = abs(amount)
    except (ValueError, InvalidOperation) as exc:
        reason = "the amount is not a number" if isinstance(exc, InvalidOperation) else str(exc)
        raise Invalid(
            "Line {number} of the CSV cannot be read: {reason}.",
            values={"number": number, "reason": short(reason)},
            details={"line": number},
        ) from exc
    payer, reference = get(mapping.payer), get(mapping.reference)
    said = PAYER_IN_TEXT.match(payer or "") or (PAYER_IN_TEXT.match(reference or "") if not payer else None)
    payer = said["name"].strip() if said else payer
    return checked_line(
        f"Line {number} of the CSV",
        booked_on=booked,
        value_date=valued,
        amount=amount,
        currency=(get(mapping.currency) or mapping.default_currency).upper(),
        payer_name=payer,
        payer_iban=get(mapping.payer_iban),
        reference=reference,
        raw={k: v for k, v in values.items() if v},
        bank_id=get(mapping.bank_id),
    )
