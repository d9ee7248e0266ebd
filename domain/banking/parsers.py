"""Bank statements into transaction lines: CSV (with column mappings and presets) and MT940."""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import mt940

from domain.errors import Invalid


@dataclass(frozen=True)
class ParsedLine:
    booked_on: date
    amount: Decimal
    currency: str
    payer_name: str | None
    reference: str | None
    raw: dict[str, str] = field(default_factory=dict)

    def key(self, occurrence: int) -> str:
        """Stable across re-imports of the same statement; ``occurrence`` keeps identical lines apart."""
        text = (
            f"{self.booked_on}|{self.amount}|{self.currency}|{self.payer_name}|{self.reference}|{occurrence}"
        )
        return hashlib.sha256(text.encode()).hexdigest()


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
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    reader = csv.DictReader(io.StringIO(text), delimiter=mapping.delimiter)
    needed = [c for c in (mapping.date, mapping.amount, mapping.payer, mapping.reference) if c]
    missing = [c for c in needed if c not in (reader.fieldnames or [])]
    if missing:
        raise Invalid(
            f"The CSV has no column {', '.join(repr(m) for m in missing)}; choose another preset or mapping.",
            details={"columns_found": reader.fieldnames or []},
        )
    lines = []
    for number, row in enumerate(reader, start=2):
        try:
            booked = datetime.strptime(row[mapping.date].strip(), mapping.date_format).date()
            amount = _amount(row[mapping.amount], mapping.decimal_comma)
        except (ValueError, InvalidOperation, KeyError, AttributeError) as exc:
            raise Invalid(
                f"Line {number} of the CSV cannot be read: {exc}", details={"line": number}
            ) from exc
        lines.append(
            ParsedLine(
                booked_on=booked,
                amount=amount.quantize(Decimal("0.01")),
                currency=(row.get(mapping.currency or "") or mapping.default_currency).strip().upper(),
                payer_name=(row.get(mapping.payer or "") or "").strip() or None,
                reference=(row.get(mapping.reference or "") or "").strip() or None,
                raw={k: v for k, v in row.items() if k},
            )
        )
    return lines


def parse_mt940(data: bytes) -> list[ParsedLine]:
    try:
        transactions = mt940.parse(data)
    except Exception as exc:  # the parser raises a variety of errors on malformed input
        raise Invalid(f"Not a readable MT940 statement: {exc}") from exc
    lines = []
    for transaction in transactions:
        details = (transaction.data.get("transaction_details") or "").replace("\n", " ").strip()
        reference, _, payer = details.partition("/ORDP/")
        amount = transaction.data["amount"]
        lines.append(
            ParsedLine(
                booked_on=transaction.data["date"],
                amount=Decimal(amount.amount).quantize(Decimal("0.01")),
                currency=str(amount.currency),
                payer_name=payer.strip() or None,
                reference=reference.strip() or None,
                raw={"details": details, "bank_reference": str(transaction.data.get("bank_reference") or "")},
            )
        )
    if not lines:
        raise Invalid("No transactions were found in that MT940 statement.")
    return lines


def keyed(lines: list[ParsedLine]) -> list[tuple[str, ParsedLine]]:
    seen: Counter[tuple[object, ...]] = Counter()
    result = []
    for line in lines:
        identity = (line.booked_on, line.amount, line.currency, line.payer_name, line.reference)
        result.append((line.key(seen[identity]), line))
        seen[identity] += 1
    return result
