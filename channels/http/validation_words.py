"""FastAPI's validation errors (a 422 from pydantic) in Spanish, by the error's ``type`` and its ``ctx``.

pydantic says its problems in English only; the types here are those the app's request models can produce
(required fields, lengths, bounds, numbers, dates, ids, choices, unknown fields). A type not listed keeps
pydantic's English; a ``value_error`` is our own validator's sentence (``VALIDATOR_SENTENCES``). The
envelope's ``details`` stay as they are (English, for programs); the Spanish is in the message, the part
the pages show."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from domain.error_language import translate

# {n} placeholders come from the error's ctx; {s}/{es} are the plural endings of the number just before.
SPANISH: dict[str, str] = {
    "missing": "Este campo es obligatorio.",
    "missing_argument": "Este campo es obligatorio.",
    "extra_forbidden": "Este campo no se admite.",
    "unexpected_keyword_argument": "Este campo no se admite.",
    "string_type": "Debe ser un texto.",
    "string_too_short": "Debe tener al menos {min_length} {characters}.",
    "string_too_long": "Puede tener como mucho {max_length} {characters}.",
    "string_pattern_mismatch": "No tiene el formato esperado.",
    "too_short": "Debe tener al menos {min_length} {items}.",
    "too_long": "Puede tener como mucho {max_length} {items}.",
    "greater_than": "Debe ser mayor que {gt}.",
    "greater_than_equal": "Debe ser mayor o igual que {ge}.",
    "less_than": "Debe ser menor que {lt}.",
    "less_than_equal": "Debe ser menor o igual que {le}.",
    "multiple_of": "Debe ser múltiplo de {multiple_of}.",
    "finite_number": "Debe ser un número finito.",
    "int_type": "Debe ser un número entero.",
    "int_parsing": "Debe ser un número entero.",
    "int_from_float": "Debe ser un número entero, sin decimales.",
    "int_parsing_size": "El número es demasiado grande.",
    "float_type": "Debe ser un número.",
    "float_parsing": "Debe ser un número.",
    "decimal_type": "Debe ser un importe o un número.",
    "decimal_parsing": "Debe ser un número (por ejemplo, 45.50).",
    "decimal_max_digits": "Puede tener como mucho {max_digits} {digits} en total.",
    "decimal_max_places": "Puede tener como mucho {decimal_places} {decimals}.",
    "decimal_whole_digits": "Puede tener como mucho {whole_digits} {digits} antes de la coma.",
    "bool_type": "Debe ser sí o no (true o false).",
    "bool_parsing": "Debe ser sí o no (true o false).",
    "date_type": "Debe ser una fecha.",
    "date_parsing": "Debe ser una fecha con el formato AAAA-MM-DD.",
    "date_from_datetime_parsing": "Debe ser una fecha con el formato AAAA-MM-DD.",
    "date_from_datetime_inexact": "Debe ser una fecha sin hora.",
    "date_past": "La fecha debe ser anterior a hoy.",
    "date_future": "La fecha debe ser posterior a hoy.",
    "time_type": "Debe ser una hora.",
    "time_parsing": "Debe ser una hora con el formato HH:MM.",
    "datetime_type": "Debe ser una fecha y hora.",
    "datetime_parsing": "Debe ser una fecha y hora (AAAA-MM-DDTHH:MM).",
    "datetime_from_date_parsing": "Debe ser una fecha y hora (AAAA-MM-DDTHH:MM).",
    "timezone_aware": "Debe llevar la zona horaria.",
    "timezone_naive": "No debe llevar zona horaria.",
    "uuid_type": "Debe ser un identificador (UUID).",
    "uuid_parsing": "Debe ser un identificador válido (UUID).",
    "enum": "Debe ser uno de estos valores: {expected}.",
    "literal_error": "Debe ser uno de estos valores: {expected}.",
    "list_type": "Debe ser una lista.",
    "dict_type": "Debe ser un objeto.",
    "model_type": "Debe ser un objeto.",
    "model_attributes_type": "Debe ser un objeto.",
    "json_invalid": "El JSON no es válido.",
    "json_type": "El JSON no es válido.",
    "url_parsing": "Debe ser una dirección web válida.",
    "url_type": "Debe ser una dirección web.",
    "url_scheme": "La dirección debe empezar por {expected_schemes}.",
    "string_unicode": "Debe ser un texto válido.",
}
# Our validators' own sentences (``raise ValueError(…)`` in domain/inputs.py and the schemas), lower-case
# as pydantic shows them after the field; tests/channels/http/test_errors_in_spanish.py checks every
# literal one is here.
VALIDATOR_SENTENCES: dict[str, str] = {
    "must be a date written YYYY-MM-DD": "debe ser una fecha escrita AAAA-MM-DD",
    "must be a date and time in ISO 8601, like 2026-12-31T23:59:00+01:00": (
        "debe ser una fecha y hora ISO 8601, como 2026-12-31T23:59:00+01:00"
    ),
    "must be a local time written HH:MM or HH:MM:SS, without an offset (no Z, no +02:00)": (
        "debe ser una hora local escrita HH:MM o HH:MM:SS, sin desfase horario (ni Z ni +02:00)"
    ),
    "must not contain a NUL character": "no puede contener el carácter NUL",
    "must be a date, not a date and time": "debe ser una fecha, no una fecha y hora",
    "must be a local time without an offset": "debe ser una hora local sin desfase horario",
    "end_time must be after start_time": "end_time debe ser posterior a start_time",
    "valid_until must not be before valid_from": "valid_until no puede ser anterior a valid_from",
    "say the new venue, the new teacher or both": "indica la sede nueva, el profesor nuevo o los dos",
    "end_date must not be before start_date": "end_date no puede ser anterior a start_date",
}
# The sentences built with a value (an f-string in the validator): matched, and the value kept.
VALIDATOR_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), spanish)
    for pattern, spanish in (
        (r"must be between (\S+) and today", "debe estar entre el {0} y hoy"),
        (r"must be between (\S+) and (\S+)", "debe estar entre el {0} y el {1}"),
        (
            r"must be one line without control characters or text-direction overrides \(found (.+)\)",
            "debe ser una sola línea, sin caracteres de control ni de cambio de dirección (hay {0})",
        ),
        (
            r"must not contain control characters or text-direction overrides \(found (.+)\)",
            "no puede tener caracteres de control ni de cambio de dirección (hay {0})",
        ),
        (
            r"leave out what should not change; null is not a value for (.+)",
            "omite lo que no deba cambiar; null no es un valor para {0}",
        ),
    )
)
# Singular and plural of the counted words, by the ctx key that counts them.
COUNTED = {
    "characters": ("min_length", "max_length", "carácter", "caracteres"),
    "items": ("min_length", "max_length", "elemento", "elementos"),
    "digits": ("max_digits", "whole_digits", "dígito", "dígitos"),
    "decimals": ("decimal_places", "decimal_places", "decimal", "decimales"),
}


def _counted(ctx: Mapping[str, Any]) -> dict[str, str]:
    words = {}
    for word, (low, high, one, many) in COUNTED.items():
        count = ctx.get(low, ctx.get(high))
        words[word] = one if count == 1 else many
    return words


def _validator_sentence(english: str) -> str:
    if english in VALIDATOR_SENTENCES:
        return VALIDATOR_SENTENCES[english]
    for pattern, spanish in VALIDATOR_PATTERNS:
        if found := pattern.fullmatch(english):
            return spanish.format(*found.groups())
    return translate(english, "es")  # a domain error's sentence raised in a validator, if any


def problem(error: Mapping[str, Any], english: str, language: str) -> str:
    """One validation problem as a person reading ``language`` should read it."""
    if language == "en":
        return english
    kind = str(error.get("type", ""))
    ctx = {str(k): v for k, v in (error.get("ctx") or {}).items()}
    if kind in ("value_error", "assertion_error"):
        if language != "es":
            return english
        said = _validator_sentence(english)
        return said[:1].upper() + said[1:] + ("" if said.endswith(".") else ".")  # as the others read
    template = SPANISH.get(kind) if language == "es" else None
    if template is None:
        return english
    try:
        return template.format(**ctx, **_counted(ctx))
    except (KeyError, IndexError, ValueError):
        return english


def invalid_input(fields: str, problems: list[tuple[str, str]], language: str) -> str:
    """The 422's message: English as it always was (the fields; details say each problem); in another
    language each field's problem too, since the pages show only the message."""
    if language != "es":
        return f"Invalid input: {fields}."
    said = " ".join(f"{field}: {problem}" for field, problem in problems)
    return f"Datos no válidos. {said}"
