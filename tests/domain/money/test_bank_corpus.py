"""Public sample statements (tests/fixtures/banks, tests/data/statements): every file's line count, and
three lines' date, amount, currency and payer exactly, read with the format its content says.

Sources and licences: tests/fixtures/banks/README.md and tests/data/statements/SOURCES.md.
"""

from __future__ import annotations

import warnings
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from domain.banking.formats import CsvMapping, ParsedLine, detect, parse, parse_lines
from domain.errors import Invalid

TESTS = Path(__file__).resolve().parents[2]
Row = tuple[int, str, str, str, str | None]

# file → (format detected, lines, [(index, booking date, amount, currency, payer), …])
CORPUS: dict[str, tuple[str, int, list[Row]]] = {
    # CAMT.053 / CAMT.054 (OCA bank-statement-import, genkgo/camt)
    "fixtures/banks/camt053/oca-test-camt053.xml": ("camt", 4, [
        (0, "2014-01-05", "-754.25", "EUR", "INSURANCE COMPANY TESTX"),
        (2, "2014-01-05", "-100.00", "EUR", "Test Customer"),
        (3, "2014-01-05", "1405.31", "EUR", "3rd party Media"),
    ]),
    "fixtures/banks/camt053/oca-test-camt053-txdtls.xml": ("camt", 2, [
        (0, "2017-03-22", "2187.00", "CHF", "Banque Cantonale Vaudoise"),
        (1, "2017-03-22", "1296.00", "CHF", "Banque Cantonale Vaudoise"),
    ]),
    "fixtures/banks/camt053/genkgo-camt053.v2.minimal.xml": ("camt", 1, [
        (0, "2014-12-31", "8.85", "EUR", "NAME NAME"),
    ]),
    "fixtures/banks/camt053/genkgo-camt053.v2.multi.statement.xml": ("camt", 2, [
        (0, "2014-12-31", "8.85", "EUR", None),
        (1, "2014-12-31", "-7.00", "EUR", "Company Name 2"),
    ]),
    "fixtures/banks/camt053/genkgo-camt053.v2.five.decimals.xml": ("camt", 1, [
        (0, "2014-12-31", "8.85", "EUR", None),
    ]),
    "fixtures/banks/camt053/genkgo-camt053.v4.xml": ("camt", 1, [
        (0, "2014-12-31", "8.85", "EUR", "NAME NAME"),
    ]),
    "fixtures/banks/camt053/genkgo-camt053.v8.xml": ("camt", 1, [
        (0, "2014-12-31", "8.85", "EUR", "NAME NAME"),
    ]),
    "fixtures/banks/camt054/genkgo-camt054.v8.xml": ("camt", 3, [
        (0, "2007-10-18", "-3.10", "CHF", "Example Creditor 3 - V1"),
        (1, "2007-10-18", "-3.20", "CHF", "Example Creditor 3 - V2"),
        (2, "2007-10-18", "-3.20", "CHF", "Example Creditor 3 - V3"),
    ]),
    "fixtures/banks/camt054/oca-test-camt054.xml": ("camt", 1, [
        (0, "2022-01-26", "5.00", "EUR", "Test Customer"),
    ]),
    # Norma 43 (csb43, NaN-tic)
    "fixtures/banks/norma43/csb43-sample_sepa.csb": ("norma43", 14, [
        (0, "2022-01-01", "-57.82", "EUR", None),
        (1, "2022-01-01", "-31.00", "EUR", "ACME FIBRA Y MOVIL ESPANA SA"),
        (13, "2023-10-30", "-1.20", "EUR", None),
    ]),
    "fixtures/banks/norma43/nantic-c43.txt": ("norma43", 22, [
        (0, "2011-11-11", "-35.60", "EUR", None),
        (11, "2011-11-16", "-11.90", "EUR", None),
        (21, "2011-11-20", "-3.55", "EUR", None),
    ]),
    # OFX (OCA, ofxparse, ofxtools)
    "fixtures/banks/ofx/oca-test_ofx.ofx": ("ofx", 4, [
        (0, "2013-08-24", "-80.00", "USD", "Agrolait"),
        (2, "2013-08-24", "-100.00", "USD", "Axelor Scuba"),
        (3, "2013-08-24", "-90.00", "USD", "China Scuba"),
    ]),
    "fixtures/banks/ofx/oca-test_ofx_iban.ofx": ("ofx", 4, [
        (0, "2013-08-24", "-80.00", "USD", "Agrolait"),
        (1, "2013-08-24", "-90.00", "USD", "China Export"),
        (3, "2013-08-24", "-90.00", "USD", "China Scuba"),
    ]),
    "fixtures/banks/ofx/ofxparse-anzcc.ofx": ("ofx", 1, [(0, "2017-05-08", "-5.50", "AUD", None)]),
    "fixtures/banks/ofx/ofxparse-bank_medium.ofx": ("ofx", 3, [
        (0, "2009-04-01", "-6.60", "CAD", "MCDONALD'S #112"),
        (1, "2009-04-02", "-316.67", "CAD", "Joe's Bald Hairstyles"),
        (2, "2009-04-03", "-22.00", "CAD", "CONNIE'S HAIR D"),
    ]),
    "fixtures/banks/ofx/ofxparse-checking.ofx": ("ofx", 3, [
        (0, "2011-03-31", "0.01", "USD", "DIVIDEND EARNED FOR PERIOD OF 03"),
        (1, "2011-04-05", "-34.51", "USD", "AUTOMATIC WITHDRAWAL, ELECTRIC BILL"),
        (2, "2011-04-07", "-25.00", "USD", "RETURNED CHECK FEE, CHECK # 319"),
    ]),
    "fixtures/banks/ofx/ofxparse-suncorp.ofx": ("ofx", 1, [
        (0, "2013-12-15", "-16.85", "AUD", "EFTPOS WDL HANDYWAY ALDI STORE"),
    ]),
    "fixtures/banks/ofx/ofxtools-stmtrs.ofx": ("ofx", 2, [
        (0, "2005-10-04", "-200.00", "USD", None),
        (1, "2005-10-20", "-300.00", "USD", None),
    ]),
    # MT940 (WoLpH/mt940's suite)
    "data/statements/ch-postfinance.sta": ("mt940", 4, [
        (0, "2013-12-09", "79.70", "CHF", None),
        (2, "2013-12-16", "-79.90", "CHF", None),
        (3, "2013-12-18", "10.10", "CHF", None),
    ]),
    "data/statements/de-cmxl-multi-currency.sta": ("mt940", 16, [
        (0, "2013-10-17", "-6800.00", "DEM", None),
        (8, "2013-10-18", "3656.74", "DEM", None),
        (15, "2003-10-20", "40.00", "PLN", None),
    ]),
    "data/statements/de-sepa-betterplace.sta": ("mt940", 97, [
        (0, "2007-09-04", "300.00", "EUR", None),
        (48, "2007-09-04", "-6002.17", "EUR", "Empfaenger 4 mit 70 Zeichen Empfaenger 4 mit 70 Zeiche"),
        (96, "2007-09-04", "50.05", "EUR", "Richter Renate 70 Zeichen Beginn Fuellzeichen xxxxxxxx"),
    ]),
    "data/statements/de-with-binary-character.sta": ("mt940", 4, [
        (0, "2010-03-19", "27.00", "EUR", "PAYPAL"),
        (2, "2010-03-19", "-193282.05", "EUR", None),
        (3, "2010-03-19", "1120.00", "EUR", None),
    ]),
    "data/statements/nl-abnamro.sta": ("mt940", 10, [
        (0, "2011-05-24", "-9.00", "EUR", None),
        (5, "2011-05-23", "-15.49", "EUR", None),
        (9, "2011-05-24", "-15.00", "EUR", None),
    ]),
    "data/statements/nl-asn-bank.940.txt": ("mt940", 8, [
        (0, "2020-01-01", "-65.00", "EUR", "hr gjlm paulissen"),
        (4, "2020-01-29", "828.72", "EUR", "transfer solutions bv"),
        (7, "2020-01-31", "-903.76", "EUR", "international card services"),
    ]),
    "data/statements/nl-ing.sta": ("mt940", 7, [
        (0, "2010-07-22", "-25.03", "EUR", None),
        (3, "2010-07-22", "-20.00", "EUR", None),
        (6, "2010-07-23", "1.00", "EUR", "Hr S Marechal"),
    ]),
    "data/statements/nl-knab.sta": ("mt940", 3, [
        (0, "2014-05-07", "500.00", "EUR", None),
        (1, "2014-07-29", "-7260.00", "EUR", "PICQER"),
        (2, "2014-07-29", "500.00", "EUR", "MMS ONLINE NEDERLAND B.V."),
    ]),
    "data/statements/nl-rabobank-iban.sta": ("mt940", 4, [
        (0, "2013-01-01", "-25.00", "EUR", "CONTRA ACCOUNT HOLDER"),
        (2, "2013-01-08", "-25.00", "EUR", "CONTRA ACCOUNT HOLDER"),
        (3, "2013-01-09", "-10.00", "EUR", "JOHN DOE"),
    ]),
    "data/statements/pl-mbank.sta": ("mt940", 3, [
        (0, "2017-01-19", "0.01", "PLN", None),
        (1, "2017-01-19", "0.01", "PLN", None),
        (2, "2017-01-19", "0.01", "PLN", None),
    ]),
    # Bank CSV layouts with no public sample file: the banks' columns, invented rows (see the README). The
    # layouts proven on real sample exports are in test_bank_csv_samples.py
    "fixtures/banks/csv-layouts/revolut-personal.csv": ("csv:revolut", 3, [
        (0, "2026-10-01", "55.00", "EUR", "Lucia Fernandez"),
        (1, "2026-10-04", "110.00", "EUR", "MARTA GIL"),  # the PENDING card payment is left out
        (2, "2026-10-06", "-15.99", "EUR", "Amazon"),
    ]),
    "fixtures/banks/csv-layouts/revolut-business.csv": ("csv:revolut-business", 3, [
        (0, "2026-10-01", "60.00", "EUR", "ANA LOPEZ"),
        (1, "2026-10-02", "-42.50", "EUR", "Leroy Merlin"),  # the DECLINED transfer is left out
        (2, "2026-10-05", "45.00", "GBP", "JOHN SMITH"),
    ]),
    "fixtures/banks/csv-layouts/n26.csv": ("csv:n26", 3, [
        (0, "2026-10-01", "48.00", "EUR", "Carmen Diaz"),
        (1, "2026-10-02", "-12.35", "EUR", "Rewe"),
        (2, "2026-10-03", "95.50", "EUR", "Jorge Martin"),
    ]),
    "fixtures/banks/csv-layouts/n26-2023.csv": ("csv:n26-2023", 3, [
        (0, "2026-10-01", "48.00", "EUR", "Carmen Diaz"),
        (1, "2026-10-02", "-13.99", "EUR", "Netflix"),
        (2, "2026-10-04", "95.50", "EUR", "Jorge Martin"),
    ]),
    "fixtures/banks/csv-layouts/ing-nl.csv": ("csv:ing-nl", 3, [
        (0, "2026-10-01", "55.00", "EUR", "J. de Vries"),
        (1, "2026-10-02", "-18.40", "EUR", "Albert Heijn 1234"),
        (2, "2026-10-03", "110.00", "EUR", "K. Jansen"),
    ]),
    "fixtures/banks/csv-layouts/bbva.csv": ("csv:bbva", 3, [
        (0, "2026-10-01", "45.00", "EUR", "MARIA PEREZ GARCIA"),
        (1, "2026-10-02", "-87.12", "EUR", "IBERDROLA CLIENTES SAU"),
        (2, "2026-10-05", "1090.00", "EUR", "ANTONIO RUIZ"),
    ]),
    "fixtures/banks/csv-layouts/santander.csv": ("csv:santander", 3, [
        (0, "2026-10-01", "50.00", "EUR", "LAURA SANCHEZ"),
        (1, "2026-10-02", "-3.20", "EUR", None),
        (2, "2026-10-03", "2100.00", "EUR", "PEDRO NAVARRO"),
    ]),
    "fixtures/banks/csv-layouts/caixabank.csv": ("csv:caixabank", 3, [
        (0, "2026-10-05", "60.00", "EUR", "ELENA CASTRO"),  # "TRANSF DE ELENA CASTRO": the name alone
        (1, "2026-10-03", "-1112.35", "EUR", "RECIBO ENDESA ENERGIA"),
        (2, "2026-10-01", "45.50", "EUR", "Transferencia recibida"),
    ]),
    "fixtures/banks/csv-layouts/sabadell.csv": ("csv:sabadell", 3, [
        (0, "2026-10-01", "70.00", "EUR", "ISABEL MORENO"),
        (1, "2026-10-02", "-24.54", "EUR", None),
        (2, "2026-10-04", "140.00", "EUR", "LUIS ROMERO"),
    ]),
}  # fmt: skip

