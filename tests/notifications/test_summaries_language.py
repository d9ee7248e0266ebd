"""The proactive summaries in their reader's language: a Spanish school's weekly digest (its title,
headings and the tools' answers under them) and a teacher's agenda in her own language, whatever the
school's; an English school's digest stays English (the control)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from copilot import summaries
from copilot.summaries import admin_digest, teacher_agenda
from domain.auth.models import User
from domain.db import use_tenant
from domain.orgs.models import Organization
from tests.domain.studio import build_studio
from tools import runner
from tools.base import ToolContext

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 8, tzinfo=UTC)
HEADINGS = {
    "es": [
        "Cuotas sin pagar este mes",
        "Asistencia sin marcar (últimos 90 días)",
        "Alumnos que podrían dejarlo",
        "Quién podría pagar tarde la cuota del mes que viene",
        "Grupos",
        "Clases mucho más vacías de lo habitual (últimos 7 días)",
        "Ingresos de este mes",
        "Cuotas previstas para los próximos tres meses",
        "Clases de esta semana",
    ],
    "en": [
        "Tuition not paid this month",
        "Attendance not marked (last 90 days)",
        "Students who may drop out",
        "Who may pay next month's tuition late",
        "Groups",
        "Classes much emptier than usual (last 7 days)",
        "Revenue this month",
        "Tuition expected in the next three months",
        "This week's classes",
    ],
}


@pytest.fixture(autouse=True)
def _charts_in_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    async def nowhere(*args: object, **kwargs: object) -> None:  # the chart is not what is tested here
        return None

    monkeypatch.setattr(summaries, "_draw_digest_chart", nowhere)


@pytest.mark.parametrize(("locale", "language"), [("es_ES", "es"), ("en_GB", "en")])
async def test_the_digest_speaks_the_schools_language(
    session: AsyncSession, locale: str, language: str
) -> None:
    studio = await build_studio(session)
    await session.execute(update(Organization).values(locale=locale))
    digest = await admin_digest(ToolContext(session=session, tenant=studio.admin, today=TODAY, now=NOW))
    assert [h for h, _ in digest.sections] == HEADINGS[language]
    title = {"es": "Resumen semanal, semana del 2026-11-23", "en": "Weekly digest, week of 2026-11-23"}
    assert digest.title == title[language]
    said = ToolContext(session=session, tenant=studio.admin, today=TODAY, now=NOW, language=language)
    unpaid = await runner.call(said, "unpaid_students", {})  # the tool's answer, in that language
    assert dict(digest.sections)[HEADINGS[language][0]] == unpaid.output.text
    other = HEADINGS["en" if language == "es" else "es"]
    assert not any(h in digest.text() for h in other if h != "Grupos" or language == "en")


async def test_the_agenda_follows_the_teachers_own_language_over_the_schools(session: AsyncSession) -> None:
    studio = await build_studio(session)  # an English school
    await session.execute(update(User).where(User.id == studio.teacher.user_id).values(language="es"))
    await use_tenant(session, studio.teacher)
    agenda = await teacher_agenda(ToolContext(session=session, tenant=studio.teacher, today=TODAY, now=NOW))
    assert agenda.title == "Tu día, martes 24 de noviembre de 2026"
    assert [h for h, _ in agenda.sections] == [
        "Clases de hoy",
        "Ausentes dos veces seguidas",
        "Asistencia por marcar",
    ]
    await use_tenant(session, studio.admin)
    await session.execute(update(User).where(User.id == studio.teacher.user_id).values(language=None))
    await use_tenant(session, studio.teacher)
    english = await teacher_agenda(ToolContext(session=session, tenant=studio.teacher, today=TODAY, now=NOW))
    assert english.title == "Your day, Tuesday 2026-11-24"  # the control: no choice, the school's English
