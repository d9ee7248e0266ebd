"""Bank statements into transaction lines: CSV (with column mappings and presets); MT940 is in swift.py.

Every line passes ``checked_line`` before it can be stored: an amount that numeric(12,2) holds, a
three-letter currency, text of a sane length. A statement that fails is refused whole, with the line.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from domain.errors import Invalid

# numeric(12,2): ten digits before the point.
LARGEST_AMOUNT = Decimal("9999999999.99")
# A SEPA remittance is 140 characters, a German :86: purpose 10 × 27, a payer name 70: anything much
# longer is not a bank's field but a broken or hostile file.
LONGEST_FIELD = 2_000
CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class ParsedLine:
    booked_on: date
    amount: Decimal
    currency: str
    payer_name: str | None
    reference: str | None
    raw: dict[str, str] = field(default_factory=dict)
    # What identifies the line when it is not (payer, reference): MT940 keeps the identity its lines had
    # before the payer and purpose were read from :86:, so statements imported then still overlap.
    identity: tuple[str | None, str | None] | None = None

    def _identity(self) -> tuple[str | None, str | None]:
        return self.identity if self.identity is not None else (self.payer_name, self.reference)

    def key(self, occurrence: int) -> str:
        """Stable across re-imports of the same statement; ``occurrence`` keeps identical lines apart."""
        payer, reference = self._identity()
        text = f"{self.booked_on}|{self.amount}|{self.currency}|{payer}|{reference}|{occurrence}"
        return hashlib.sha256(text.encode()).hexdigest()


def refuse_binary(data: bytes) -> None:
    """A NUL byte never appears in a text statement, and PostgreSQL text cannot hold one."""
    if b"\x00" in data:
        raise Invalid(
            "This file is binary, not a bank statement: export it from the bank as CSV or MT940.",
            details={"field": "file"},
        )


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "…"


def checked_line(
    where: str,
    *,
    booked_on: date,
    amount: Decimal,
    currency: str,
    payer_name: str | None,
    reference: str | None,
    raw: dict[str, str],
    identity: tuple[str | None, str | None] | None = None,
) -> ParsedLine:
    """The line as it will be stored, or Invalid naming ``where`` it went wrong and why."""
    if not amount.is_finite() or abs(amount) > LARGEST_AMOUNT:
        raise Invalid(
            f"{where}: the amount {_short(amount)} is not a usable amount "
            f"(at most {LARGEST_AMOUNT:,} either way).",
            details={"line": where, "field": "amount"},
        )
    if not CURRENCY.match(currency):
        raise Invalid(
            f"{where}: {_short(currency)!r} is not a currency code (three letters, such as EUR).",
            details={"line": where, "field": "currency"},
        )
    for name, text in (("payer", payer_name), ("reference", reference), *raw.items()):
        if text is not None and len(text) > LONGEST_FIELD:
            raise Invalid(
                f"{where}: the {name} field is {len(text):,} characters long; a bank statement field "
                f"is at most {LONGEST_FIELD:,}.",
                details={"line": where, "field": name},
            )
    return ParsedLine(
        booked_on=booked_on,
        amount=amount.quantize(Decimal("0.01")),
        currency=currency,
        payer_name=payer_name,
        reference=reference,
        raw=raw,
        identity=identity,
    )


@dataclass(frozen=True)
class CsvMapping:
    date: str
    amount: str
    payer: str | None
    reference: str | None
    currency: str | None = None
    date_format: str = "%Y-%m-%d"
    delimiter: str = ","
    decimal_comma: bool = False
    default_currency: str = "EUR"


PRESETS: dict[str, CsvMapping] = {
    # date,amount,payer,reference[,currency] — what most banks' "export CSV" can be set to
    "generic": CsvMapping(
        date="date", amount="amount", payer="payer", reference="reference", currency="currency"
    ),
    # Spanish/European online banking exports: semicolons, day first, decimal commas
    "eu": CsvMapping(
        date="Fecha",
        amount="Importe",
        payer="Ordenante",
        reference="Concepto",
        date_format="%d/%m/%Y",
        delimiter=";",
        decimal_comma=True,
    ),
    # Revolut Business / personal statement export
    "revolut": CsvMapping(
        date="Completed Date",
        amount="Amount",
        payer="Description",
        reference="Reference",
        currency="Currency",
        date_format="%Y-%m-%d %H:%M:%S",
    ),
}


def _amount(text: str, decimal_comma: bool) -> Decimal:
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    # "1.234,50" with decimal commas, "1,234.50" otherwise: drop the thousands separator first.
    cleaned = cleaned.replace(".", "").replace(",", ".") if decimal_comma else cleaned.replace(",", "")
    return Decimal(cleaned)


def parse_csv(data: bytes, mapping: CsvMapping) -> list[ParsedLine]:
    if len(mapping.delimiter) != 1 or mapping.delimiter in '"\r\n' or mapping.delimiter.isalnum():
        raise Invalid(
            "The delimiter is one character that separates the columns, such as , ; | or a tab.",
            details={"field": "delimiter"},
        )
    refuse_binary(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=mapping.delimiter)
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as exc:
        raise Invalid(f"The CSV header cannot be read ({exc}).", details={"line": 1}) from exc
    needed = [c for c in (mapping.date, mapping.amount, mapping.payer, mapping.reference) if c]
    missing = [c for c in needed if c not in fieldnames]
    if missing:
        raise Invalid(
            f"The CSV has no column {', '.join(repr(_short(m)) for m in missing)}; "
            "choose another preset or mapping.",
            details={"columns_found": [_short(name) for name in fieldnames[:50]]},
        )
    lines = []
    number = 1
    try:
        for number, row in enumerate(reader, start=2):
            lines.append(_csv_line(number, row, mapping))
    except csv.Error as exc:  # a field over the csv module's 128 KB limit, an unclosed quote, …
        raise Invalid(
            f"Line {number + 1} of the CSV cannot be read ({exc}).", details={"line": number + 1}
        ) from exc
    return lines


def _csv_line(number: int, row: dict[str | None, str | None], mapping: CsvMapping) -> ParsedLine:
    try:
        booked = datetime.strptime((row[mapping.date] or "").strip(), mapping.date_format).date()
        amount = _amount(row[mapping.amount] or "", mapping.decimal_comma)
    except (ValueError, InvalidOperation, KeyError) as exc:
        reason = "the amount is not a number" if isinstance(exc, InvalidOperation) else str(exc)
        raise Invalid(
            f"Line {number} of the CSV cannot be read: {_short(reason)}.", details={"line": number}
        ) from exc
    return checked_line(
        f"Line {number} of the CSV",
        booked_on=booked,
        amount=amount,
        currency=(row.get(mapping.currency or "") or mapping.default_currency).strip().upper(),
        payer_name=(row.get(mapping.payer or "") or "").strip() or None,
        reference=(row.get(mapping.reference or "") or "").strip() or None,
        raw={k: v for k, v in row.items() if k and isinstance(v, str)},
    )


def keyed(lines: list[ParsedLine]) -> list[tuple[str, ParsedLine]]:
    seen: Counter[tuple[object, ...]] = Counter()
    result = []
    for line in lines:
        identity = (line.booked_on, line.amount, line.currency, *line._identity())
        result.append((line.key(seen[identity]), line))
        seen[identity] += 1
    return result
