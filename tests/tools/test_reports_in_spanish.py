"""The reports said in the language asked: over the simulated school (seed 7, today 2026-11-26), each
report tool answers a Spanish question with Spanish sentences, money and dates as Spain writes them
("1.382,00 €", "octubre de 2026", "65 %"), including what the domain explains (dropout reasons, group
warnings, whose data it is) and the questions about names; the JSON keeps its English keys and texts.
The same calls in English say exactly what they always said: the English catalogue words each of the
domain's reason codes exactly as the domain's own English sentence."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.db import unit_of_work
from domain.demo.seed import seed_demo
from domain.tenancy import TenantContext
from tests.copilot.helpers import tenant_of
from tools import runner
from tools.base import ToolContext, ToolOutput
from tools.speech import Speech

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 18, tzinfo=UTC)
OCTOBER = {"start": "2026-10-01", "end": "2026-10-31"}
NBSP = "\xa0"
SPANISH = Speech("es")
ENGLISH_WORDS = ("missed", "attendance fell", "overdue", "joined", "shrinking", " held", "Revenue", " with ")


@dataclass
class Demo:
    session: AsyncSession
    admin: TenantContext

    async def ask(self, tool: str, args: dict[str, Any], language: str = "es") -> ToolOutput:
        ctx = ToolContext(session=self.session, tenant=self.admin, today=TODAY, now=NOW, language=language)
        return (await runner.call(ctx, tool, args)).output


@pytest.fixture
async def demo(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[Demo]:
    await seed_demo(sessions, today=TODAY, size="small", seed=7)
    async with unit_of_work(sessions) as session:
        admin = await tenant_of(session, "demo-school", "admin@demo-school.example")
    async with unit_of_work(sessions, admin) as session:
        yield Demo(session, admin)


def euros(amount: str) -> str:
    return SPANISH.money(Decimal(amount), "EUR")


def no_english(text: str) -> None:
    assert not [w for w in ENGLISH_WORDS if w in text], text
    assert "EUR" not in text and "2026-" not in text, text


async def _attendance_says_whose_marks_and_rates_in_spanish(demo: Demo) -> None:
    whole = await demo.ask("attendance_summary", OCTOBER)
    head, title, first, *_ = whole.text.splitlines()
    assert head.startswith(
        f"Asistencia de toda la escuela en octubre de 2026: {int(Decimal(whole.data['rate']) * 100)}{NBSP}% "
        f"({whole.data['attended']} de {whole.data['marks']} registros con asistencia o retraso, "
        f"ausencias: {whole.data['absent']}"
    )
    assert title == "De menor a mayor:" and first.startswith("- ") and f"{NBSP}% (" in first
    hers = await demo.ask("attendance_summary", {"teacher": "Martina Delgado", "venue": "Sala Sur"} | OCTOBER)
    assert hers.text.startswith(
        "Asistencia de las clases de Martina Delgado en Sala Sur en octubre de 2026: "
    )
    assert hers.data["scope"] == "Martina Delgado's classes at Sala Sur"  # the JSON stays as it was
    nothing = await demo.ask("attendance_summary", {"start": "2030-01-01", "end": "2030-01-05"})
    assert nothing.text == "No hay asistencia registrada de toda la escuela del 1 ene 2030 al 5 ene 2030."
    no_english(whole.text + hers.text)


async def _dropout_risk_gives_its_reasons_in_spanish(demo: Demo) -> None:
    jazz = await demo.ask("dropout_risk", {"group": "Jazz Beginners"})
    head, *rows = jazz.text.splitlines()
    assert head == (
        f"{len(jazz.data['at_risk'])} alumnos de Jazz Beginners podrían estar a punto de dejarlo"
        f" (de {jazz.data['students_checked']} activos):"
    )
    assert rows[0] == (
        "- Léa Blanco (puntuación 6,5): ha faltado a las últimas 3 clases seguidas; su asistencia ha bajado"
        f" del 65{NBSP}% al 22{NBSP}% en las últimas 4 semanas; cuota con 82 días de retraso"
    )
    no_english(jazz.text)
    lea = jazz.data["at_risk"][0]
    assert lea["reasons"][0] == "missed the last 3 classes in a row"  # the JSON keeps English sentences
    assert lea["reason_codes"][0] == {"code": "missed_in_a_row", "values": {"count": 3}}  # and adds data
    martina = await demo.ask("dropout_risk", {"teacher": "Martina Delgado"})
    assert martina.text.startswith(
        f"{len(martina.data['at_risk'])} alumnos de los grupos de Martina Delgado "
    )
    nobody = await demo.ask("dropout_risk", {"group": "Jazz Beginners", "teacher": "Martina Delgado"})
    assert nobody.text == (
        "Nadie de Jazz Beginners con Martina Delgado parece a punto de dejarlo (0 alumnos activos revisados)."
    )


async def _revenue_in_euros_as_spain_writes_them(demo: Demo) -> None:
    october = await demo.ask("revenue_summary", OCTOBER)
    d = october.data
    assert october.text == (
        f"Ingresos en octubre de 2026: previstos {euros(d['expected'])}, cobrados {euros(d['collected'])},"
        f" pendientes {euros(d['outstanding'])}; {euros(d['received'])} recibidos en el periodo."
    )
    assert "." in euros(d["expected"]) and "," in euros(d["expected"])  # 11.735,17 €
    cash = await demo.ask("revenue_summary", {"method": "cash", "venue": "Sala Sur"} | OCTOBER)
    assert cash.text.startswith(
        f"Ingresos de las cuotas de los grupos en Sala Sur cobrados en efectivo en octubre de 2026: cobrados"
        f" {euros(cash.data['collected'])} de {euros(cash.data['expected'])} previstos (por cualquier medio,"
    )
    quarter = await demo.ask("revenue_summary", {"start": "2026-09-01", "end": "2026-11-26"})
    assert quarter.text.splitlines()[1].startswith("- septiembre de 2026: previstos ")
    no_english(october.text + cash.text + quarter.text)


async def _teacher_load_and_group_health_in_spanish(demo: Demo) -> None:
    liam = await demo.ask("teacher_load", {"teacher": "Liam Santos"} | OCTOBER)
    t = liam.data["teachers"][0]
    assert liam.text == (
        f"Carga de clases de Liam Santos en octubre de 2026: dadas: {t['held']},"
        f" programadas: {t['scheduled']}, canceladas: {t['cancelled']},"
        f" {SPANISH.number(Decimal(t['hours']))} h, grupos: {t['groups']},"
        f" sustituciones: {t['substitutions']}."
    )
    everyone = await demo.ask("teacher_load", OCTOBER)
    assert everyone.text.startswith("Carga de clases en octubre de 2026:\n- ")
    health = await demo.ask("group_health", {"venue": "Sala Sur"})
    head, first, *_ = health.text.splitlines()
    assert head.startswith("Estado de los grupos en Sala Sur del 30 oct 2026 al 26 nov 2026 (")
    assert first.startswith(
        "- Jazz Beginners: 18/30 alumnos, asistencia 64\xa0% — pierde alumnos (altas: 0, "
    )
    jazz = next(g for g in health.data["groups"] if g["group_name"] == "Jazz Beginners")
    assert jazz["flags"] == ["shrinking (0 joined, 2 left)"]  # English in the JSON, as before
    october = await demo.ask("group_health", OCTOBER)
    assert f"asistencia a la baja (antes, 92{NBSP}%)" in october.text
    no_english(liam.text + everyone.text + health.text + october.text)


async def _missing_attendance_and_schedule_in_spanish(demo: Demo) -> None:
    alba = await demo.ask("missing_attendance", {"teacher": "Alba Campos"})
    head, teacher, first, *_ = alba.text.splitlines()
    assert head == "Falta pasar lista de las clases de Alba Campos: 3 clases desde el 28 ago 2026."
    assert teacher == "Alba Campos: 3 clases, faltan 29 registros"
    assert first == "- 18 nov 2026 Sevillanas Beginners: 0/6 registrados"
    none = await demo.ask("missing_attendance", {"since": "2026-11-26", "teacher": "Alba Campos"})
    assert none.text == "No queda lista por pasar de las clases de Alba Campos desde el 26 nov 2026."
    week = {"date": "2026-11-16", "week": True}
    hers = await demo.ask("schedule", week | {"teacher": "Martina Delgado", "venue": "Sala Sur"})
    assert hers.text == (
        "1 clase con Martina Delgado en Sala Sur del 16 nov 2026 al 22 nov 2026:\n"
        "- 19 nov 2026, 20:00 Tango Beginners con Martina Delgado"
    )
    nothing = await demo.ask("schedule", {"date": "2030-01-01", "group": "Jazz Beginners"})
    assert nothing.text == "No hay clases de Jazz Beginners el 1 ene 2030."
    no_english(alba.text + hers.text)


async def _names_not_found_or_ambiguous_are_asked_about_in_spanish(demo: Demo) -> None:
    cases: list[tuple[str, dict[str, Any], str]] = [
        (
            "schedule",
            {"group": "Flamenco Imperial"},
            "No he encontrado ningún grupo que se llame “Flamenco Imperial”.",
        ),
        (
            "schedule",
            {"teacher": "Víctor Suárez"},
            "No he encontrado ningún profesor que se llame “Víctor Suárez”.",
        ),
        ("group_health", {"venue": "Sala Oeste"}, "No he encontrado ninguna sala que se llame “Sala Oeste”."),
        (
            "attendance_summary",
            {"student": "Zzyzx Qqq"},
            "No he encontrado ningún alumno que se llame “Zzyzx Qqq”.",
        ),
        (
            "dropout_risk",
            {"group": "Jazz"},
            "¿Qué grupo quieres decir: Jazz Advanced o Jazz Beginners o Jazz Teens?",
        ),
        (
            "mark_attendance",
            {"group": "Jazz Advanced", "date": "2026-11-26", "absent": ["Zzyzx Qqq"]},
            "No hay ningún alumno en esta clase que se llame “Zzyzx Qqq”.",
        ),
    ]
    for tool, args, question in cases:
        asked = await demo.ask(tool, args)
        assert asked.text == question
        assert asked.data["kind"] in ("group", "teacher", "venue", "student", "student in this class")
    ambiguous = await demo.ask("dropout_risk", {"group": "Jazz"})
    assert ambiguous.data["options"] == ["Jazz Advanced", "Jazz Beginners", "Jazz Teens"]
    english = await demo.ask("dropout_risk", {"group": "Jazz"}, language="en")  # the English control
    assert english.text == "Which group do you mean: Jazz Advanced or Jazz Beginners or Jazz Teens?"
    english = await demo.ask("group_health", {"venue": "Sala Oeste"}, language="en")
    assert english.text == "I couldn't find a venue called “Sala Oeste”."


async def _payout_lines_in_spanish(demo: Demo) -> None:
    martina = await demo.ask("payout_preview", {"month": "2026-10", "teacher": "Martina Delgado"})
    head, teacher, first, substitute, *_ = martina.text.splitlines()
    assert head == f"Liquidación de octubre de 2026: {euros(martina.data['total'])} en total"
    assert teacher.startswith("- Martina Delgado: ") and teacher.endswith(" líneas)")
    assert first == "  - Tango Beginners el 1 oct 2026: 13 alumnos: 13 × 6,60 = 85,80"
    assert substitute == (
        "  - Lindy Hop Open Level el 2 oct 2026 (como sustituto): 10 alumnos: 10 × 6,60 = 66,00"
    )
    liam = await demo.ask("payout_preview", {"month": "2026-10", "teacher": "Liam Santos"})
    salary, private = liam.text.splitlines()[2:4]
    assert (
        salary
        == "  - Sueldo mensual del 1 oct 2026 al 31 oct 2026 (31/31 días): 1,0000 × 1.250,00 = 1.250,00"
    )
    assert private == "  - Clase particular con Rocío Oliveira el 1 oct 2026 (60 min): 1,0000 × 40,00 = 40,00"
    line = liam.data["teachers"][0]["lines"][0]
    assert line["description"] == "Monthly salary 2026-10-01 – 2026-10-31 (31/31 days)"  # JSON: as before
    assert line["detail"]["code"] == "salary" and line["detail"]["values"]["start"] == "2026-10-01"
    no_english(martina.text + liam.text)


async def test_every_report_and_question_about_a_name_is_said_in_spanish(demo: Demo) -> None:
    # One seeded school for all of them (seeding is the slow part).
    await _attendance_says_whose_marks_and_rates_in_spanish(demo)
    await _dropout_risk_gives_its_reasons_in_spanish(demo)
    await _revenue_in_euros_as_spain_writes_them(demo)
    await _teacher_load_and_group_health_in_spanish(demo)
    await _missing_attendance_and_schedule_in_spanish(demo)
    await _names_not_found_or_ambiguous_are_asked_about_in_spanish(demo)
    await _payout_lines_in_spanish(demo)


async def test_english_words_every_reason_and_warning_exactly_as_the_domain_does(demo: Demo) -> None:
    risk = await demo.ask("dropout_risk", {"limit": 50}, language="en")
    rows = risk.text.splitlines()[1:]
    assert len(rows) == len(risk.data["at_risk"]) > 10
    for row, student in zip(rows, risk.data["at_risk"], strict=True):
        assert row == f"- {student['full_name']} (score {student['score']}): {'; '.join(student['reasons'])}"
    codes = {c["code"] for s in risk.data["at_risk"] for c in s["reason_codes"]}
    assert {"missed_in_a_row", "missed_last_two", "attendance_fell", "tuition_overdue"} <= codes
    for period in ({}, OCTOBER):
        health = await demo.ask("group_health", period, language="en")
        for group in health.data["groups"]:
            line = next(x for x in health.text.splitlines() if x.startswith(f"- {group['group_name']}: "))
            assert line.endswith(f" — {', '.join(group['flags'])}" if group["flags"] else "")
    assert risk.text.startswith(f"{len(rows)} students may be about to drop out (of ")
    for teacher in ("Martina Delgado", "Liam Santos", "Alba Campos"):
        payout = await demo.ask("payout_preview", {"month": "2026-10", "teacher": teacher}, language="en")
        lines = payout.data["teachers"][0]["lines"]
        assert lines and all(line["detail"] for line in lines)
        for text, line in zip(payout.text.splitlines()[2:], lines, strict=True):
            assert text.startswith(f"  - {line['description']}: "), (text, line["description"])
