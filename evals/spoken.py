"""Facts as a Spanish answer says them. ``evals/truth.py`` writes each fact as the English answer
prints it ("Adrián Delgado: 86.00", "Alba Campos: 605.00 EUR", "15 students"); a Spanish question is
answered in Spanish (``tools/speech.py``), so its case looks for the same figure in Spanish formats
and words ("86,00", "605,00 €", "15 alumnos"), as ``tools/answers/es.yaml`` says them. Only formats
and the few words facts contain are translated: the figures still come from plain SQL, never from
the tools. A Spanish case accepts either form while some tools still answer in English.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from tools import speech

_Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]
_RULES: list[_Rule] = [
    (re.compile(r"(-?\d+\.\d\d) ([A-Z]{3})\b"), lambda m: speech.money(Decimal(m[1]), m[2], "es")),
    (re.compile(r"-?\d+\.\d\d\b"), lambda m: speech.number(Decimal(m[0]), "es")),
    (re.compile(r"\b(\d+) students\b"), lambda m: f"{m[1]} {'alumno' if m[1] == '1' else 'alumnos'}"),
    (re.compile(r"^No classes on (\S+)$"), lambda m: f"No hay clases el {_day(m[1])}"),
    (re.compile(r"^(\d+) class$"), lambda m: f"{m[1]} clase"),  # "1 clase", "5 clases"
    (re.compile(r" with "), lambda m: " con "),
    (re.compile(r"\((\d+) of (\d+) marks"), lambda m: f"({m[1]} de {m[2]} registros"),
    (re.compile(r"\b(\d+)%"), lambda m: f"{m[1]}\xa0%"),  # "79 %", as Spain writes a percentage
    (re.compile(r"\bexpected "), lambda m: "previstos "),
    (re.compile(r"\bcollected "), lambda m: "cobrados "),
    (re.compile(r" received\b"), lambda m: " recibidos"),
    (
        re.compile(r"^No sessions since (\S+)$"),
        lambda m: f"No falta pasar lista en ninguna clase desde el {_day(m[1])}",
    ),
    (re.compile(r"^(\d+) sessions since \S+ are missing attendance$"), lambda m: f"{m[1]} clase"),
]


def _day(iso: str) -> str:
    return speech.day(date.fromisoformat(iso), "es")


def spanish(fact: str) -> str:
    for pattern, spoken in _RULES:
        fact = pattern.sub(spoken, fact)
    return fact


def said(fact: str, answer: str) -> bool:
    return fact in answer


def said_in_spanish(fact: str, answer: str) -> bool:
    return fact in answer or spanish(fact) in answer
