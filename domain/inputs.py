"""The types every input schema uses for text, dates, times and flags, so bad input is refused (422) once,
here, instead of reaching PostgreSQL (which refuses NUL in text with a 500) or changing meaning on the way
(``"start_date": 0`` read as 1 January 1970).

- ``Line``: one line of text (names, reasons, descriptions, e-mail addresses): no control characters at
  all (C0, DEL, C1) and no text-direction overrides or isolates (U+202A–U+202E, U+2066–U+2069), which can
  make a name or a file name read differently from what it is ("invoice", U+202E, "fdp.exe" shows as
  "invoiceexe.pdf").
- ``Text``: several lines (notes, messages, addresses): the same, but tab, newline and carriage return
  are kept.
- ``Secret``: passwords and tokens: only NUL is refused (they are hashed or compared, never shown).
- ``Day``: a date written ``YYYY-MM-DD``, never a number or a date-time.
- ``BirthDate``: a ``Day`` from 1900 to today.
- ``Moment``: a date and time written in ISO 8601 (``2026-12-31T23:59:00+01:00``), never a number.
- ``LocalTime``: a clock time ``HH:MM[:SS]`` without an offset: class times are the organization's local
  times, so "10:00Z" has no meaning here.
- ``Flag`` and ``Count``: a JSON boolean, and an integer that is not a boolean.

The OpenAPI states each rule (a ``pattern``), so clients and schemathesis know what is accepted.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, GetJsonSchemaHandler, Strict, StrictBool
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from domain.errors import Invalid

DIRECTION_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
LINE_BREAKS = frozenset("\t\n\r")
# The same rules as regular expressions, for the OpenAPI (Python's and ECMA's syntax alike).
_REFUSED_IN_LINE = r"\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_REFUSED_IN_TEXT = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
LINE_PATTERN = f"^[^{_REFUSED_IN_LINE}]*$"
TEXT_PATTERN = f"^[^{_REFUSED_IN_TEXT}]*$"
TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
EARLIEST_BIRTH = dt.date(1900, 1, 1)


def refused_character(text: str, *, multiline: bool = False) -> str | None:
    """The first character ``text`` may not contain, or None."""
    for char in text:
        if char in DIRECTION_CONTROLS:
            return char
        if unicodedata.category(char) == "Cc" and not (multiline and char in LINE_BREAKS):
            return char
    return None


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name.lower()}" if name else "")


def _line(value: str) -> str:
    if (char := refused_character(value)) is not None:
        raise ValueError(
            "must be one line without control characters or text-direction overrides "
            f"(found {_describe(char)})"
        )
    return value


def _text(value: str) -> str:
    if (char := refused_character(value, multiline=True)) is not None:
        raise ValueError(
            f"must not contain control characters or text-direction overrides (found {_describe(char)})"
        )
    return value


def _secret(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain a NUL character")
    return value


CALENDAR_START, CALENDAR_END = dt.date(1900, 1, 1), dt.date(2999, 12, 31)


def _iso_date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        raise ValueError("must be a date, not a date and time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(DATE_PATTERN, value):
        return value  # pydantic checks the calendar (no 30 February)
    raise ValueError("must be a date written YYYY-MM-DD")


def _born(value: dt.date) -> dt.date:
    # The earliest "today" anywhere is UTC's; a day's grace covers the zones already in tomorrow.
    latest = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    if not EARLIEST_BIRTH <= value <= latest:
        raise ValueError(f"must be between {EARLIEST_BIRTH.isoformat()} and today")
    return value


def _iso_moment(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and re.match(DATE_PATTERN.removesuffix("$"), value):
        return value  # pydantic reads the rest (time, offset)
    raise ValueError("must be a date and time in ISO 8601, like 2026-12-31T23:59:00+01:00")


def _local_time(value: Any) -> Any:
    if isinstance(value, dt.time):
        if value.tzinfo is not None:
            raise ValueError("must be a local time without an offset")
        return value
    if isinstance(value, str) and re.fullmatch(TIME_PATTERN, value):
        return value
    raise ValueError("must be a local time written HH:MM or HH:MM:SS, without an offset (no Z, no +02:00)")


def refuse_unsafe_text(value: Any, *, where: str = "arguments") -> None:
    """Raise ``Invalid`` if any string in a JSON-like value holds a character ``Text`` refuses.

    For free-form input whose models are not all built from these types (tool arguments from REST, MCP or
    a model's tool call): one check at the door instead of one per argument model."""
    if isinstance(value, str):
        if (char := refused_character(value, multiline=True)) is not None:
            raise Invalid(
                "The {where} contain a character that is not allowed ({char}).",
                values={"where": where, "char": _describe(char)},
                details={"field": where},
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_unsafe_text(key, where=where)
            refuse_unsafe_text(item, where=where)
    elif isinstance(value, list | tuple):
        for item in value:
            refuse_unsafe_text(item, where=where)


class _Pattern:
    """States a type's rule in its JSON schema (a pattern, a format); the validators enforce it."""

    def __init__(self, pattern: str | None, *, fmt: str | None = None, example: str | None = None) -> None:
        self.pattern, self.fmt, self.example = pattern, fmt, example

    def __get_pydantic_json_schema__(
        self, core: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core)
        schema = handler.resolve_ref_schema(schema)
        schema["type"] = "string"
        schema.pop("format", None)
        if self.pattern:
            schema.setdefault("pattern", self.pattern)  # a field's own, stricter pattern stays
        if self.fmt:
            schema["format"] = self.fmt
        if self.example:
            schema.setdefault("examples", [self.example])
        return schema


Line = Annotated[str, AfterValidator(_line), _Pattern(LINE_PATTERN)]
Text = Annotated[str, AfterValidator(_text), _Pattern(TEXT_PATTERN)]
Secret = Annotated[str, AfterValidator(_secret)]


def _in_calendar(value: dt.date) -> dt.date:
    # Far dates are never a school's: and a week or month around 9999-12-31 overflows date arithmetic.
    if not CALENDAR_START <= value <= CALENDAR_END:
        raise ValueError(f"must be between {CALENDAR_START.isoformat()} and {CALENDAR_END.isoformat()}")
    return value


Day = Annotated[dt.date, BeforeValidator(_iso_date), AfterValidator(_in_calendar), _Pattern(None, fmt="date")]
BirthDate = Annotated[Day, AfterValidator(_born)]
Moment = Annotated[dt.datetime, BeforeValidator(_iso_moment), _Pattern(None, fmt="date-time")]
LocalTime = Annotated[dt.time, BeforeValidator(_local_time), _Pattern(TIME_PATTERN, example="19:00")]
Flag = StrictBool
Count = Annotated[int, Strict()]  # a JSON integer: not true, not "5", not 5.5
