"""The statement line every format yields, and the checks a line passes before it can be stored.

Every parser (MT940, CAMT.053/054, Norma 43, OFX, CSV) returns ``ParsedLine``s built by ``checked_line``:
an amount that numeric(12,2) holds, a three-letter currency, text of a sane length. A statement that
fails is refused whole, naming the line.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from domain.errors import Invalid

# numeric(12,2): ten digits before the point.
LARGEST_AMOUNT = Decimal("9999999999.99")
# A SEPA remittance is 140 characters, a German :86: purpose 10 × 27, a payer name 70: anything much
# longer is not a bank's field but a broken or hostile file.
LONGEST_FIELD = 2_000
CURRENCY = re.compile(r"^[A-Z]{3}$")
LONGEST_IBAN = 34
LONGEST_BANK_ID = 120


@dataclass(frozen=True)
class ParsedLine:
    booked_on: date
    amount: Decimal
    currency: str
    payer_name: str | None
    reference: str | None
    raw: dict[str, str] = field(default_factory=dict)
    # What identifies the line when it is not (booked_on, payer, reference): MT940 keeps the identity its
    # lines had before the payer and purpose were read from :86: and the booking date from :61:, so
    # statements imported then still overlap.
    identity: tuple[date, str | None, str | None] | None = None
    value_date: date | None = None  # when the money counts (valuta), kept apart from the booking date
    payer_iban: str | None = None
    # The bank's own id for the transaction (CAMT AcctSvcrRef, OFX FITID, Revolut's ID) and the account
    # it is unique within: when present, it alone decides whether a line was imported before.
    bank_id: str | None = None
    account: str | None = None

    def _identity(self) -> tuple[date, str | None, str | None]:
        return (
            self.identity if self.identity is not None else (self.booked_on, self.payer_name, self.reference)
        )

    def identity_key(self) -> tuple[object, ...]:
        if self.bank_id:
            return ("bank-id", self.account, self.bank_id)
        when, payer, reference = self._identity()
        return (when, self.amount, self.currency, payer, reference)

    def key(self, occurrence: int) -> str:
        """Stable across re-imports of the same statement; ``occurrence`` keeps identical lines apart."""
        if self.bank_id:
            text = f"bank-id|{self.account}|{self.bank_id}|{occurrence}"
        else:
            when, payer, reference = self._identity()
            text = f"{when}|{self.amount}|{self.currency}|{payer}|{reference}|{occurrence}"
        return hashlib.sha256(text.encode()).hexdigest()


def refuse_binary(data: bytes) -> None:
    """A NUL byte never appears in a text statement, and PostgreSQL text cannot hold one."""
    if b"\x00" in data:
        raise Invalid(
            "This file is binary, not a bank statement: export it from the bank as CAMT.053, Norma 43, "
            "OFX, MT940 or CSV. / Este archivo no es un extracto bancario.",
            details={"field": "file"},
        )


def short(value: object) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "…"


def clean(text: object) -> str | None:
    """Whitespace collapsed; empty is None."""
    value = " ".join(str(text).split()) if text is not None else ""
    return value or None


def checked_line(
    where: str,
    *,
    booked_on: date,
    amount: Decimal,
    currency: str,
    payer_name: str | None,
    reference: str | None,
    raw: dict[str, str],
    identity: tuple[date, str | None, str | None] | None = None,
    value_date: date | None = None,
    payer_iban: str | None = None,
    bank_id: str | None = None,
    account: str | None = None,
) -> ParsedLine:
    """The line as it will be stored, or Invalid naming ``where`` it went wrong and why."""
    if not amount.is_finite() or abs(amount) > LARGEST_AMOUNT:
        raise Invalid(
            "{where}: the amount {amount} is not a usable amount (at most {largest_amount:,} either way).",
            values={"where": where, "amount": short(amount), "largest_amount": LARGEST_AMOUNT},
            details={"line": where, "field": "amount"},
        )
    if not CURRENCY.match(currency):
        raise Invalid(
            "{where}: {currency!r} is not a currency code (three letters, such as EUR).",
            values={"where": where, "currency": short(currency)},
            details={"line": where, "field": "currency"},
        )
    for name, text in (("payer", payer_name), ("reference", reference), *raw.items()):
        if text is not None and len(text) > LONGEST_FIELD:
            raise Invalid(
                "{where}: the {name} field is {length:,} characters long; a bank statement field is at most "
                "{longest_field:,}.",
                values={"where": where, "name": name, "length": len(text), "longest_field": LONGEST_FIELD},
                details={"line": where, "field": name},
            )
    iban = "".join(payer_iban.split()).upper() if payer_iban else None
    if iban is not None and len(iban) > LONGEST_IBAN:
        iban = None  # not an IBAN (a free-text account): it stays in raw, not in the IBAN column
    if bank_id is not None and len(bank_id) > LONGEST_BANK_ID:
        raise Invalid(
            "{where}: the bank's transaction id is {length:,} characters long.",
            values={"where": where, "length": len(bank_id)},
            details={"line": where, "field": "bank_id"},
        )
    return ParsedLine(
        booked_on=booked_on,
        amount=amount.quantize(Decimal("0.01")),
        currency=currency,
        payer_name=payer_name,
        reference=reference,
        raw=raw,
        identity=identity,
        value_date=value_date,
        payer_iban=iban,
        bank_id=bank_id or None,
        account=account or None,
    )


def keyed(lines: list[ParsedLine]) -> list[tuple[str, ParsedLine]]:
    seen: Counter[tuple[object, ...]] = Counter()
    result = []
    for line in lines:
        identity = line.identity_key()
        result.append((line.key(seen[identity]), line))
        seen[identity] += 1
    return result


# Two or more bytes that form a UTF-8 character: in a file that is not valid UTF-8 as a whole, they mean
# part of it was written in UTF-8 and part in a one-byte code page.
UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def decode_text(data: bytes, encoding: str = "auto") -> str:
    """The file's text: UTF-8 (with or without BOM), else Windows-1252 — or the encoding the user chose.

    A file that mixes UTF-8 with a one-byte code page is refused rather than read as garbage.
    """
    if encoding != "auto":
        try:
            return data.decode(encoding)
        except LookupError as exc:
            raise Invalid(
                "{encoding!r} is not a text encoding.",
                values={"encoding": short(encoding)},
                details={"field": "encoding"},
            ) from exc
        except UnicodeDecodeError as exc:
            raise Invalid(
                "This file is not {encoding} text (byte {start:,} does not fit): choose its encoding. / El "
                "archivo no está en esa codificación.",
                values={"encoding": encoding, "start": exc.start},
                details={"field": "encoding"},
            ) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if UTF8_SEQUENCE.search(data):
            line = data.count(b"\n", 0, exc.start) + 1
            raise Invalid(
                "This file mixes two text encodings (UTF-8 and a one-byte code page such as Latin-1; line "
                "{line}): export it again from the bank, or choose the encoding. / El archivo mezcla dos "
                "codificaciones de texto.",
                values={"line": line},
                details={"field": "encoding", "line": line},
            ) from exc
        return data.decode("cp1252", errors="replace")
