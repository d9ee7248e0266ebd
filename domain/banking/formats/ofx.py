"""OFX statements (1.x SGML and 2.x XML), read with ``ofxtools``' parser.

``ofxtools`` checks the OFX header and turns SGML or XML into an element tree. Its strict model layer
(``convert``) is not used: real exports break the spec in harmless ways (a bank id longer than nine
characters, two transaction lists, no sign-on block) and a school cannot ask its bank to fix them.
The few elements a statement line needs are read from the tree instead.

The account's id plus ``FITID`` (the bank's id, unique within an account) decides whether a line was
imported before.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from io import BytesIO
from xml.etree.ElementTree import Element
from xml.etree.ElementTree import ParseError as TreeError

from domain.banking.formats.lines import ParsedLine, checked_line, clean, refuse_binary
from domain.errors import Invalid

STATEMENTS = ("STMTRS", "CCSTMTRS")


def _tree(data: bytes) -> Element:
    from ofxtools.header import OFXHeaderError
    from ofxtools.Parser import OFXTree, ParseError

    tree = OFXTree()
    try:
        tree.parse(BytesIO(data.lstrip(b"\xef\xbb\xbf")))
    except OFXHeaderError as exc:
        raise Invalid(
            "This OFX file has no valid OFX header (OFXHEADER:100 or an OFX processing instruction): export "
            "it again from the bank. / El fichero OFX no tiene una cabecera válida.",
            details={"format": "ofx"},
        ) from exc
    except (ParseError, TreeError, ValueError, UnicodeError, LookupError) as exc:  # ofxtools' or the tree's
        raise Invalid(
            "This OFX file cannot be read: its tags are broken or unclosed. / El fichero OFX está dañado.",
            details={"format": "ofx"},
        ) from exc
    root = tree.getroot()
    if root is None:
        raise Invalid("This OFX file is empty. / El fichero OFX está vacío.", details={"format": "ofx"})
    return root


def _text(node: Element | None, tag: str) -> str | None:
    if node is None:
        return None
    found = node.find(tag)
    return clean(found.text) if found is not None else None


def _date(text: str | None) -> date | None:
    if not text or len(text) < 8 or not text[:8].isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def _amount(text: str | None) -> Decimal:
    value = (text or "").strip().replace(" ", "")
    if "," in value and "." not in value:  # some European banks write OFX amounts with decimal commas
        value = value.replace(",", ".")
    return Decimal(value)


def _statements(root: Element) -> Iterator[Element]:
    for tag in STATEMENTS:
        yield from root.iter(tag)


def parse_ofx(data: bytes) -> list[ParsedLine]:
    refuse_binary(data)
    root = _tree(data)
    lines = []
    number = 0
    for statement in _statements(root):
        currency = (_text(statement, "CURDEF") or "").upper()
        account_node = statement.find("BANKACCTFROM")
        if account_node is None:
            account_node = statement.find("CCACCTFROM")
        account = _text(account_node, "ACCTID")
        for transaction in statement.iter("STMTTRN"):
            number += 1
            where = f"Transaction {number} of the OFX statement"
            posted = _date(_text(transaction, "DTPOSTED"))
            if posted is None:
                raise Invalid(
                    "{where} has no posting date (DTPOSTED).",
                    values={"where": where},
                    details={"line": where},
                )
            try:
                amount = _amount(_text(transaction, "TRNAMT"))
            except InvalidOperation as exc:
                raise Invalid(
                    "{where}: the amount is not a number.", values={"where": where}, details={"line": where}
                ) from exc
            payee = transaction.find("PAYEE")
            name = _text(transaction, "NAME") or _text(payee, "NAME")
            counter = transaction.find("BANKACCTTO")
            memo = _text(transaction, "MEMO")
            raw = {
                "type": _text(transaction, "TRNTYPE"),
                "memo": memo,
                "check_number": _text(transaction, "CHECKNUM"),
                "reference_number": _text(transaction, "REFNUM"),
                "user_date": _text(transaction, "DTUSER"),
            }
            lines.append(
                checked_line(
                    where,
                    booked_on=posted,
                    value_date=_date(_text(transaction, "DTAVAIL")),  # DTUSER is when the payer initiated it
                    amount=amount,
                    currency=(_text(transaction.find("CURRENCY"), "CURSYM") or currency).upper(),
                    payer_name=name,
                    payer_iban=_text(counter, "ACCTID"),
                    reference=memo if memo != name else None,
                    raw={key: value for key, value in raw.items() if value},
                    bank_id=_text(transaction, "FITID"),
                    account=account,
                )
            )
    if not lines:
        raise Invalid(
            "No transactions were found in that OFX statement. / El extracto OFX no tiene movimientos.",
            details={"format": "ofx"},
        )
    return lines
