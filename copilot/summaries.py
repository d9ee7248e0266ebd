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
from dataclasses import dataclass
from pathlib import Path

from domain.insights import service as insights
from domain.notifications.models import Kind
from domain.reports import charts
from domain.reports.attendance import attendance_report
from domain.settings import get_settings
from tools import runner
from tools.base import ToolContext

CHART_WEEKS = 8
logger = logging.getLogger(__name__)


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


async def admin_digest(ctx: ToolContext) -> Summary:
    """The week for the office: money owed, unmarked classes, students at risk, groups, revenue."""
    week_start = ctx.today - dt.timedelta(days=ctx.today.weekday())
    sections = [
        await _section(ctx, "Tuition not paid this month", "unpaid_students", {}),
        await _section(ctx, "Attendance not marked (last 90 days)", "missing_attendance", {}),
        await _section(ctx, "Students who may drop out", "dropout_risk", {"limit": 10}),
        await _section(ctx, "Groups", "group_health", {}),
        await _section(ctx, "Revenue this month", "revenue_summary", {}),
        await _section(
            ctx,
            "This week's classes",
            "teacher_load",
            {"start": week_start.isoformat(), "end": (week_start + dt.timedelta(days=6)).isoformat()},
        ),
    ]
    await _draw_digest_chart(ctx, week_start)
    return Summary(f"Weekly digest, week of {week_start.isoformat()}", sections)


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
        png = await asyncio.to_thread(charts.chart_png, report)  # a few hundred ms of drawing, off the loop
        target.parent.mkdir(parents=True, exist_ok=True)
        drawing = target.with_suffix(".drawing")
        drawing.write_bytes(png)
        drawing.replace(target)  # whole or not at all: a sender may be reading it
    except (ValueError, OSError):
        logger.warning("Could not draw the weekly digest's chart", exc_info=True)


async def teacher_agenda(ctx: ToolContext) -> Summary:
    """A teacher's morning: today's classes, who missed the last two, classes still to mark."""
    absent = await insights.absent_in_a_row(ctx.session, ctx.tenant, today=ctx.today, times=2)
    missed = (
        "\n".join(f"- {s.full_name} ({s.group_name})" for s in absent)
        if absent
        else "Nobody missed their last two classes."
    )
    sections = [
        await _section(ctx, "Today's classes", "schedule", {}),
        ("Absent twice in a row", missed),
        await _section(
            ctx,
            "Attendance still to mark",
            "missing_attendance",
            {"since": (ctx.today - dt.timedelta(days=14)).isoformat()},
        ),
    ]
    return Summary(f"Your day, {ctx.today:%A %Y-%m-%d}", sections)


async def payout_preview(ctx: ToolContext) -> Summary:
    """The month's payouts before the admin approves them (the scheduler sends it near month end)."""
    month = ctx.today.strftime("%Y-%m")
    return Summary(
        f"Payout preview, {month}",
        [await _section(ctx, "What each teacher would be paid", "payout_preview", {"month": month})],
    )


async def attendance_reminder(ctx: ToolContext, *, days: int = 7) -> Summary | None:
    """A teacher's classes of the last ``days`` days still to mark; None when there are none."""
    outcome = await runner.call(
        ctx, "missing_attendance", {"since": (ctx.today - dt.timedelta(days=days)).isoformat()}
    )
    if not (outcome.output.data or {}).get("sessions"):
        return None
    return Summary("Attendance still to mark", [("Classes to mark", outcome.output.text)])


async def missing_data(ctx: ToolContext) -> Summary | None:
    """Records the office should complete; None when nothing is missing."""
    gaps = await insights.missing_data(ctx.session, ctx.tenant)
    if gaps.empty:
        return None
    sections = [
        (heading, "\n".join(f"- {name}" for name in names))
        for heading, names in (
            (
                "Students nobody can be reached for (no email or phone, no guardian's)",
                gaps.students_without_contact,
            ),
            ("Active groups without a regular teacher", gaps.groups_without_teacher),
        )
        if names
    ]
    return Summary("Records to complete", sections)
