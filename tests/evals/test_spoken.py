"""A Spanish eval case checks the same SQL figures in the formats and words a Spanish answer uses."""

from __future__ import annotations

from evals.spoken import said_in_spanish, spanish


def test_facts_read_as_a_spanish_answer_says_them() -> None:
    assert spanish("Adrián Delgado: 86.00") == "Adrián Delgado: 86,00"
    assert spanish("Alba Campos: 605.00 EUR") == "Alba Campos: 605,00\xa0€"
    assert spanish("15 students") == "15 alumnos" and spanish("1 students") == "1 alumno"
    revenue = "expected 11735.17 EUR, collected 9728.12"
    assert spanish(revenue) == "previstos 11.735,17\xa0€, cobrados 9.728,12"
    assert spanish("No classes on 2026-11-27") == "No hay clases el 27 nov 2026"
    assert spanish(": 71% (5 of 7 marks") == ": 71\xa0% (5 de 7 registros"  # attendance, as said now


def test_facts_without_figures_stay_as_they_are() -> None:
    assert spanish("- Ana García (") == "- Ana García ("


def test_a_spanish_case_finds_the_figure_in_either_form_and_never_a_wrong_one() -> None:
    answer = "- Adrián Delgado: 86,00\xa0€ (vencido)"
    assert said_in_spanish("Adrián Delgado: 86.00", answer)
    assert said_in_spanish("Adrián Delgado: 86.00", "- Adrián Delgado: 86.00 EUR (overdue)")
    assert not said_in_spanish("Adrián Delgado: 85.00", answer)
