"""A CSV statement is read row by row: lines come out as the reader reaches them (the file's rows are never
all held), a footer is still left out, and a bad row is refused when it is reached, naming its line."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from domain.banking.formats import PRESETS, CsvMapping
from domain.banking.formats.delimited import _rows, iter_csv, parse_csv
from domain.errors import Invalid

HEAD = '"Date","Amount","Account","Counterparty","Name","Description"\n'


def _row(day: int, amount: str, name: str) -> str:
    return f'"2026-11-{day:02d}","{amount}","NL00BUNQ0000000001","","{name}","Cuota"\n'


def test_lines_come_out_before_the_rest_of_the_file_is_read() -> None:
    rows = _row(1, "45,00", "ANA LOPEZ") + _row(2, "50,00", "LUIS GIL") + _row(3, "many", "X")
    data = (HEAD + rows).encode()
    lines = iter_csv(data, PRESETS["bunq"])
    first = next(lines)  # the third row's bad amount is not read yet
    assert (first.payer_name, first.amount) == ("ANA LOPEZ", Decimal("45.00"))
    assert next(lines).payer_name == "LUIS GIL"
    with pytest.raises(Invalid) as refused:
        next(lines)
    assert refused.value.details == {"line": 4}
    with pytest.raises(Invalid):  # the whole-file reader refuses the same file, storing nothing
        parse_csv(data, PRESETS["bunq"])


def test_footer_rows_are_held_back_and_left_out_while_streaming() -> None:
    mapping = CsvMapping(date="Date", amount="Amount", payer="Name", reference=None, skip_footer=2)
    rows = "".join(f"2026-11-{d:02d},{d}.00,P{d}\n" for d in range(1, 6))
    data = ("Date,Amount,Name\n" + rows + "\n,Total,15.00\nClosing balance,99.00,\n").encode()
    assert [line.payer_name for line in iter_csv(data, mapping)] == ["P1", "P2", "P3", "P4", "P5"]
    assert len(parse_csv(data, mapping)) == 5


def test_a_csv_with_only_a_header_is_still_refused_as_empty() -> None:
    with pytest.raises(Invalid) as refused:
        parse_csv(HEAD.encode(), PRESETS["bunq"])
    assert "No transactions" in str(refused.value)


@pytest.mark.parametrize(
    "text",
    ['a,b\r\nc,"d\r\ne"\r\n', "a,b\rc,d\r", 'x,y\n"q\nr",z', "h\n\n\nk\n", "single", 'a,"b\rc"\n,\n'],
)
def test_rows_split_on_the_same_line_endings_as_the_csv_module(text: str) -> None:
    # the text's own lines replace io.StringIO(newline=""): \r\n, \r and \n end a line, quoted ones do not
    expected = csv.reader(io.StringIO(text, newline=""))
    assert [row for _, row in _rows(text, ",")] == [[cell.strip() for cell in row] for row in expected]
