"""Bank statement formats through POST /bank-imports: the content decides the format (the user may
override), custom CSV mappings read what the presets cannot, a mapping is saved per organization, and
every bad file is a clear 4xx that stores nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient, Response

from tests.channels.http.helpers import API, Browser, create_org, join, signup

TESTS = Path(__file__).resolve().parents[2]
BANKS = TESTS / "fixtures" / "banks"
CAMT = (BANKS / "camt053/oca-test-camt053.xml").read_bytes()


async def _office(make_client: Callable[[], AsyncClient], label: str = "formats-admin") -> Browser:
    admin = await signup(make_client(), label)
    await create_org(admin, f"{label} school", country="ES")
    return admin


async def _upload(who: Browser, name: str, data: bytes, **form: Any) -> Response:
    return await who.client.post(
        f"{API}/bank-imports",
        files={"file": (name, data, "application/octet-stream")},
        data={k: str(v) for k, v in form.items()},
        headers={"X-CSRF-Token": who.csrf},
    )


async def _lines(who: Browser) -> list[dict[str, Any]]:
    listed = await who.get("/reconciliation")
    assert listed.status_code == 200, listed.text
    lines: list[dict[str, Any]] = listed.json()["bank_lines"]
    return lines


@pytest.mark.parametrize(
    ("path", "fmt", "count"),
    [
        ("camt053/oca-test-camt053.xml", "camt", 4),
        ("norma43/csb43-sample_sepa.csb", "norma43", 14),
        ("ofx/ofxparse-bank_medium.ofx", "ofx", 3),
        ("csv-layouts/revolut-business.csv", "csv:revolut-business", 3),
        ("csv-banks/fabolhak-ingde-test_with_saldo_1.csv", "csv:ing-de", 9),
    ],
)
async def test_the_content_decides_the_format_whatever_the_file_is_called(
    make_client: Callable[[], AsyncClient], path: str, fmt: str, count: int
) -> None:
    admin = await _office(make_client)
    response = await _upload(admin, "statement.txt", (BANKS / path).read_bytes())
    assert response.status_code == 201, response.text
    assert (response.json()["format"], response.json()["lines_new"]) == (fmt, count)
    again = await _upload(admin, "again.txt", (BANKS / path).read_bytes() + b"\n")  # another file, same lines
    assert again.status_code == 201, again.text
    assert (again.json()["duplicate_file"], again.json()["lines_new"]) == (False, 0)


async def test_camt_lines_keep_value_date_payer_iban_apart(make_client: Callable[[], AsyncClient]) -> None:
    admin = await _office(make_client)
    assert (
        await _upload(admin, "s.xml", (BANKS / "camt053/genkgo-camt053.v4.xml").read_bytes())
    ).status_code == 201
    (line,) = await _lines(admin)
    assert (line["booked_on"], line["value_date"], line["payer_iban"], line["payer_name"]) == (
        "2014-12-31",
        "2015-01-02",
        "NL56AGDH9619008421",
        "NAME NAME",
    )


async def test_the_user_can_override_detection(make_client: Callable[[], AsyncClient]) -> None:
    admin = await _office(make_client)
    wrong = await _upload(admin, "s.xml", CAMT, format="ofx")  # the user's choice wins, even when wrong
    assert wrong.status_code == 422 and "OFX" in wrong.json()["error"]["message"]
    assert await _lines(admin) == []
    right = await _upload(admin, "s.xml", CAMT, format="camt053")
    assert right.status_code == 201 and right.json()["format"] == "camt"


async def test_an_unknown_content_asks_for_the_format(make_client: Callable[[], AsyncClient]) -> None:
    admin = await _office(make_client)
    refused = await _upload(admin, "notes.txt", b"just some notes\nnothing like a statement\n")
    assert refused.status_code == 422
    assert refused.json()["error"]["details"] == {"field": "format"}


MONZO = (
    b"Transaction ID,Date,Time,Type,Name,Emoji,Category,Amount,Currency,Local amount,Local currency,Notes\n"
    b"tx_0001,03/10/2026,10:11:12,Faster payment,Emma Brown,,Income,45.00,GBP,45.00,GBP,Tap class\n"
    b"tx_0002,04/10/2026,09:00:00,Card payment,Tesco,,Groceries,-12.40,GBP,-12.40,GBP,\n"
)
CZECH = "Datum;Částka;Protistrana;Zpráva\n01.10.2026;1 250,00;Jiří Dvořák;Kurz tance\n".encode("cp1250")
PREAMBLE_DEBIT_CREDIT = (BANKS / "csv/oca-meta_data_separated_credit_debit.csv").read_bytes()
NO_HEADER = (BANKS / "csv/oca-original_currency_no_header.csv").read_bytes()


async def test_custom_mapping_with_a_currency_column_keeps_gbp(
    make_client: Callable[[], AsyncClient],
) -> None:
    admin = await _office(make_client)
    form = dict(format="csv:custom", date_column="Date", amount_column="Amount", payer_column="Name")
    response = await _upload(
        admin, "monzo.csv", MONZO, **form, currency_column="Currency", date_format="%d/%m/%Y"
    )
    assert response.status_code == 201, response.text
    assert {line["currency"] for line in await _lines(admin)} == {"GBP"}


async def test_custom_mapping_with_a_fixed_currency(make_client: Callable[[], AsyncClient]) -> None:
    admin = await _office(make_client)
    form = dict(format="csv:custom", date_column="Date", amount_column="Amount", date_format="%d/%m/%Y")
    response = await _upload(admin, "monzo.csv", MONZO, **form, currency="GBP")
    assert response.status_code == 201, response.text
    assert {line["currency"] for line in await _lines(admin)} == {"GBP"}


async def test_custom_mapping_reads_a_cp1250_file_when_told_its_encoding(
    make_client: Callable[[], AsyncClient],
) -> None:
    admin = await _office(make_client)
    form = dict(
        format="csv:custom", date_column="Datum", amount_column="Částka", payer_column="Protistrana",
        reference_column="Zpráva", date_format="%d.%m.%Y", delimiter=";", decimal_comma="true",
        currency="CZK",
    )  # fmt: skip
    response = await _upload(admin, "cz.csv", CZECH, **form, encoding="cp1250")
    assert response.status_code == 201, response.text
    (line,) = await _lines(admin)
    assert (line["payer_name"], line["amount"], line["currency"]) == ("Jiří Dvořák", "1250.00", "CZK")


async def test_custom_mapping_with_preamble_rows_and_debit_credit_columns(
    make_client: Callable[[], AsyncClient],
) -> None:
    admin = await _office(make_client)
    form = dict(
        format="csv:custom", date_column="Date", debit_column="Debit", credit_column="Credit",
        payer_column="Detail", reference_column="Label", date_format="%d/%m/%y", decimal_comma="true",
        skip_rows=4,
    )  # fmt: skip
    # the "Balance at start of period" row under the table is not a transaction: unless skipped, the file
    # is refused naming that line, and nothing is stored
    refused = await _upload(admin, "bank.csv", PREAMBLE_DEBIT_CREDIT, **form)
    assert refused.status_code == 422 and "Line 10 of the CSV" in refused.json()["error"]["message"]
    assert await _lines(admin) == []
    response = await _upload(admin, "bank.csv", PREAMBLE_DEBIT_CREDIT, **form, skip_footer=1)
    assert response.status_code == 201, response.text
    assert response.json()["lines_total"] == 4
    # the three debits are set aside as not tuition; the credit waits in the inbox
    assert [line["amount"] for line in await _lines(admin)] == ["1300.00"]


async def test_custom_mapping_without_a_header_row(make_client: Callable[[], AsyncClient]) -> None:
    admin = await _office(make_client)
    form = dict(
        format="csv:custom", date_column="1", amount_column="4", currency_column="3", payer_column="6",
        date_format="%m/%d/%Y", has_header="false",
    )  # fmt: skip
    response = await _upload(admin, "noheader.csv", NO_HEADER, **form)
    assert response.status_code == 201, response.text
    (line,) = await _lines(admin)
    assert (line["booked_on"], line["amount"], line["payer_name"]) == (
        "2018-12-15",
        "1525.00",
        "Azure Interior",
    )


async def test_a_saved_mapping_is_reused_by_its_organization_only(
    make_client: Callable[[], AsyncClient],
) -> None:
    admin = await _office(make_client, "mapping-owner")
    form = dict(format="csv:custom", date_column="Date", amount_column="Amount", date_format="%d/%m/%Y")
    first = await _upload(admin, "m.csv", MONZO, **form, currency_column="Currency", save_mapping_as="Monzo")
    assert first.status_code == 201, first.text
    formats = await admin.get("/bank-formats")
    assert formats.json()["saved_mappings"] == ["Monzo"]
    assert "revolut-business" in formats.json()["csv_presets"]
    later = MONZO.replace(b"tx_0001", b"tx_0003").replace(b"03/10/2026", b"05/11/2026")
    reused = await _upload(admin, "m2.csv", later, mapping_name="Monzo")
    assert reused.status_code == 201, reused.text
    assert (reused.json()["format"], reused.json()["lines_new"]) == ("csv:custom", 1)
    other = await _office(make_client, "other-school")  # another organization cannot see it
    assert (await other.get("/bank-formats")).json()["saved_mappings"] == []
    missing = await _upload(other, "m.csv", MONZO, mapping_name="Monzo")
    assert missing.status_code == 404
    assert await _lines(other) == []


async def test_a_teacher_cannot_import_or_list_formats_and_staff_can(
    make_client: Callable[[], AsyncClient],
) -> None:
    admin = await _office(make_client, "roles-admin")
    teacher, staff = await signup(make_client(), "bank-teacher"), await signup(make_client(), "bank-staff")
    await join(admin, teacher, "teacher")
    await join(admin, staff, "staff")
    assert (await _upload(teacher, "s.xml", CAMT)).status_code == 403
    assert (await teacher.get("/bank-formats")).status_code == 403
    assert (await _upload(staff, "s.xml", CAMT)).status_code == 201  # the positive control
    assert (await staff.get("/bank-formats")).status_code == 200


TRUNCATED_XML = CAMT[: len(CAMT) // 2]
XML_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
<BkToCstmrStmt>&lol3;</BkToCstmrStmt></Document>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>&xxe;</MsgId>
</GrpHdr></BkToCstmrStmt></Document>"""
NORMA43 = (BANKS / "norma43/nantic-c43.txt").read_bytes()
NORMA43_LONG_RECORD = NORMA43.replace(b"\r\n", b"\n").replace(b"\n22", b"X\n22", 1)
OFX = (BANKS / "ofx/ofxparse-bank_medium.ofx").read_bytes()
OFX_BAD_HEADER = OFX.replace(b"OFXHEADER:100", b"OFXHEADER:999", 1)
AIRBANK = (BANKS / "csv-banks/bank2ynab-airbank-Movements_1234512345_201805271848.csv").read_bytes()
BUNQ = "bank2ynab-2019-03-02_11-50-46_bunq-statement.csv"
OFX_BROKEN_TAGS = OFX.replace(b"<STATUS><CODE>0<SEVERITY>INFO", b"<S", 1)  # found by fuzzing: was a 500
MIXED_ENCODINGS = "date,amount,payer,reference,currency\n2026-11-03,45,José,Cuota,EUR\n".encode() + (
    "2026-11-04,45,Begoña,Cuota,EUR\n".encode("latin-1")
)
BAD_FILES: dict[str, tuple[bytes, str, str]] = {
    # name: (content, format, a phrase of the message)
    "truncated XML": (TRUNCATED_XML, "auto", "incomplete or damaged"),
    "XML bomb": (XML_BOMB, "auto", "refused for safety"),
    "external entity": (XXE, "camt", "refused for safety"),
    "Norma 43 record too long": (NORMA43_LONG_RECORD, "auto", "is not a record"),
    "OFX bad header": (OFX_BAD_HEADER, "ofx", "no valid OFX header"),
    "OFX broken tags": (OFX_BROKEN_TAGS, "auto", "tags are broken or unclosed"),
    "mixed encodings": (MIXED_ENCODINGS, "csv:generic", "mixes two text encodings"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
async def test_a_bad_file_is_a_clear_422_and_stores_nothing(
    make_client: Callable[[], AsyncClient], name: str
) -> None:
    admin = await _office(make_client)
    data, fmt, phrase = BAD_FILES[name]
    refused = await _upload(admin, "bad", data, format=fmt)
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert set(error) == {"code", "message", "details"}
    assert phrase in error["message"] and "<" not in error["message"]
    assert await _lines(admin) == []
    assert (await admin.get("/bank-formats")).json()["saved_mappings"] == []
    sound = {  # the positive control: the same kind of file, intact
        "truncated XML": CAMT, "XML bomb": CAMT, "external entity": CAMT, "Norma 43 record too long": NORMA43,
        "OFX bad header": OFX, "OFX broken tags": OFX,
        "mixed encodings": MIXED_ENCODINGS.decode("utf-8", "replace").encode(),
    }[name]  # fmt: skip
    good = await _upload(admin, "good", sound, format=fmt)
    assert good.status_code == 201, good.text


async def test_a_real_bank_export_no_preset_reads_is_a_422_and_stores_nothing(
    make_client: Callable[[], AsyncClient],
) -> None:
    admin = await _office(make_client)
    refused = await _upload(admin, "Movements.csv", AIRBANK)  # AirBank (Czech): Cadence has no preset
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["details"] == {"field": "format"}
    assert "csv:custom" in refused.json()["error"]["message"]
    assert await _lines(admin) == []
    good = await _upload(admin, "statement.csv", (BANKS / "csv-banks" / BUNQ).read_bytes())  # control
    assert (good.status_code, good.json()["format"], good.json()["lines_new"]) == (201, "csv:bunq", 7)
