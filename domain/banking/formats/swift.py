"""MT940 statements into transaction lines, with the payer, their IBAN and the purpose banks put in :86:.

The ``mt-940`` library reads the tags; the :86: details come in several dialects, read in this order:

* German/Austrian SEPA (``166?00GUTSCHRIFT?20SVWZ+…?31DE…?32Name``): the library's ``applicant_name``
  (``?32``/``?33``), ``applicant_iban`` (``?31``), ``purpose`` (``?20``–``?29`` / ``SVWZ+``) and
  ``end_to_end_reference`` (``EREF+``);
* SWIFT structured (``/EREF/…/ORDP//NAME/…/REMI/…``, Rabobank, ABN AMRO, ING, most Spanish banks):
  ``/NAME/`` (or ``/ORDP/``, ``/CNTP/``), ``/IBAN/``, ``/REMI/``, ``/EREF/``;
* Dutch free text (ASN, SNS, Knab): an account and a name on the first line, or ``REK: …/NAAM: …``.

Whatever the dialect, a line whose amount, currency or text cannot be stored is refused with a
sentence a person can act on — never the parser's internals.
"""

from __future__ import annotations

import logging
import re
from decimal import Decimal
from typing import Any

import mt940

from domain.banking.formats.lines import ParsedLine, checked_line, clean, refuse_binary
from domain.errors import Invalid

# Every documented fix of the library on: reversals signed like debits, ?31 read as the IBAN, long
# :86: kept whole, a byte-order mark dropped.
OPTIONS = mt940.Options.all()
# ASN Bank puts the counterparty IBAN where :61: has a 16-character customer reference; the library
# ships a tag for it, tried when the standard one cannot read a statement.
ASN_TAGS: dict[int | str, mt940.tags.Tag] = {61: mt940.tags.StatementASNB()}

STRUCTURED_KEYS = (
    "TRTP|IBAN|BIC|NAME|REMI|EREF|ORDP|BENM|ADDR|MARF|CSID|ISDT|RTRN|CDTRREFTP|CDTRREF|PURP|ULTC|ULTD|"
    "SVWZ|CNTP|ACCW|BYOR|PREF|OCMT|CHGS|EXCH|IREF|KREF|NREF|ORDR|RREF|REMA|RTRN"
)
STRUCTURED = re.compile(rf"/({STRUCTURED_KEYS})/")
ACCOUNT_THEN_NAME = re.compile(r"^(?P<account>[A-Z]{2}\d{2}[A-Z0-9]{10,30}|\d{7,10})\s+(?P<name>\S.*)$")
REK_NAAM = re.compile(r"REK:\s*(?P<account>[A-Z0-9]+)\s*/\s*NAAM:\s*(?P<name>.+)$", re.MULTILINE)


_clean = clean


def _transactions(data: bytes) -> list[mt940.models.Transaction]:
    # The library logs every regex it tries on a failing line: noise, not news, for an upload.
    logging.getLogger("mt940").setLevel(logging.CRITICAL)
    failure: Exception | None = None
    for tags in (None, ASN_TAGS):
        try:
            return list(mt940.parse(data, options=OPTIONS, tags=tags))
        except Exception as exc:  # RuntimeError, ValueError, KeyError, …: its messages carry object reprs
            failure = exc
    raise Invalid(
        "This is not a readable MT940 statement: a transaction line (:61:) does not follow the format. "
        "Export the statement again as MT940, or as CSV.",
        details={"format": "mt940"},
    ) from failure


def _structured(details: str) -> dict[str, str]:
    """``/KEY/value`` pairs of a SWIFT-structured :86:, plus any free text in front as ``TEXT``."""
    parts = STRUCTURED.split(details)
    fields: dict[str, str] = {}
    if parts[0].strip():
        fields["TEXT"] = parts[0].strip()
    for key, value in zip(parts[1::2], parts[2::2], strict=True):
        fields.setdefault(key, value.strip().strip("/"))
    return fields


def _from_structured(fields: dict[str, str]) -> tuple[str | None, str | None, str | None, str | None]:
    """(payer, iban, purpose, end-to-end reference) from SWIFT-structured fields."""
    payer = fields.get("NAME") or fields.get("ORDP") or None
    iban = fields.get("IBAN")
    if "CNTP" in fields:  # ING: /CNTP/account/BIC/name/city/
        account, _, rest = fields["CNTP"].partition("/")
        iban = iban or account or None
        bits = rest.split("/")
        payer = payer or (bits[1] if len(bits) > 1 else None)
    remittance = fields.get("REMI", "")
    remittance = re.sub(r"^(USTD|STRD)/+(\w{3,4}/+)?", "", remittance).strip("/ ")
    purpose = remittance or fields.get("TEXT") or None
    return payer, iban, purpose, fields.get("EREF") or None


