"""Proactive summaries: an admin's weekly digest and a teacher's morning agenda.

Built from the same tools the copilot answers with, so every fact comes from the database; when an
LLM is configured it may later phrase them, but it never adds numbers. ``copilot.proactive``
decides who gets which summary when; the notification ledger sends each once per period.

The weekly digest also draws its chart (attendance per week over the last eight weeks: a trend says it
better than a list) and leaves the PNG in ``<data_dir>/charts`` under the digest's organization, kind and
week; the email sender attaches it to each admin's email (``channels/notify/senders.py``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass, replace
from pathlib import Path

from babel.dates import format_date
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.auth.language import LANGUAGES, Language, spoken
from domain.auth.models import User
from domain.insights import service as insights
from domain.notifications.models import Kind
from domain.orgs.models import Organization
from domain.reports import charts
from domain.reports.attendance import attendance_report
from domain.settings import get_settings
from domain.tenancy import TenantContext
from tools import runner
from tools.base import ToolContext

CHART_WEEKS = 8
logger = logging.getLogger(__name__)

# The summaries' own words (headings, titles); the sections are the tools' answers, said in the same
# language through ``ToolContext.language``.
_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "digest.title": "Weekly digest, week of {week}",
        "digest.unpaid": "Tuition not paid this month",
        "digest.unmarked": "Attendance not marked (last 90 days)",
        "digest.risk": "Students who may drop out",
        "digest.late": "Who may pay next month's tuition late",
        "digest.groups": "Groups",
        "digest.emptier": "Classes much emptier than usual (last 7 days)",
        "digest.revenue": "Revenue this month",
        "digest.forecast": "Tuition expected in the next three months",
        "digest.week": "This week's classes",
        "agenda.title": "Your day, {day}",
        "agenda.today": "Today's classes",
        "agenda.absent": "Absent twice in a row",
        "agenda.emptier": "Your classes much emptier than usual (last 7 days)",
        "agenda.nobody": "Nobody missed their last two classes.",
        "agenda.unmarked": "Attendance still to mark",
        "payout.title": "Payout preview, {month}",
        "payout.what": "What each teacher would be paid",
        "reminder.title": "Attendance still to mark",
        "reminder.classes": "Classes to mark",
        "missing.title": "Records to complete",
        "missing.contact": "Students nobody can be reached for (no email or phone, no guardian's)",
        "missing.teacher": "Active groups without a regular teacher",
    },
    "es": {
        "digest.title": "Resumen semanal, semana del {week}",
        "digest.unpaid": "Cuotas sin pagar este mes",
        "digest.unmarked": "Asistencia sin marcar (últimos 90 días)",
        "digest.risk": "Alumnos que podrían dejarlo",
        "digest.late": "Quién podría pagar tarde la cuota del mes que viene",
        "digest.groups": "Grupos",
        "digest.emptier": "Clases mucho más vacías de lo habitual (últimos 7 días)",
        "digest.revenue": "Ingresos de este mes",
        "digest.forecast": "Cuotas previstas para los próximos tres meses",
        "digest.week": "Clases de esta semana",
        "agenda.title": "Tu día, {day}",
        "agenda.today": "Clases de hoy",
        "agenda.absent": "Ausentes dos veces seguidas",
        "agenda.emptier": "Tus clases mucho más vacías de lo habitual (últimos 7 días)",
        "agenda.nobody": "Nadie faltó a sus dos últimas clases.",
        "agenda.unmarked": "Asistencia por marcar",
        "payout.title": "Previsión de pagos, {month}",
        "payout.what": "Lo que cobraría cada profesor",
        "reminder.title": "Asistencia por marcar",
        "reminder.classes": "Clases por marcar",
        "missing.title": "Fichas por completar",
        "missing.contact": "Alumnos sin forma de contacto (sin email ni teléfono, ni de su tutor)",
        "missing.teacher": "Grupos activos sin profesor habitual",
    },
}


def _word(language: str, key: str, **values: object) -> str:
    return _WORDS.get(language, _WORDS["en"])[key].format(**values)


async def language_of_person(session: AsyncSession, tenant: TenantContext) -> Language:
    """Who a summary is for speaks: their own choice (``users.language``), else the organization's
    locale; the office's summaries (no user), the organization's locale."""
    chosen = None
    if tenant.user_id is not None:
        chosen = await session.scalar(select(User.language).where(User.id == tenant.user_id))
    if chosen in LANGUAGES:
        return spoken(chosen, None)
    locale = await session.scalar(select(Organization.locale).where(Organization.id == tenant.org_id))
    return spoken(None, locale)


async def _spoken(ctx: ToolContext) -> ToolContext:
    """The context with the summary's reader's language, so the tools' sections speak it too."""
    return replace(ctx, language=await language_of_person(ctx.session, ctx.tenant))


@dataclass(frozen=True)
class Summary:
    title: str
    sections: list[tuple[str, str]]  # (heading, rendered tool answer)

    def text(self) -> str:
        body = "\n\n".join(f"## {heading}\n{answer}" for heading, answer in self.sections)
        return f"# {self.title}\n\n{body}\n"


async def _section(ctx: ToolContext, heading: str, tool: str, args: dict[str, object]) -> tuple[str, str]:
    outcome = await runner.call(ctx, tool, args)
    return heading, outcome.output.text


def _last_week(ctx: ToolContext) -> dict[str, object]:
    """The seven days up to today, as a tool's period arguments."""
    return {"start": (ctx.today - dt.timedelta(days=6)).isoformat(), "end": ctx.today.isoformat()}


