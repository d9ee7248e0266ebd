"""The words of the messages Cadence sends (emails, and the same messages over Telegram), in English
and Spanish, from gettext catalogues: ``locale/<language>/LC_MESSAGES/cadence.po``.

The ``.po`` files are read as they are, with Babel, and compiled in memory the first time a language is
used: no compile step at install or run time, and a translator's edit is live on the next start. English
is the source language (the ``msgid``s); a message missing from a catalogue falls back to English.
Dates and money are written with Babel in the organization's locale when it speaks the message's
language ("3.136,00 €", "lunes, 7 de diciembre"), else in the language's home (Spain, Britain).

Who reads which language: a person with an account their own choice (``users.language``), else the
organization's locale; families and students the organization's locale (``domain.auth.language``)."""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency

from domain.auth import language as languages
from domain.money import money as to_cents

CATALOGUES = Path(__file__).resolve().parents[2] / "locale"
DOMAIN = "cadence"
HOME = {"en": "en_GB", "es": "es_ES"}


@lru_cache(maxsize=8)
def catalogue(language: str) -> gettext.NullTranslations:
    """The language's catalogue, compiled from its .po in memory (fuzzy entries are left out, as msgfmt
    does); English, or a language without a catalogue, is the msgids themselves."""
    path = CATALOGUES / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == "en" or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as po:
        compiled = io.BytesIO()
        write_mo(compiled, read_po(po, locale=language, domain=DOMAIN), use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


@lru_cache(maxsize=64)
def babel_locale(language: str, org_locale: str | None) -> Locale:
    """The organization's locale when it speaks ``language`` and names a country (es_MX writes the Mexican
    way), else the language's home: a bare 'en' is Britain's, not the United States'."""
    for candidate in (org_locale, HOME[language]):
        try:
            found = Locale.parse((candidate or "").replace("-", "_"))
        except (ValueError, UnknownLocaleError):
            continue
        if found.language == language and found.territory:
            return found
    return Locale.parse(HOME["en"])


@dataclass(frozen=True)
class Words:
    """One message's language: its sentences, money and dates."""

    language: languages.Language
    org_locale: str | None = None

    @property
    def locale(self) -> Locale:
        return babel_locale(self.language, self.org_locale)

    def __call__(self, message: str, **values: object) -> str:
        """The sentence in this language, with ``{name}`` filled in."""
        return catalogue(self.language).gettext(message).format(**values)

    def money(self, amount: Decimal | int | str, currency: str) -> str:
        return format_currency(to_cents(amount), currency, locale=self.locale)

    def day(self, value: date, style: str = "long") -> str:
        """'7 December 2026' / '7 de diciembre de 2026' (style 'long'); 'full' adds the weekday."""
        return format_date(value, style, locale=self.locale)

    def weekday(self, value: date) -> str:
        """'Monday 7 December' / 'lunes, 7 de diciembre': a class's day, this year's."""
        return format_date(
            value, "EEEE, d 'de' MMMM" if self.language == "es" else "EEEE d MMMM", locale=self.locale
        )

    def clock(self, value: time) -> str:
        return format_time(value, "HH:mm", locale=self.locale)


def words_for(choice: str | None, org_locale: str | None) -> Words:
    """The words for someone whose own choice is ``choice`` (None: a family, or no choice made)."""
    return Words(languages.spoken(choice, org_locale), org_locale)