# Generic CSV layouts (OCA, caixa2bean), each read with the custom mapping a school would save for it
OCA: dict[str, Any] = dict(date="Date", date_format="%m/%d/%Y", reference="Label", payer="Partner Name")
CSV_MAPPINGS: dict[str, tuple[CsvMapping, int, list[Row]]] = {
    "oca-sample_statement_en.csv": (CsvMapping(**OCA, amount="Amount", currency="Currency"), 2, [
        (0, "2018-12-15", "-33.50", "USD", "John Doe"), (1, "2018-12-15", "1525.00", "EUR", "Azure Interior"),
    ]),
    "oca-multi_currency.csv": (CsvMapping(**OCA, amount="Amount", currency="Currency"), 2, [
        (0, "2018-12-15", "-33.50", "USD", "John Doe"), (1, "2018-12-15", "1525.00", "EUR", "Azure Interior"),
    ]),
    "oca-debit_credit.csv": (
        CsvMapping(**OCA, amount="Amount", direction="D/C", debit_marks=("D",), default_currency="USD"), 2, [
            (0, "2018-12-15", "-33.50", "USD", "John Doe"),
            (1, "2018-12-15", "1533.50", "USD", "Azure Interior"),
        ],
    ),
    "oca-original_currency_no_header.csv": (
        CsvMapping(date="1", date_format="%m/%d/%Y", amount="4", currency="3", payer="6", reference="2",
                   has_header=False),
        1, [(0, "2018-12-15", "1525.00", "EUR", "Azure Interior")],
    ),
    # caixa2bean's mock of CaixaBank's spreadsheet export: its header is a comment, so columns by number
    "caixa2bean-sample-statement.csv": (
        CsvMapping(date="4", value_date="5", date_format="%d/%m/%Y", amount=None, credit="6", debit="7",
                   currency="3", payer="13", reference="12", has_header=False, skip_rows=11),
        4, [
            (0, "2025-12-31", "-15.50", "EUR", "GAS STATION EXAMPLE"),
            (1, "2025-12-30", "500.00", "EUR", "SALARY PAYMENT"),
            (3, "2025-12-28", "-12.30", "EUR", "CAFE EXAMPLE"),
        ],
    ),
    "oca-meta_data_separated_credit_debit.csv": (
        CsvMapping(date="Date", date_format="%d/%m/%y", amount=None, debit="Debit", credit="Credit",
                   payer="Detail", reference="Label", decimal_comma=True, skip_rows=4, skip_footer=1),
        4, [
            (0, "2020-04-01", "-50.00", "EUR", "DETAILS 1"),
            (1, "2020-04-01", "-100.00", "EUR", "CLIENTS X"),
            (3, "2020-04-02", "1300.00", "EUR", "DETAILS 3"),
        ],
    ),
}  # fmt: skip


