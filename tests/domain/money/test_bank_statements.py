"""Real banks' statements: the payer fields MT940 carries, and bad files refused whole with a clear reason.

The MT940 samples come from other projects' test suites (tests/data/statements/SOURCES.md).
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.banking import service as banking
from domain.banking.formats import CsvMapping
from domain.banking.formats.lines import keyed
from domain.banking.formats.swift import parse_mt940
from domain.banking.models import BankImport, BankLine
from domain.errors import Invalid
from tests.domain.studio import build_studio

STATEMENTS = Path(__file__).resolve().parents[2] / "data" / "statements"
HEADER = b"date,amount,payer,reference,currency\n"


def test_a_german_sepa_statement_gives_payer_iban_and_purpose() -> None:
    lines = parse_mt940((STATEMENTS / "de-sepa-betterplace.sta").read_bytes())
    assert len(lines) == 97
    # Every credit from a person names them (?32/?33); the lines without a payer are returns
    # (RETOURE), batch bookings (SAMMLER) and the account holder's own outgoing transfers.
    assert sum(1 for line in lines if line.payer_name) == 51
    assert all(line.payer_name for line in lines if line.raw.get("posting_text") == "GUTSCHRIFT")
    renate = next(line for line in lines if line.amount == Decimal("15000.05"))
    assert renate.payer_name == "Richter Renate 70 Zeichen Beginn Fuellzeichen xxxxxxxx"
    assert renate.raw["iban"] == "DE42100100100043921105"
    assert renate.reference is not None and renate.reference.startswith("TO 13 TFNr 20004")


def test_swift_structured_and_dutch_free_text_details_give_the_payer() -> None:
    rabobank = parse_mt940((STATEMENTS / "nl-rabobank-iban.sta").read_bytes())
    assert [(x.payer_name, x.reference) for x in rabobank][:2] == [
        ("CONTRA ACCOUNT HOLDER", "01-01-2013 12:00 0030000987654321"),
        ("JOHN DOE", "Reference 201301234"),
    ]
    asn = parse_mt940((STATEMENTS / "nl-asn-bank.940.txt").read_bytes())
    assert (asn[0].payer_name, asn[0].reference, asn[0].raw["iban"]) == (
        "hr gjlm paulissen",
        "Betaling sieraden",
        "NL47INGB9999999999",
    )
    knab = parse_mt940((STATEMENTS / "nl-knab.sta").read_bytes())
    assert [(x.payer_name, x.raw.get("iban")) for x in knab][1:] == [
        ("PICQER", "NL65INGB0123456789"),
        ("MMS ONLINE NEDERLAND B.V.", "NL84INGB0234561789"),
    ]
    # Our own sample's "text/ORDP/payer" still reads as before, so re-imports overlap line for line.
    ours = parse_mt940((STATEMENTS / "november.mt940").read_bytes())
    assert (ours[0].payer_name, ours[0].reference) == ("MARTA GARCIA", "Cuota noviembre Ana")


def _csv(*rows: str) -> bytes:
    return HEADER + "".join(row + "\n" for row in rows).encode()


BAD_FILES: dict[str, tuple[str, bytes, str]] = {
    "an MT940 without a currency (Sparkasse)": (
        "mt940",
        (STATEMENTS / "de-sparkasse-no-currency.sta").read_bytes(),
        "names no currency",
    ),
    "an MT940 with an amount too large to store": (
        "mt940",
        b":20:X\n:25:ES79\n:28C:1/1\n:60F:C261101EUR0,00\n:61:2611031103C999999999999999,NTRFNONREF\n"
        b":86:x\n:62F:C261103EUR0,00\n",
        "not a usable amount",
    ),
    "a CSV amount of Infinity": ("csv", _csv("2026-11-03,Infinity,Ana,cuota,EUR"), "not a usable amount"),
    "a CSV amount of NaN": ("csv", _csv("2026-11-03,NaN,Ana,cuota,EUR"), "not a usable amount"),
    "a CSV amount of 1e20": ("csv", _csv("2026-11-03,1e20,Ana,cuota,EUR"), "not a usable amount"),
    "a CSV amount that is no number": ("csv", _csv("2026-11-03,lots,Ana,cuota,EUR"), "not a number"),
    "a CSV currency that is no code": ("csv", _csv("2026-11-03,45.00,Ana,cuota,EUROS"), "not a currency"),
    "a binary file as CSV": ("csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
    "a binary file as MT940": ("mt940", b"PK\x03\x04\x14\x00\x00\x00" + bytes(range(256)), "binary"),
    "a 128 KB field": ("csv", _csv("2026-11-03,45.00,Ana," + "x" * 131_072 + ",EUR"), "characters long"),
    "a field over the csv module's limit": (
        "csv",
        _csv("2026-11-03,45.00,Ana," + "y" * 140_000 + ",EUR"),
        "cannot be read",
    ),
    "an ASN-like file the parser cannot read": (
        "mt940",
        b":20:0\n:25:NL81ASNB9999999999\n:28C:1/1\n:60F:C200101EUR444,29\n:61:2001010101Q65,00garbage\n"
        b":86:x\n:62F:C200101EUR379,29\n",
        "not a readable MT940",
    ),
}


@pytest.mark.parametrize("case", BAD_FILES.values(), ids=list(BAD_FILES))
async def test_a_bad_statement_is_refused_with_a_clear_reason_and_nothing_stored(
    session: AsyncSession, case: tuple[str, bytes, str]
) -> None:
    fmt, data, reason = case
    studio = await build_studio(session)
    with pytest.raises(Invalid) as refused:
        await banking.import_statement(session, studio.staff, filename="bad", data=data, fmt=fmt)
    message = refused.value.message
    assert reason in message
    assert " object at 0x" not in message and "<" not in message and len(message) < 400
    assert await session.scalar(select(func.count()).select_from(BankImport)) == 0
    assert await session.scalar(select(func.count()).select_from(BankLine)) == 0


async def test_a_statement_of_more_than_65535_lines_imports(session: AsyncSession) -> None:
    """psycopg sends at most 65,535 bind parameters per statement: the lookups and inserts are batched."""
    studio = await build_studio(session, names=("Ana García",))
    count = 65_600
    rows = "".join(
        f"2026-11-{1 + i % 28:02d},{1 + i % 997}.{i % 100:02d},P{i},R{i},EUR\n" for i in range(count)
    )
    data = HEADER + rows.encode()
    result = await banking.import_statement(session, studio.staff, filename="big.csv", data=data, fmt="csv")
    assert (result.lines_total, result.lines_new) == (count, count)
    assert await session.scalar(select(func.count()).select_from(BankLine)) == count


@pytest.mark.parametrize("delimiter", ["", '"', "\n"])
async def test_a_custom_mapping_with_an_unusable_delimiter_is_refused(
    session: AsyncSession, delimiter: str
) -> None:
    studio = await build_studio(session)
    mapping = CsvMapping(
        date="date", amount="amount", payer="payer", reference="reference", delimiter=delimiter
    )
    with pytest.raises(Invalid, match="delimiter"):
        await banking.import_statement(
            session,
            studio.staff,
            filename="x.csv",
            data=_csv("2026-11-03,45.00,A,B,EUR"),
            fmt="csv:custom",
            mapping=mapping,
        )
    usable = CsvMapping(date="date", amount="amount", payer="payer", reference="reference", delimiter=",")
    result = await banking.import_statement(
        session,
        studio.staff,
        filename="y.csv",
        data=_csv("2026-11-03,45.00,A,B,EUR"),
        fmt="csv:custom",
        mapping=usable,
    )
    assert result.lines_new == 1


def test_reading_the_payer_does_not_change_the_identity_of_lines_imported_before() -> None:
    """Lines were keyed on the :86: text split at /ORDP/ (nothing, for German SEPA) before the payer was
    read: an overlapping statement imported now must find those lines, not add them again."""
    [(key, first), *_] = keyed(parse_mt940((STATEMENTS / "de-sepa-betterplace.sta").read_bytes()))
    assert first.payer_name is None and first.reference is not None
    assert key == hashlib.sha256(b"2007-09-04|300.00|EUR|None|None|0").hexdigest()
    renate = next(
        k
        for k, line in keyed(parse_mt940((STATEMENTS / "de-sepa-betterplace.sta").read_bytes()))
        if line.amount == Decimal("15000.05")
    )
    assert renate == hashlib.sha256(b"2007-09-04|15000.05|EUR|None|None|0").hexdigest()
