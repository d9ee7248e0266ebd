"""Norma 43 (AEB/CSB 43): the fixed-width statement every Spanish bank exports, read with ``csb43``.

``csb43`` (LGPL, maintained, typed) validates every record against the 2012 AEB standard and reads the
SEPA complementary records (the payer of a transfer, the creditor of a direct debit). Each record is
80 characters; editors and some banks drop trailing blanks, so shorter records are padded back, but a
longer record is not Norma 43 and is refused with its line number. The text is Latin-1 (the banks'
code page); a file that is valid UTF-8 is read as UTF-8.
"""

from __future__ import annotations

import io
import re
from typing import Any

from domain.banking.formats.lines import ParsedLine, checked_line, clean, refuse_binary
from domain.errors import Invalid

RECORD = 80
CODES = (b"11", b"22", b"23", b"24", b"33", b"88")
VALIDATION = re.compile(r"\[(?P<line>\d+)\].*?content b'(?P<value>[^']*)'.*?Field\.(?P<field>\w+)", re.DOTALL)


def _records(data: bytes) -> bytes:
    records = []
    for number, record in enumerate(data.splitlines(), start=1):
        if not record.strip():
            continue
        if len(record) > RECORD or record[:2] not in CODES:
            raise Invalid(
                "Line {number} of the Norma 43 file is not a record: a record is {record} characters "
                "starting with 11, 22, 23, 24, 33 or 88, this one is {length} characters. / La línea "
                "{number} no es un registro de Norma 43.",
                values={"number": number, "record": RECORD, "length": len(record)},
                details={"format": "norma43", "line": number},
            )
        records.append(record.ljust(RECORD))
    return b"\n".join(records) + b"\n"


def _encoding(data: bytes) -> str:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "latin-1"
    return "utf-8"


def _batch(data: bytes) -> Any:
    from csb43.aeb43 import read_batch
    from csb43.aeb43.record.context import Aeb43Context
    from csb43.aeb43.record.errors import ValidationException

    context = Aeb43Context(strict=False, silent=True, encoding=_encoding(data))
    try:
        with context.scope():
            return read_batch(io.BytesIO(_records(data)), context=context)
    except ValidationException as exc:
        raise Invalid(_reason(str(exc)), details={"format": "norma43"}) from exc
    except (ValueError, KeyError, IndexError, UnicodeError) as exc:
        raise Invalid(
            "This is not a readable Norma 43 file. / No es un fichero Norma 43 legible.",
            details={"format": "norma43"},
        ) from exc


def _reason(message: str) -> str:
    """csb43's "[0010] Bad format: content b'0' mismatches … Field.FINAL_BALANCE_CODE]" for a person."""
    found = VALIDATION.search(message)
    if found is None:
        return "This Norma 43 file does not follow the standard. / El fichero Norma 43 no sigue la norma."
    field = found["field"].lower().replace("_", " ")
    return (
        f"This Norma 43 file does not follow the standard: on line {int(found['line']) + 1} the {field} is "
        f"{found['value']!r}, which the standard does not allow. Download it again from the bank. / El "
        f"fichero Norma 43 no sigue la norma (línea {int(found['line']) + 1})."
    )


def _text(value: object) -> str | None:
    return clean(value) if value not in (None, "") else None


def parse_norma43(data: bytes) -> list[ParsedLine]:
    refuse_binary(data)
    batch = _batch(data)
    try:
        lines = _lines(batch)
    except (ValueError, KeyError, IndexError, UnicodeError) as exc:  # csb43 reads a field when asked for it
        raise Invalid(
            "This is not a readable Norma 43 file. / No es un fichero Norma 43 legible.",
            details={"format": "norma43"},
        ) from exc
    if not lines:
        raise Invalid(
            "No transactions were found in that Norma 43 file. / El fichero no tiene movimientos.",
            details={"format": "norma43"},
        )
    return lines


def _lines(batch: Any) -> list[ParsedLine]:
    lines: list[ParsedLine] = []
    number = 0
    for account in batch.accounts:
        iban_like = f"{account.bank_code}{account.branch_code}{account.account_number}"
        currency = account.currency.alpha_3 if account.currency is not None else ""
        for transaction in account.transactions:
            number += 1
            concept = " ".join(
                part for item in transaction.optional_items for part in (item.item1, item.item2) if part
            )
            payer = payer_iban = None
            purpose = _text(concept)
            if (sepa := transaction.sepa_transfer) is not None:
                payer = _text(sepa.originator_name)
                purpose = _text(sepa.additional_info) or purpose
            elif (debit := transaction.sepa_debit) is not None:
                payer = _text(debit.creditor_name)
                purpose = _text(debit.remitance_information) or purpose
            raw = {
                "account": iban_like,
                "concept": _text(concept),
                "shared_item": f"{transaction.shared_item:02d}"
                if transaction.shared_item is not None
                else None,
                "own_item": f"{transaction.own_item:03d}" if transaction.own_item is not None else None,
                "document_number": _text(transaction.document_number),
                "reference_1": _text(transaction.reference1),
                "reference_2": _text(transaction.reference2),
            }
            lines.append(
                checked_line(
                    f"Transaction {number} of the Norma 43 file",
                    booked_on=transaction.transaction_date,
                    value_date=transaction.value_date,
                    amount=transaction.amount,
                    currency=currency,
                    payer_name=payer,
                    payer_iban=payer_iban,
                    reference=purpose or _text(transaction.reference2),
                    raw={key: value for key, value in raw.items() if value},
                )
            )
    return lines