def _check(lines: list[ParsedLine], rows: list[Row]) -> None:
    for index, booked, amount, currency, payer in rows:
        line = lines[index]
        assert (line.booked_on, line.amount, line.currency, line.payer_name) == (
            date.fromisoformat(booked),
            Decimal(amount),
            currency,
            payer,
        ), f"line {index}"


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_public_sample_is_detected_and_read_line_for_line(name: str) -> None:
    fmt, count, rows = CORPUS[name]
    data = (TESTS / name).read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ofxtools warns about private <INTU.*> tags
        assert detect(data) == fmt
        label, lines = parse_lines(data)
    assert label == fmt
    assert len(lines) == count
    _check(lines, rows)


@pytest.mark.parametrize("name", sorted(CSV_MAPPINGS))
def test_generic_csv_layouts_are_read_with_a_custom_mapping(name: str) -> None:
    mapping, count, rows = CSV_MAPPINGS[name]
    label, lines = parse_lines((TESTS / "fixtures/banks/csv" / name).read_bytes(), mapping=mapping)
    assert label == "csv:custom"
    assert len(lines) == count
    _check(lines, rows)


def test_the_corpus_covers_every_format_and_six_csv_layouts() -> None:
    formats = {fmt.partition(":")[0] for fmt, _, _ in CORPUS.values()}
    csv_layouts = {fmt for fmt, _, _ in CORPUS.values() if fmt.startswith("csv:")}
    real = [name for name in CORPUS if "csv-layouts" not in name]
    assert formats == {"camt", "norma43", "ofx", "mt940", "csv"}
    assert len(csv_layouts) >= 6
    assert len(real) + len(CSV_MAPPINGS) >= 20  # files copied from other projects' test suites
    listed = (TESTS / "fixtures/banks/README.md").read_text()
    on_disk = [p for p in (TESTS / "fixtures/banks").rglob("*") if p.is_file() and p.name != "README.md"]
    assert [p.name for p in on_disk if p.name not in listed] == []  # every file's source is written down


