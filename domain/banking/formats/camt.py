"""ISO 20022 CAMT.053 statements (and CAMT.054 notifications, whose entries have the same shape).

Read with ``defusedxml`` over the standard library's expat parser: a document type declaration is
refused outright (no entity expansion, no external entity, no DTD fetch — an XML bomb or an XXE probe
never gets parsed), and a truncated document is refused with the line where it broke. Namespaces are
dropped from the tags as they are read, so every version from 001.02 to 001.13 reads the same way.

The document is read as a stream (``iterparse``): each entry becomes its lines as soon as it ends and is
then dropped, so a 50,000-entry statement never stands in memory as a tree of a million elements, and
the lookups inside an entry are plain tag names (ElementTree's C fast path) rather than ``{*}`` wildcard
paths, which ElementPath matches in Python element by element — that was most of the parse time.

One line per entry (``Ntry``); an entry booked as a batch whose transaction details (``TxDtls``) each
carry an amount becomes one line per transaction, so each payer is matched on their own transfer.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from domain.banking.formats.lines import ParsedLine, checked_line, clean, refuse_binary
from domain.errors import Invalid

ROOTS = ("BkToCstmrStmt", "BkToCstmrDbtCdtNtfctn", "BkToCstmrAcctRpt")  # 053, 054, 052
STATEMENTS = ("Stmt", "Ntfctn", "Rpt")


def _text(node: Element | None, path: str) -> str | None:
    if node is None:
        return None
    found = node.find(path)
    return clean(found.text) if found is not None else None


def _path(*tags: str) -> str:
    return "/".join(tags)  # tags carry no namespace once read (``_local``)


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _date(node: Element | None) -> date | None:
    """``<Dt>`` or ``<DtTm>`` under a BookgDt/ValDt element."""
    if node is None:
        return None
    text = _text(node, "Dt") or _text(node, "DtTm")
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])  # a DtTm's date part; its time and zone say nothing more
    except ValueError:
        return None


def _party(details: Element, credit: bool) -> tuple[str | None, str | None]:
    """(name, IBAN) of the other side: the debtor of a credit (who paid us), the creditor of a debit."""
    side, account = ("Dbtr", "DbtrAcct") if credit else ("Cdtr", "CdtrAcct")
    parties = details.find("RltdPties")
    if parties is None:
        return None, None
    # camt.053.001.02–07 put the name in Dbtr/Nm, 001.08+ in Dbtr/Pty/Nm; an ultimate debtor is the
    # person behind a payment service (a parent paying through their employer's account).
    name = _text(parties, _path(side, "Nm")) or _text(parties, _path(side, "Pty", "Nm"))
    name = name or _text(parties, _path("Ultmt" + side, "Nm"))
    iban = _text(parties, _path(account, "Id", "IBAN")) or _text(parties, _path(account, "Id", "Othr", "Id"))
    return name, iban


def _remittance(details: Element | None) -> str | None:
    if details is None:
        return None
    info = details.find("RmtInf")
    if info is None:
        return None
    parts = [clean(node.text) for node in info.findall("Ustrd")]
    parts += [clean(node.text) for node in info.iterfind(_path("Strd", "CdtrRefInf", "Ref"))]
    parts += [clean(node.text) for node in info.iterfind(_path("Strd", "AddtlRmtInf"))]
    return clean(" ".join(part for part in parts if part))


def _amount(node: Element | None, where: str) -> tuple[Decimal, str] | None:
    if node is None or node.text is None:
        return None
    try:
        return Decimal(node.text.strip()), (node.get("Ccy") or "").strip().upper()
    except InvalidOperation as exc:
        raise Invalid(
            "{where}: the amount {text!r} is not a number.",
            values={"where": where, "text": node.text[:20]},
            details={"line": where},
        ) from exc


def parse_camt(data: bytes) -> list[ParsedLine]:
    refuse_binary(data)
    lines: list[ParsedLine] = []
    # An entry's error waits for the end of the document, so a damaged or unsafe file, or one that is not
    # CAMT at all, is refused for that first, as when the whole tree was read before any entry.
    first_error: Invalid | None = None
    number = 0
    path: list[Element] = []  # the open elements, root first
    statement_account: dict[int, tuple[str | None, str | None]] = {}  # id(statement) → (IBAN, currency)
    waiting: list[tuple[Element, Element]] = []  # entries read before their statement's account
    is_camt = False

    def read(statement: Element, entry: Element) -> None:
        nonlocal number, first_error
        number += 1
        if first_error is not None:
            return
        account = statement.find("Acct")
        iban = _text(account, _path("Id", "IBAN")) or _text(account, _path("Id", "Othr", "Id"))
        try:
            lines.extend(_entry_lines(number, iban, _text(account, "Ccy"), entry))
        except Invalid as exc:
            first_error = exc

    try:
        for event, element in iterparse(
            io.BytesIO(data),
            events=("start", "end"),
            forbid_dtd=True,
            forbid_entities=True,
            forbid_external=True,
        ):
            if event == "start":
                path.append(element)
                continue
            element.tag = _local(element.tag)
            path.pop()
            parent = path[-1] if path else None
            if parent is not None and len(path) == 1 and element.tag in ROOTS:
                is_camt = True
            if element.tag in STATEMENTS:
                for _, entry in waiting:
                    read(element, entry)
                waiting.clear()
                statement_account.pop(id(element), None)
            elif element.tag == "Acct" and parent is not None and _local(parent.tag) in STATEMENTS:
                statement_account.setdefault(id(parent), (None, None))
            elif element.tag == "Ntry" and parent is not None and _local(parent.tag) in STATEMENTS:
                if id(parent) in statement_account:
                    read(parent, element)
                    parent.remove(element)  # done with: the tree never grows past one entry
                else:
                    waiting.append((parent, element))
    except DefusedXmlException as exc:
        raise Invalid(
            "This XML file declares a document type or entities, which a bank statement never does; it is "
            "refused for safety. / Este XML declara entidades o un DTD: se rechaza por seguridad.",
            details={"format": "camt", "reason": type(exc).__name__},
        ) from exc
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise Invalid(
            "This XML statement is incomplete or damaged (line {line}, column {column}): download it again "
            "from the bank. / El extracto XML está incompleto o dañado.",
            values={"line": line, "column": column},
            details={"format": "camt", "line": line},
        ) from exc
    if not is_camt:
        raise Invalid(
            "This XML file is not a CAMT.053 or CAMT.054 bank statement.", details={"format": "camt"}
        )
    if first_error is not None:
        raise first_error
    if not lines:
        raise Invalid(
            "No transactions were found in that CAMT statement. / El extracto no tiene movimientos.",
            details={"format": "camt"},
        )
    return lines


def _entry_lines(
    number: int, account: str | None, account_currency: str | None, entry: Element
) -> list[ParsedLine]:
    where = f"Entry {number} of the CAMT statement"
    total = _amount(entry.find("Amt"), where)
    booked = _date(entry.find("BookgDt"))
    valued = _date(entry.find("ValDt"))
    if total is None or (booked or valued) is None:
        raise Invalid("{where} has no amount or date.", values={"where": where}, details={"line": where})
    credit = _text(entry, "CdtDbtInd") != "DBIT"
    entry_ref = _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef")
    details = entry.findall(_path("NtryDtls", "TxDtls"))
    split = len(details) > 1 and all(
        d.find(_path("AmtDtls", "TxAmt", "Amt")) is not None or d.find("Amt") is not None for d in details
    )
    parts: list[tuple[Element | None, tuple[Decimal, str]]] = []
    if split:
        for detail in details:
            node = detail.find(_path("AmtDtls", "TxAmt", "Amt"))
            # an Element without children is falsy: compare with None, never ``or``
            found = _amount(node if node is not None else detail.find("Amt"), where)
            assert found is not None  # checked by ``split``
            parts.append((detail, found))
    else:
        parts.append((details[0] if details else None, total))
    result = []
    for index, (part, (amount, currency)) in enumerate(parts):
        name, iban = _party(part, credit) if part is not None else (None, None)
        refs = part.find("Refs") if part is not None else None
        tx_ref = _text(refs, "AcctSvcrRef") or _text(refs, "TxId")
        e2e = _text(refs, "EndToEndId")
        e2e = None if e2e == "NOTPROVIDED" else e2e
        bank_id = tx_ref or (f"{entry_ref}#{index}" if entry_ref and split else entry_ref)
        purpose = _remittance(part) or _text(entry, "AddtlNtryInf")
        raw = {
            "end_to_end_reference": e2e,
            "entry_reference": entry_ref,
            "additional_info": _text(entry, "AddtlNtryInf"),
            "bank_transaction_code": _text(entry, _path("BkTxCd", "Prtry", "Cd"))
            or _text(entry, _path("BkTxCd", "Domn", "Fmly", "SubFmlyCd")),
        }
        result.append(
            checked_line(
                where,
                booked_on=booked or valued,  # type: ignore[arg-type]  # one of them, checked above
                value_date=valued,
                amount=amount if credit else -amount,
                currency=currency or account_currency or "",
                payer_name=name,
                payer_iban=iban,
                reference=purpose or e2e,
                raw={key: value for key, value in raw.items() if value},
                bank_id=bank_id,
                account=account,
            )
        )
    return result