Details = tuple[str | None, str | None, str | None, str | None, str]


def _details(data: dict[str, Any]) -> Details:
    """(payer, iban, purpose, end-to-end reference, the details text as read) of one transaction."""
    if data.get("applicant_name") or data.get("purpose") or data.get("posting_text"):  # German SEPA ?xx
        text = " ".join(
            str(data[k]) for k in ("posting_text", "purpose", "applicant_name") if data.get(k) is not None
        )
        return (
            _clean(data.get("applicant_name")),
            _clean(data.get("applicant_iban") or data.get("gvc_applicant_iban")),
            _clean(data.get("purpose")),
            _clean(data.get("end_to_end_reference")),
            text,
        )
    raw = str(data.get("transaction_details") or "")
    if STRUCTURED.search(raw):
        joined = "".join(raw.splitlines())  # SWIFT wraps structured text at 65 characters, mid-word
        payer, iban, purpose, eref = _from_structured(_structured(joined))
        return _clean(payer), _clean(iban), _clean(purpose), _clean(eref), joined
    lines = [line.strip() for line in raw.splitlines() if line.strip()]
    text = " ".join(lines)
    if match := REK_NAAM.search(raw):
        rest = " ".join(line for line in lines if "NAAM:" not in line)
        return _clean(match["name"]), match["account"], _clean(rest), None, text
    if lines and (match := ACCOUNT_THEN_NAME.match(lines[0])):
        return _clean(match["name"]), match["account"], _clean(" ".join(lines[1:])), None, text
    return None, None, _clean(text), None, text


def _legacy_identity(data: dict[str, Any]) -> tuple[Any, str | None, str | None]:
    """(payer, reference) as the first MT940 reader keyed lines: the :86: text split at ``/ORDP/``
    (German SEPA :86: never reached it: the library had already taken it apart)."""
    details = str(data.get("transaction_details") or "").replace("\n", " ").strip()
    reference, _, payer = details.partition("/ORDP/")
    return data["date"], payer.strip() or None, reference.strip() or None


def _currency(transaction: mt940.models.Transaction) -> str | None:
    amount = transaction.data.get("amount")
    for value in (getattr(amount, "currency", None), transaction.data.get("currency")):
        if value:
            return str(value).strip().upper()
    return None


def parse_mt940(data: bytes) -> list[ParsedLine]:
    refuse_binary(data)
    transactions = _transactions(data)
    lines = []
    for number, transaction in enumerate(transactions, start=1):
        values = transaction.data
        amount = values.get("amount")
        # :61: holds the value date first and the booking (entry) date after it, which banks may omit.
        valued = values.get("date")
        booked = values.get("entry_date") or valued
        if amount is None or booked is None:
            raise Invalid(
                "Transaction {number} of the MT940 statement has no amount or date.",
                values={"number": number},
                details={"transaction": number},
            )
        currency = _currency(transaction)
        if currency is None:
            raise Invalid(
                "The MT940 statement names no currency (its :60F: opening balance is missing), so its "
                "amounts cannot be read safely. Export the full statement from the bank.",
                details={"transaction": number},
            )
        payer, iban, purpose, eref, text = _details(values)
        kref = _clean(values.get("customer_reference"))
        kref = None if kref in (None, "NONREF", "EREF") else kref  # markers, not references
        raw = {
            "details": text,
            "iban": iban,
            "end_to_end_reference": eref,
            "customer_reference": kref,
            "bank_reference": _clean(values.get("bank_reference")),
            "posting_text": _clean(values.get("posting_text")),
        }
        lines.append(
            checked_line(
                f"Transaction {number} of the MT940 statement",
                booked_on=booked,
                amount=Decimal(amount.amount),
                currency=currency,
                payer_name=payer,
                reference=purpose or eref or kref,
                raw={key: value for key, value in raw.items() if value},
                identity=_legacy_identity(values),
                value_date=valued,
                payer_iban=iban,
            )
        )
    if not lines:
        raise Invalid("No transactions were found in that MT940 statement.", details={"format": "mt940"})
    return lines