def test_camt_keeps_booking_and_value_dates_apart_with_payer_iban_and_bank_id() -> None:
    data = (TESTS / "fixtures/banks/camt053/genkgo-camt053.v4.xml").read_bytes()
    (line,) = parse_lines(data)[1]
    assert (line.booked_on, line.value_date) == (date(2014, 12, 31), date(2015, 1, 2))
    assert (line.payer_iban, line.bank_id, line.reference) == (
        "NL56AGDH9619008421",
        "AAAASESS-FP-CN_98765/01",
        "4654654654654654",
    )


def test_norma43_reads_the_sepa_debtor_and_keeps_both_dates() -> None:
    lines = parse_lines((TESTS / "fixtures/banks/norma43/csb43-sample_sepa.csb").read_bytes())[1]
    assert lines[1].payer_name == "ACME FIBRA Y MOVIL ESPANA SA"
    assert lines[1].reference == "FIJOxxxxxxxxx.oct"
    assert all(line.value_date is not None for line in lines)


@pytest.mark.parametrize("name", ["oca-test.n43", "oca-testmulti.n43"])
def test_norma43_outside_the_standard_is_refused_naming_the_field(name: str) -> None:
    with pytest.raises(Invalid, match=r"final balance code is '0', which the standard does not allow"):
        parse_lines((TESTS / "fixtures/banks/norma43" / name).read_bytes())


