"""How answers speak: money and dates per language with Babel (English exactly as before), and the
sentence catalogues (tools/answers/*.yaml) complete and consistent. No database."""

from __future__ import annotations

import string
from datetime import date
from decimal import Decimal

import pytest

from tools import speech
from tools.periods import said
from tools.speech import Speech

NBSP = "\xa0"  # Babel's space between a Spanish amount and "€": the sign never wraps onto its own line


@pytest.mark.parametrize(
    ("amount", "spanish", "english"),
    [
        (Decimal("3136"), f"3.136,00{NBSP}€", "3136.00 EUR"),
        (Decimal("0"), f"0,00{NBSP}€", "0.00 EUR"),
        (Decimal("-40.5"), f"-40,50{NBSP}€", "-40.50 EUR"),
        (Decimal("0.05"), f"0,05{NBSP}€", "0.05 EUR"),
        (Decimal("1234567.89"), f"1.234.567,89{NBSP}€", "1234567.89 EUR"),
        (Decimal("999.99"), f"999,99{NBSP}€", "999.99 EUR"),
        (Decimal("2.005"), f"2,01{NBSP}€", "2.01 EUR"),  # rounded half-up to cents by us, not by Babel
        (45, f"45,00{NBSP}€", "45.00 EUR"),
    ],
)
def test_money_reads_as_spain_writes_it_in_spanish_and_as_always_in_english(
    amount: Decimal | int, spanish: str, english: str
) -> None:
    assert speech.money(amount, "EUR", "es") == spanish
    assert speech.money(amount, "EUR", "en") == english
    assert speech.money(amount, "EUR") == english  # English is the default


def test_another_currency_keeps_its_own_sign() -> None:
    assert speech.money(Decimal("12.5"), "USD", "es") == f"12,50{NBSP}US$"
    assert speech.money(Decimal("12.5"), "USD", "en") == "12.50 USD"


def test_a_float_is_never_money() -> None:
    with pytest.raises(TypeError):
        speech.money(1.5, "EUR", "es")  # type: ignore[arg-type]


def test_plain_numbers_keep_their_decimals() -> None:
    assert speech.number(Decimal("4062.50"), "es") == "4.062,50"
    assert speech.number(Decimal("12.5"), "es") == "12,5"
    assert speech.number(Decimal("3"), "es") == "3"
    assert speech.number(Decimal("4062.50"), "en") == "4062.50"
    assert speech.number(1800, "es") == "1800"  # counts are not grouped


def test_days_months_and_weekdays_in_spanish_and_in_english() -> None:
    day = date(2026, 11, 26)
    assert speech.day(day, "es") == "26 nov 2026"
    assert speech.day(day, "en") == "2026-11-26"
    assert speech.month(day, "es") == "noviembre de 2026"
    assert speech.month(day, "en") == "November 2026"
    assert speech.weekday(day, "es") == "jueves" and speech.weekday(day, "en") == "Thursday"
    assert speech.weekday(5, "es") == "sábado"
    assert speech.weekdays(5, "es") == "sábados" and speech.weekdays(1, "es") == "martes"
    assert speech.weekdays(1, "en") == "Tuesdays"


def test_the_organizations_own_locale_shapes_its_language_but_never_another() -> None:
    assert speech.babel_locale("es", "es-MX").territory == "MX"
    assert speech.babel_locale("es", "en").territory == "ES"  # an "en" school in Spain asked in Spanish
    assert speech.babel_locale("es", None).territory == "ES"
    assert speech.babel_locale("es", "nonsense").territory == "ES"


def test_a_period_reads_like_tools_periods_in_english_and_naturally_in_spanish() -> None:
    english, spanish = Speech("en"), Speech("es")
    cases = [
        (date(2026, 11, 2), date(2026, 11, 2), "el 2 nov 2026"),
        (date(2026, 11, 1), date(2026, 11, 30), "en noviembre de 2026"),
        (date(2026, 12, 1), date(2026, 12, 31), "en diciembre de 2026"),
        (date(2026, 2, 1), date(2026, 2, 28), "en febrero de 2026"),
        (date(2026, 11, 1), date(2026, 11, 24), "del 1 nov 2026 al 24 nov 2026"),
    ]
    for start, end, in_spanish in cases:
        assert english.period(start, end) == said(start, end)
        assert spanish.period(start, end) == in_spanish


def test_plural_forms_follow_the_count_in_each_language() -> None:
    english, spanish = Speech("en"), Speech("es")
    one = {"who": "", "month": date(2026, 11, 1), "total": Decimal("45"), "currency": "EUR"}
    assert english.say("money.unpaid.some", count=1, **one).startswith("1 student hasn't paid")
    assert english.say("money.unpaid.some", count=2, **one).startswith("2 students haven't paid")
    assert spanish.say("money.unpaid.some", count=1, **one) == (
        f"1 alumno no ha pagado noviembre de 2026 del todo; falta 45,00{NBSP}€:"
    )
    assert spanish.say("money.unpaid.some", count=0, **one).startswith("0 alumnos no han pagado")


def test_a_language_without_a_file_or_a_sentence_is_answered_in_english() -> None:
    assert Speech("fr").say("runner.cancelled") == "Cancelled; nothing was changed."
    with pytest.raises(KeyError):
        Speech("es").say("no.such.sentence")


def test_money_in_a_sentence_needs_its_currency() -> None:
    with pytest.raises(KeyError):
        Speech("es").say("students.overview.owes", owed=Decimal("10"))


def _fields(sentence: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(sentence) if name}


def _sentences(value: object) -> list[str]:
    return list(value.values()) if isinstance(value, dict) else [str(value)]


@pytest.mark.parametrize("language", [code for code in speech.languages() if code != speech.ENGLISH])
def test_every_language_says_every_sentence_with_the_same_placeholders(language: str) -> None:
    english, other = speech.catalogue(speech.ENGLISH), speech.catalogue(language)
    assert sorted(other) == sorted(english), "the same keys as en.yaml"
    for key, sentence in other.items():
        known = set().union(*(_fields(s) for s in _sentences(english[key]))) | {"count"}
        for form in _sentences(sentence):
            assert _fields(form) <= known, f"{language}.yaml {key}: {_fields(form) - known}"
        if isinstance(english[key], dict):
            assert isinstance(sentence, dict), f"{language}.yaml {key} needs plural forms"
