"""ISO 20022 CAMT.053 statements (and CAMT.054 notifications, whose entries have the same shape).

Read with ``defusedxml`` over the standard library's expat parser: a document type declaration is
refused outright (no entity expansion, no external entity, no DTD fetch — an XML bomb or an XXE probe
never gets parsed), and a truncated document is refused with the line where it broke. Namespaces are
ignored (``{*}``), so every version from 001.02 to 001.13 reads the same way.

One line per entry (``Ntry``); an entry booked as a batch whose transaction details (``TxDtls``) each
carry an amount becomes one line per transaction, so each payer is matched on their own transfer.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

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
    return "/".join(f"{{*}}{tag}" for tag in tags)


def _document(data: bytes) -> Element:
    refuse_binary(data)
    try:
        root: Element = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise Invalid(
            "This XML file declares a document type or entities, which a bank statement never does; it is "
            "refused for safety. / Este XML declara entidades o un DTD: se rechaza por seguridad.",
            details={"format": "camt", "reason": type(exc).__name__},
        ) from exc
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise Invalid(
            f"This XML statement is incomplete or damaged (line {line}, column {column}): download it "
            "again from the bank. / El extracto XML está incompleto o dañado.",
            details={"format": "camt", "line": line},
        ) from exc
    return root


def _date(node: Element | None) -> date | None:
    """``<Dt>`` or ``<DtTm>`` under a BookgDt/ValDt element."""
    if node is None:
        return None
    text = _text(node, "{*}Dt") or _text(node, "{*}DtTm")
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])  # a DtTm's date part; its time and zone say nothing more
    except ValueError:
        return None


def _party(details: Element, credit: bool) -> tuple[str | None, str | None]:
    """(name, IBAN) of the other side: the debtor of a credit (who paid us), the creditor of a debit."""
    side, account = ("Dbtr", "DbtrAcct") if credit else ("Cdtr", "CdtrAcct")
    parties = details.find("{*}RltdPties")
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
    info = details.find("{*}RmtInf")
    if info is None:
        return None
    parts = [clean(node.text) for node in info.findall("{*}Ustrd")]
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
            f"{where}: the amount {node.text[:20]!r} is not a number.", details={"line": where}
        ) from exc


def _entries(root: Element) -> Iterator[tuple[str | None, str | None, Element]]:
    """(account IBAN, account currency, entry) for every entry of every statement."""
    for statement in root.iter():
        if not isinstance(statement.tag, str) or statement.tag.rpartition("}")[2] not in STATEMENTS:
            continue
        account = statement.find("{*}Acct")
        iban = _text(account, _path("Id", "IBAN")) or _text(account, _path("Id", "Othr", "Id"))
        for entry in statement.findall("{*}Ntry"):
            yield iban, _text(account, "{*}Ccy"), entry


def parse_camt(data: bytes) -> list[ParsedLine]:
    root = _document(data)
    if not any(root.find(f"{{*}}{name}") is not None for name in ROOTS):
        raise Invalid(
            "This XML file is not a CAMT.053 or CAMT.054 bank statement.", details={"format": "camt"}
        )
    lines: list[ParsedLine] = []
    for number, (account, account_currency, entry) in enumerate(_entries(root), start=1):
        lines.extend(_entry_lines(number, account, account_currency, entry))
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
    total = _amount(entry.find("{*}Amt"), where)
    booked = _date(entry.find("{*}BookgDt"))
    valued = _date(entry.find("{*}ValDt"))
    if total is None or (booked or valued) is None:
        raise Invalid(f"{where} has no amount or date.", details={"line": where})
    credit = _text(entry, "{*}CdtDbtInd") != "DBIT"
    entry_ref = _text(entry, "{*}AcctSvcrRef") or _text(entry, "{*}NtryRef")
    details = entry.findall(_path("NtryDtls", "TxDtls"))
    split = len(details) > 1 and all(
        d.find(_path("AmtDtls", "TxAmt", "Amt")) is not None or d.find("{*}Amt") is not None for d in details
    )
    parts: list[tuple[Element | None, tuple[Decimal, str]]] = []
    if split:
        for detail in details:
            node = detail.find(_path("AmtDtls", "TxAmt", "Amt"))
            # an Element without children is falsy: compare with None, never ``or``
            found = _amount(node if node is not None else detail.find("{*}Amt"), where)
            assert found is not None  # checked by ``split``
            parts.append((detail, found))
    else:
        parts.append((details[0] if details else None, total))
    result = []
    for index, (part, (amount, currency)) in enumerate(parts):
        name, iban = _party(part, credit) if part is not None else (None, None)
        refs = part.find("{*}Refs") if part is not None else None
        tx_ref = _text(refs, "{*}AcctSvcrRef") or _text(refs, "{*}TxId")
        e2e = _text(refs, "{*}EndToEndId")
        e2e = None if e2e == "NOTPROVIDED" else e2e
        bank_id = tx_ref or (f"{entry_ref}#{index}" if entry_ref and split else entry_ref)
        purpose = _remittance(part) or _text(entry, "{*}AddtlNtryInf")
        raw = {
            "end_to_end_reference": e2e,
            "entry_reference": entry_ref,
            "additional_info": _text(entry, "{*}AddtlNtryInf"),
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
