"""FastAPI's validation errors (a 422 from pydantic) in Spanish, by the error's ``type`` and its ``ctx``.

pydantic says its problems in English only; the types here are those the app's request models can produce
(required fields, lengths, bounds, numbers, dates, ids, choices, unknown fields). A type not listed keeps
pydantic's English; a ``value_error`` is our own validator's sentence, translated by the catalogue like a
domain error's. The envelope's ``details`` stay as they are (English, for programs); the Spanish is in the
message, the part the pages show."""

from __future__ import annotations

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


def problem(error: Mapping[str, Any], english: str, language: str) -> str:
    """One validation problem as a person reading ``language`` should read it."""
    if language == "en":
        return english
    kind = str(error.get("type", ""))
    ctx = {str(k): v for k, v in (error.get("ctx") or {}).items()}
    if kind in ("value_error", "assertion_error"):
        return translate(english, language)  # our validator's own sentence, if the catalogue has it
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
