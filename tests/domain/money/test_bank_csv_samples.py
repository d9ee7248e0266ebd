"""Real bank CSV exports from other open-source parsers' test suites (tests/fixtures/banks/csv-banks): the
preset the header picks, how many lines each file holds, and three lines' date, amount, currency and payer.

Sources and licences: tests/fixtures/banks/README.md. A file that no preset fits is refused with a clear
422-type error naming the choice to make, never read with the wrong columns.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from domain.banking.formats import PRESETS, detect, parse_lines
from domain.errors import Invalid

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures/banks/csv-banks"
Row = tuple[int, str, str, str, str | None]

# file → (preset the header picks, lines, [(index, booking date, amount, currency, payer), …])
BANK_CSV: dict[str, tuple[str, int, list[Row]]] = {
    # Revolut personal, current layout (mlaitinen/ofxstatement-revolut): PENDING rows are left out
    "mlaitinen-revolut-2022-january.csv": ("csv:revolut", 7, [
        (0, "2022-01-02", "-250.00", "EUR", "To Guybrush Threepwood"),
        (3, "2022-01-08", "500.00", "EUR", "Top-Up by *1234"),
        (6, "2022-01-14", "-69.26", "EUR", "www.example.com"),  # after the PENDING "store" row
    ]),
    "mlaitinen-revolut-2021-october.csv": ("csv:revolut", 7, [
        (1, "2021-09-05", "-9.50", "EUR", "company äöå"),  # completed on the 5th, started on the 3rd
        (3, "2021-09-06", "500.00", "EUR", "Auto Top-Up"),
        (6, "2021-09-08", "-14.14", "EUR", "food"),
    ]),
    # Revolut personal until 2019: "Apr 8, 2018", Paid Out / Paid In columns, " ; " between the cells
    "mlaitinen-revolut-2018-april.csv": ("csv:revolut-2018", 9, [
        (0, "2018-04-08", "-11.00", "EUR", "Shop A"),
        (6, "2018-04-02", "200.00", "EUR", "Top-Up by *1234"),
        (8, "2018-04-01", "-122.10", "EUR", "Shop H"),
    ]),
    # ING Deutschland (fabolhak/ofxstatement-de-ing): a 13-line preamble, Latin-1, with and without Saldo
    "fabolhak-ingde-test_with_saldo_1.csv": ("csv:ing-de", 9, [
        (0, "2018-12-28", "-5.50", "EUR", "PayDude (Europe) S.a.r.l. et Cie., S .C.A."),
        (1, "2018-12-28", "50.00", "EUR", "Karl Karlsen"),
        (5, "2018-12-10", "-150.00", "EUR", "VISA Hotel XY"),
    ]),
    "fabolhak-ingde-test_without_saldo_2.csv": ("csv:ing-de", 6, [
        (0, "2018-12-28", "-5.49", "EUR", "PayDude (Europe) S.a.r.l. et Cie., S .C.A."),
        (3, "2018-12-21", "-1.54", "EUR", "EBUCHT GMBH"),
        (4, "2018-12-15", "-69.00", "EUR", "Peter Petersen"),
    ]),
    # bunq (bank2ynab/bank2ynab): English and Dutch headers, commas between columns, decimal commas
    "bank2ynab-2019-03-02_11-50-46_bunq-statement.csv": ("csv:bunq", 7, [
        (0, "2018-12-06", "-8.78", "EUR", "CLOUDFLARE"),
        (2, "2018-12-06", "8.78", "EUR", "CLOUDFLARE"),  # a refund is money in
        (6, "2018-12-17", "-7.99", "EUR", "NETFLIX.COM"),
    ]),
    "bank2ynab-2018-04-14_10-52-13_bunq-transactieoverzicht.csv": ("csv:bunq-nl", 3, [
        (0, "2018-03-01", "-2.56", "EUR", "bunq"),
        (1, "2018-03-09", "750.00", "EUR", "W. KOELEWIJN EO"),
        (2, "2018-03-09", "-18.90", "EUR", "Quality Nuts"),
    ]),
    # N26's German export (bank2ynab/bank2ynab) and Monzo, whose pounds stay pounds
    "bank2ynab-n26-20171001-20171106.csv": ("csv:n26-de", 1, [
        (0, "2017-10-01", "-59.99", "EUR", "NINTENDO OF EUROPE"),
    ]),
    "bank2ynab-MonzoDataExport_February2018_2018-02-26_174335.csv": ("csv:monzo", 1, [
        (0, "2018-02-25", "-10.00", "GBP", "Tesco"),
    ]),
}  # fmt: skip
# Real exports of banks Cadence has no preset for: refused, with the way out named
NO_PRESET = ["bank2ynab-airbank-Movements_1234512345_201805271848.csv"]


def _read(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


@pytest.mark.parametrize("name", sorted(BANK_CSV))
def test_a_real_bank_export_is_detected_and_read_line_for_line(name: str) -> None:
    fmt, count, rows = BANK_CSV[name]
    data = (SAMPLES / name).read_bytes()
    assert detect(data) == fmt
    label, lines = parse_lines(data)
    assert (label, len(lines)) == (fmt, count)
    for index, booked, amount, currency, payer in rows:
        line = lines[index]
        assert (line.booked_on, line.amount, line.currency, line.payer_name) == (
            date.fromisoformat(booked),
            Decimal(amount),
            currency,
            payer,
        ), f"line {index}"
        assert isinstance(line.amount, Decimal)


def test_the_real_exports_keep_value_dates_ibans_and_the_banks_ids() -> None:
    _, revolut = parse_lines((SAMPLES / "mlaitinen-revolut-2021-october.csv").read_bytes())
    assert (revolut[1].booked_on, revolut[1].value_date) == (date(2021, 9, 5), date(2021, 9, 3))
    _, ing = parse_lines((SAMPLES / "fabolhak-ingde-test_with_saldo_1.csv").read_bytes())
    assert (ing[4].booked_on, ing[4].value_date, ing[4].reference) == (
        date(2018, 12, 15),
        date(2018, 12, 21),
        "Schulden",
    )
    _, bunq = parse_lines(_read("bank2ynab-2018-04-14_10-52-13_bunq-transactieoverzicht.csv"))
    assert (bunq[1].payer_iban, bunq[1].reference) == ("NL77RABO0311467415", "Naar Bunq")
    _, monzo = parse_lines(_read("bank2ynab-MonzoDataExport_February2018_2018-02-26_174335.csv"))
    assert monzo[0].bank_id == "tx_00009TziTeST1NG1ZWIPGS"


@pytest.mark.parametrize("name", NO_PRESET)
def test_a_bank_export_no_preset_fits_is_refused_naming_the_choice(name: str) -> None:
    data = (SAMPLES / name).read_bytes()
    with pytest.raises(Invalid) as refused:
        detect(data)
    assert "csv:custom" in str(refused.value) and refused.value.details == {"field": "format"}
    with pytest.raises(Invalid) as wrong_preset:  # forcing a preset names the columns that are missing
        parse_lines(data, fmt="csv:revolut")
    assert "no column" in str(wrong_preset.value)


def test_six_bank_layouts_are_proven_on_real_exports_and_every_preset_has_a_sample() -> None:
    proven = {fmt for fmt, _, _ in BANK_CSV.values()}
    assert len(proven) >= 6
    assert {"csv:revolut", "csv:revolut-2018", "csv:ing-de", "csv:bunq"} <= proven
    # every preset but the two generic ones is read from some file, real or (README) invented
    corpus = (Path(__file__).parent / "test_bank_corpus.py").read_text()
    unproven = [
        p
        for p in PRESETS
        if p not in ("generic", "eu") and f"csv:{p}" not in proven and f'"csv:{p}"' not in corpus
    ]
    assert unproven == []
