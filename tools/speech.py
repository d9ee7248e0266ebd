"""How tool answers speak: each language's sentences are data (``tools/answers/<code>.yaml``, like the
planner's language files), and money and dates are formatted with Babel for the answer's language.

English keeps the exact wording and formats the answers had before any other language existed —
amounts as ``3136.00 EUR``, days as ISO ``2026-11-26``, months as ``November 2026`` — because the
English tests, the evals (``evals/truth.py`` reads numbers out of the answers) and API consumers
(REST, MCP, the CLI's ``--json``) rely on them. Other languages format as people there write:
Spanish ``3.136,00 €`` (a non-breaking space before the sign, so it never wraps alone),
``26 nov 2026``, ``noviembre de 2026``.

Here and not in ``domain/``: the domain returns data; only answers (tools, and channels through
them) turn data into sentences. Adding a language is adding ``tools/answers/<code>.yaml``.
"""

from __future__ import annotations

import calendar
import string
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from domain.money import money as to_cents
from domain.yaml_files import load_yaml

ANSWERS = Path(__file__).resolve().parent / "answers"
ENGLISH = "en"
# Where a language is spoken when the organization's own locale is in another language (the demo
# school in Spain keeps the default "en" locale): Spanish answers use Spain's formats.
HOME_TERRITORY = {"es": "es_ES", "en": "en_GB", "pt": "pt_PT", "fr": "fr_FR", "ca": "ca_ES"}


def _english(language: str) -> bool:
    return language.split("-")[0].split("_")[0].lower() == ENGLISH


@lru_cache(maxsize=64)
def babel_locale(language: str, locale: str | None = None) -> Locale:
    """The Babel locale for an answer in ``language``: the organization's ``locale`` when it is in
    that language ("es-MX" formats a Spanish answer the Mexican way), else the language's home."""
    code = language.split("-")[0].split("_")[0].lower()
    for candidate in (locale, HOME_TERRITORY.get(code), code):
        if not candidate:
            continue
        try:
            found = Locale.parse(candidate.replace("-", "_"))
        except (ValueError, UnknownLocaleError):
            continue
        if found.language == code:
            return found
    return Locale.parse("en_GB")


def money(
    amount: Decimal | int | str, currency: str, language: str = ENGLISH, *, locale: str | None = None
) -> str:
    """An amount with its currency, rounded half-up to cents first (our rounding, not Babel's)."""
    value = to_cents(amount)
    if _english(language):
        return f"{value} {currency}"  # today's English format: see the module's docstring
    return _formatted_money(str(value), currency, language, locale)


@lru_cache(maxsize=4096)
def _formatted_money(cents: str, currency: str, language: str, locale: str | None) -> str:
    """Babel's currency format (~15 µs each), kept per amount as written: a list of 379 students who owe
    mostly the same few fees formats each fee once."""
    return format_currency(Decimal(cents), currency, locale=babel_locale(language, locale))


def number(value: Decimal | int, language: str = ENGLISH, *, locale: str | None = None) -> str:
    """A plain number (an amount without currency, hours, a rate) with the decimals it has."""
    if _english(language) or isinstance(value, int):
        return str(value)
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(value, format=pattern, locale=babel_locale(language, locale))


def day(when: date, language: str = ENGLISH, *, locale: str | None = None) -> str:
    """A day: ``2026-11-26`` in English (as always), ``26 nov 2026`` in Spanish."""
    if _english(language):
        return when.isoformat()
    return format_date(when, "medium", locale=babel_locale(language, locale))


def month(when: date, language: str = ENGLISH, *, locale: str | None = None) -> str:
    """A month: ``November 2026``, ``noviembre de 2026``."""
    if _english(language):
        return f"{when:%B %Y}"
    found = babel_locale(language, locale)
    # CLDR's stand-alone "month and year" skeleton: "noviembre de 2026", "novembre 2026".
    return format_date(when, found.datetime_skeletons.get("yMMMM", "LLLL y"), locale=found)


def weekday(when: date | int, language: str = ENGLISH, *, locale: str | None = None) -> str:
    """A weekday's name from a date or a number (0 is Monday): ``Tuesday``, ``martes``."""
    index = when.weekday() if isinstance(when, date) else when
    if _english(language):
        return calendar.day_name[index]
    names = babel_locale(language, locale).days["stand-alone"]["wide"]
    return str(names[index])


def weekdays(when: date | int, language: str = ENGLISH, *, locale: str | None = None) -> str:
    """Every such weekday: ``Tuesdays``, ``martes``, ``sábados``."""
    name = weekday(when, language, locale=locale)
    return name if name.endswith("s") else f"{name}s"


@lru_cache
def catalogue(language: str) -> dict[str, Any]:
    """A language's sentences by dotted key ("money.unpaid.some"); {} when it has no file."""
    path = ANSWERS / f"{language}.yaml"
    if not path.is_file():
        return {}
    flat: dict[str, Any] = {}

    def walk(prefix: str, node: Any) -> None:
        if isinstance(node, dict) and not _plural(node):
            for key, value in node.items():
                walk(f"{prefix}.{key}" if prefix else str(key), value)
        else:
            flat[prefix] = node

    walk("", load_yaml(path.read_text(encoding="utf-8")) or {})
    return flat