async def admin_digest(ctx: ToolContext) -> Summary:
    """The week for the office: money owed and expected, unmarked classes, students at risk of leaving
    or of paying late, groups and classes much emptier than usual, revenue."""
    ctx = await _spoken(ctx)
    said = ctx.language
    week_start = ctx.today - dt.timedelta(days=ctx.today.weekday())
    sections = [
        await _section(ctx, _word(said, "digest.unpaid"), "unpaid_students", {}),
        await _section(ctx, _word(said, "digest.unmarked"), "missing_attendance", {}),
        await _section(ctx, _word(said, "digest.risk"), "dropout_risk", {"limit": 10}),
        await _section(ctx, _word(said, "digest.late"), "late_payment_risk", {"limit": 10}),
        await _section(ctx, _word(said, "digest.groups"), "group_health", {}),
        await _section(ctx, _word(said, "digest.emptier"), "attendance_anomalies", _last_week(ctx)),
        await _section(ctx, _word(said, "digest.revenue"), "revenue_summary", {}),
        await _section(ctx, _word(said, "digest.forecast"), "revenue_forecast", {"months": 3}),
        await _section(
            ctx,
            _word(said, "digest.week"),
            "teacher_load",
            {"start": week_start.isoformat(), "end": (week_start + dt.timedelta(days=6)).isoformat()},
        ),
    ]
    await _draw_digest_chart(ctx, week_start)
    return Summary(_word(said, "digest.title", week=week_start.isoformat()), sections)


def digest_period(day: dt.date) -> str:
    """The digest's period as the ledger names it (``copilot.proactive``): the ISO week, "2026-W48"."""
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


async def _draw_digest_chart(ctx: ToolContext, week_start: dt.date, directory: Path | None = None) -> None:
    """The digest's chart, drawn once for all the admins; without it the digest still goes, as text."""
    start = week_start - dt.timedelta(weeks=CHART_WEEKS - 1)
    end = week_start + dt.timedelta(days=6)
    report = await attendance_report(ctx.session, ctx.tenant, start=start, end=end, every="week")
    if not report.trend:
        return  # nothing marked in eight weeks: an empty frame says nothing
    target = charts.stored_chart(
        directory or get_settings().data_dir / "charts",
        ctx.tenant.org_id,
        Kind.ADMIN_DIGEST.value,
        digest_period(ctx.today),
    )
    try:
        png = await asyncio.to_thread(
            charts.chart_png, report, language=ctx.language
        )  # a few hundred ms of drawing, off the loop
        target.parent.mkdir(parents=True, exist_ok=True)
        drawing = target.with_suffix(".drawing")
        drawing.write_bytes(png)
        drawing.replace(target)  # whole or not at all: a sender may be reading it
    except (ValueError, OSError):
        logger.warning("Could not draw the weekly digest's chart", exc_info=True)


async def teacher_agenda(ctx: ToolContext) -> Summary:
    """A teacher's morning: today's classes, who missed the last two, their classes of the last week much
    emptier than usual (only when there are some: a morning message stays short), classes still to mark."""
    ctx = await _spoken(ctx)
    said = ctx.language
    absent = await insights.absent_in_a_row(ctx.session, ctx.tenant, today=ctx.today, times=2)
    missed = (
        "\n".join(f"- {s.full_name} ({s.group_name})" for s in absent)
        if absent
        else _word(said, "agenda.nobody")
    )
    sections = [
        await _section(ctx, _word(said, "agenda.today"), "schedule", {}),
        (_word(said, "agenda.absent"), missed),
    ]
    emptier = await runner.call(ctx, "attendance_anomalies", _last_week(ctx))
    if (emptier.output.data or {}).get("classes"):
        sections.append((_word(said, "agenda.emptier"), emptier.output.text))
    sections.append(
        await _section(
            ctx,
            _word(said, "agenda.unmarked"),
            "missing_attendance",
            {"since": (ctx.today - dt.timedelta(days=14)).isoformat()},
        )
    )
    day = (
        format_date(ctx.today, "EEEE d 'de' MMMM 'de' y", locale="es_ES")
        if said == "es"
        else f"{ctx.today:%A %Y-%m-%d}"
    )
    return Summary(_word(said, "agenda.title", day=day), sections)


async def payout_preview(ctx: ToolContext) -> Summary:
    """The month's payouts before the admin approves them (the scheduler sends it near month end)."""
    ctx = await _spoken(ctx)
    month = ctx.today.strftime("%Y-%m")
    return Summary(
        _word(ctx.language, "payout.title", month=month),
        [await _section(ctx, _word(ctx.language, "payout.what"), "payout_preview", {"month": month})],
    )


async def attendance_reminder(ctx: ToolContext, *, days: int = 7) -> Summary | None:
    """A teacher's classes of the last ``days`` days still to mark; None when there are none."""
    ctx = await _spoken(ctx)
    outcome = await runner.call(
        ctx, "missing_attendance", {"since": (ctx.today - dt.timedelta(days=days)).isoformat()}
    )
    if not (outcome.output.data or {}).get("sessions"):
        return None
    said = ctx.language
    return Summary(_word(said, "reminder.title"), [(_word(said, "reminder.classes"), outcome.output.text)])


async def missing_data(ctx: ToolContext) -> Summary | None:
    """Records the office should complete; None when nothing is missing."""
    gaps = await insights.missing_data(ctx.session, ctx.tenant)
    if gaps.empty:
        return None
    said = await language_of_person(ctx.session, ctx.tenant)
    sections = [
        (heading, "\n".join(f"- {name}" for name in names))
        for heading, names in (
            (_word(said, "missing.contact"), gaps.students_without_contact),
            (_word(said, "missing.teacher"), gaps.groups_without_teacher),
        )
        if names
    ]
    return Summary(_word(said, "missing.title"), sections)
