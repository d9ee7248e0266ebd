"""The answers' sentences filled without parsing them on every call say exactly what ``str.format`` said.

Every sentence of every language's catalogue (each plural form too) is filled both ways, with values of
each kind a field may hold (text, a whole number, an amount, a day), and must come out the same — or
fail the same way. Money kept per amount in other languages is Babel's own format for that amount.
"""

from __future__ import annotations

import string
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from babel.numbers import format_currency

from domain.money import money as to_cents
from tools.speech import Speech, _fill, _Formatter, _parts, babel_locale, catalogue, languages, money

KINDS: tuple[Any, ...] = ("Salsa Beginners", 7, Decimal("1234.5"), date(2026, 11, 26))


def sentences(language: str) -> list[str]:
    found: list[str] = []
    for value in catalogue(language).values():
        found.extend(value.values() if isinstance(value, dict) else [value])
    return [str(s) for s in found]


def both_ways(formatter: _Formatter, sentence: str, values: dict[str, Any]) -> list[tuple[str, str]]:
    """What the plain fill and ``str.format`` each make of the sentence: the text, or the error's kind."""
    outcomes = []
    for fill in (_fill, lambda f, s, v: f.format(s, **v)):
        try:
            outcomes.append(("said", fill(formatter, sentence, values)))
        except Exception as exc:  # the two ways must fail alike
            outcomes.append(("raised", type(exc).__name__))
    return outcomes


@pytest.mark.parametrize("language", languages())
def test_every_sentence_is_filled_as_str_format_fills_it(language: str) -> None:
    formatter = _Formatter(Speech(language), "EUR")
    checked = 0
    for sentence in sentences(language):
        names = {name for _, name, _, _ in string.Formatter().parse(sentence) if name}
        for kind in KINDS:
            values = dict.fromkeys(names, kind) | {"currency": "EUR"}
            fast, formatted = both_ways(formatter, sentence, values)
            assert fast == formatted, (language, sentence, kind)
            checked += 1
    assert checked > 100  # the catalogue was really read


def test_sentences_the_plain_fill_cannot_take_go_through_str_format() -> None:
    formatter = _Formatter(Speech("en"), None)
    for sentence, values in (
        ("{{literal}} {name}", {"name": "Ana"}),
        ("{name!r} owes", {"name": "Ana"}),
        ("{person.name}", {"person": type("P", (), {"name": "Ana"})()}),
        ("{0} and {1}", {}),
        ("{count:>{width}}", {"count": 3, "width": 4}),
    ):
        fast, formatted = both_ways(formatter, sentence, values)
        assert fast == formatted, sentence
    assert _fill(formatter, "{{literal}} {name}", {"name": "Ana"}) == "{literal} Ana"
    assert _parts("{name!r}") is None and _parts("{0}") is None


def test_money_kept_per_amount_is_babels_format_of_that_amount() -> None:
    # -0.00 and 0.00 are equal Decimals with equal hashes: kept by value they would share one text.
    for amount in (Decimal("0.00"), Decimal("-0.001"), Decimal("90"), Decimal("90.00"), Decimal("1234.505")):
        expected = format_currency(to_cents(amount), "EUR", locale=babel_locale("es"))
        assert money(amount, "EUR", "es") == expected, amount
    assert money(Decimal("90"), "EUR", "en") == "90.00 EUR"  # English as always