def languages() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in ANSWERS.glob("*.yaml")))


def _plural(node: dict[Any, Any]) -> bool:
    """A sentence whose words depend on a count: {one: …, other: …} (CLDR plural categories)."""
    return "other" in node and all(
        key in ("zero", "one", "two", "few", "many", "other") and isinstance(value, str)
        for key, value in node.items()
    )


@lru_cache(maxsize=2048)
def _parts(sentence: str) -> tuple[tuple[str, str | None, str], ...] | None:
    """A sentence as (literal text, field name, format spec) parts, parsed once; None when a field needs
    the rest of ``str.format`` (a conversion, an index or attribute, a nested spec, a numbered field)."""
    parts = []
    for literal, name, spec, conversion in string.Formatter().parse(sentence):
        if name is not None and (conversion or not name.isidentifier() or "{" in (spec or "")):
            return None
        parts.append((literal, name, spec or ""))
    return tuple(parts)


def _fill(formatter: _Formatter, sentence: str, values: dict[str, Any]) -> str:
    """``formatter.format(sentence, **values)``; for plain ``{name}`` / ``{name:spec}`` fields without
    parsing the sentence again on every call (an answer listing 379 students says two per row)."""
    parts = _parts(sentence)
    if parts is None:
        return formatter.format(sentence, **values)
    return "".join(
        literal + ("" if name is None else formatter.format_field(values[name], spec))
        for literal, name, spec in parts
    )


class _Formatter(string.Formatter):
    """``str.format`` that writes money, numbers and dates the way the answer's language does:
    ``{total:money}`` (with the ``currency`` value), ``{day}``, ``{day:month}``, ``{day:weekday}``,
    ``{day:weekdays}``, ``{day:iso}``."""

    def __init__(self, speech: Speech, currency: str | None) -> None:
        self.speech, self.currency = speech, currency

    def format_field(self, value: Any, format_spec: str) -> str:
        s = self.speech
        if isinstance(value, Decimal) and format_spec == "money":
            if self.currency is None:
                raise KeyError("currency")  # a sentence with money needs its currency
            return s.money(value, self.currency)
        if isinstance(value, (Decimal, int)) and not isinstance(value, bool) and format_spec == "":
            return s.number(value)
        if isinstance(value, (date, int)) and format_spec in ("weekday", "weekdays"):
            return s.weekday(value) if format_spec == "weekday" else s.weekdays(value)
        if isinstance(value, date) and not isinstance(value, datetime):
            if format_spec == "":
                return s.day(value)
            if format_spec == "month":
                return s.month(value)
            if format_spec == "iso":
                return value.isoformat()
        return str(super().format_field(value, format_spec))


@dataclass(frozen=True)
class Speech:
    """One answer's language (and the organization's locale, for how numbers and dates look)."""

    language: str = ENGLISH
    locale: str | None = None

    def say(self, key: str, /, count: int | None = None, **values: Any) -> str:
        """The sentence ``key`` in this language (English when the language lacks it), filled in.
        ``count`` picks the plural form and is also ``{count}`` in the sentence."""
        found = catalogue(self.language).get(key)
        if found is None:
            found = catalogue(ENGLISH).get(key)
        if found is None:
            raise KeyError(f"no sentence {key!r} in tools/answers/{ENGLISH}.yaml")
        if isinstance(found, dict):
            if count is None:
                raise TypeError(f"{key!r} has plural forms: say how many (count=…)")
            form = babel_locale(self.language, self.locale).plural_form(abs(count))
            found = found.get(form, found["other"])
        if count is not None:
            values["count"] = count
        return _fill(_Formatter(self, values.get("currency")), str(found), values)

    def money(self, amount: Decimal | int | str, currency: str) -> str:
        return money(amount, currency, self.language, locale=self.locale)

    def number(self, value: Decimal | int) -> str:
        return number(value, self.language, locale=self.locale)

    def day(self, when: date) -> str:
        return day(when, self.language, locale=self.locale)

    def month(self, when: date) -> str:
        return month(when, self.language, locale=self.locale)

    def weekday(self, when: date | int) -> str:
        return weekday(when, self.language, locale=self.locale)

    def weekdays(self, when: date | int) -> str:
        return weekdays(when, self.language, locale=self.locale)

    def period(self, start: date, end: date) -> str:
        """A period as the answers say it: one day, a whole month, or a range (``tools.periods.said``
        in English: "2026-11-02", "November 2026", "2026-11-02 to 2026-11-08")."""
        if start == end:
            return self.say("words.period_day", day=start)
        following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
        if start.day == 1 and (following - end).days == 1:
            return self.say("words.period_month", month=start)
        return self.say("words.period_range", start=start, end=end)

    def percent(self, rate: Decimal | None) -> str:
        """A rate (0.79) as the answers say it: "79%" (English, as always), "79 %" (Spanish); "no
        marks" when nothing was marked."""
        if rate is None:
            return self.say("insights.no_marks")
        return self.say("insights.percent", value=int(rate * 100))  # whole percent, as rules.percent

    def join(self, items: list[str], *, last: str = "or") -> str:
        """'a or b or c' as the English answers always said; the language's own word otherwise."""
        word = self.say(f"words.{last}")
        return f" {word} ".join(items)


ENGLISH_SPEECH = Speech()