def test_ofx_lines_carry_the_fitid_and_account() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lines = parse_lines((TESTS / "fixtures/banks/ofx/ofxparse-bank_medium.ofx").read_bytes())[1]
    assert (lines[0].bank_id, lines[0].account) == ("0000123456782009040100001", "12300 000012345678")


def test_the_banks_transaction_id_decides_whether_a_line_is_new() -> None:
    """A bank that re-exports a booked line with a corrected text keeps its id: still the same line;
    two identical transfers with their own ids are two lines."""
    data = (TESTS / "fixtures/banks/camt053/genkgo-camt053.v4.xml").read_bytes()
    ((key, _),) = parse(data)[1]
    reworded = data.replace(b"4654654654654654", b"Cuota noviembre")
    ((same_key, same_line),) = parse(reworded)[1]
    assert (same_key, same_line.reference) == (key, "Cuota noviembre")
    other_id = data.replace(b"AAAASESS-FP-CN_98765/01", b"AAAASESS-FP-CN_98765/02")
    ((other_key, _),) = parse(other_id)[1]
    assert other_key != key
    # without an id (Norma 43), identical lines in one file stay apart by their occurrence
    lines = parse((TESTS / "fixtures/banks/norma43/nantic-c43.txt").read_bytes())[1]
    assert len({k for k, _ in lines}) == len(lines) == 22


def test_a_camt_entry_with_an_impossible_date_is_refused_naming_the_entry() -> None:
    data = (TESTS / "fixtures/banks/camt053/genkgo-camt053.v4.xml").read_bytes()
    assert parse_lines(data)[1]  # the positive control
    broken = data.replace(b"2014-12-31", b"2014-13-45").replace(b"2015-01-02", b"yesterday")
    with pytest.raises(Invalid, match="Entry 1 of the CAMT statement has no amount or date"):
        parse_lines(broken)


def test_a_camt_statement_without_entries_is_refused_not_imported_empty() -> None:
    data = (TESTS / "fixtures/banks/camt053/oca-test-camt053-no-ntry.xml").read_bytes()
    assert detect(data) == "camt"
    with pytest.raises(Invalid, match="No transactions were found in that CAMT statement"):
        parse_lines(data)
