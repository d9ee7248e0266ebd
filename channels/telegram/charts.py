"""A chart under a copilot answer that is a report: the PNG of ``domain/reports/charts.py`` sent as a photo,
the answer its caption (or, when longer than a caption may be, sent just before it as usual).

Which answers: the ``report`` tool (its data is the report itself, so nothing is read again), and the
attendance, revenue, teacher load and group health reads over the whole school (their data names the period;
the report of that period is read again, by the same person, so the services' role rules still decide).
An answer with nothing to draw (no marks, no money in the period) gets none either.
A narrowed read (one group, teacher, venue, student or payment method) gets no chart: a picture of the whole
school under an answer about one group would say something else than the text.

The chart is an extra: if it cannot be made or sent, the answer still goes, as text.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Chat, InlineKeyboardMarkup
from telegram.error import TelegramError

from channels.telegram.replies import send, utf16_length
from copilot.service import TurnResult
from domain.db import unit_of_work
from domain.errors import DomainError
from domain.reports import charts
from domain.reports.attendance import attendance_report
from domain.reports.groups import group_health_report
from domain.reports.revenue import revenue_report
from domain.reports.schemas import (
    AttendanceReport,
    EnrolmentReport,
    Every,
    GroupHealthReport,
    RevenueReport,
    TeacherLoadReport,
)
from domain.reports.teaching import teacher_load_report
from domain.tenancy import TenantContext

CAPTION_LIMIT = 1024  # Telegram's limit for a photo's caption, in UTF-16 code units
# The ``report`` tool's data: the report's name and the report (``tools/reports.py``).
REPORTS: dict[str, type[BaseModel]] = {
    "attendance": AttendanceReport,
    "revenue": RevenueReport,
    "teachers": TeacherLoadReport,
    "groups": GroupHealthReport,
    "enrolment": EnrolmentReport,
}
# The reads that answer the same question as a report (``tools/insights.py``), and the report they chart.
READS = {
    "attendance_summary": "attendance",
    "revenue_summary": "revenue",
    "teacher_load": "teachers",
    "group_health": "groups",
}
NARROWING = ("student", "group", "teacher", "venue", "method")
WEEKLY_UP_TO = timedelta(days=62)  # a short period's attendance trend per week, a longer one per month

logger = logging.getLogger(__name__)


def _drawn(report: BaseModel) -> bool:
    """Whether the chart would show anything: an empty frame under "no attendance marked" says nothing."""
    return bool(report.trend if isinstance(report, AttendanceReport) else getattr(report, "rows", None))


def _last_call(result: TurnResult) -> dict[str, Any] | None:
    return result.tool_calls[-1] if result.tool_calls else None


async def _read_again(
    sessions: async_sessionmaker[AsyncSession], tenant: TenantContext, name: str, start: date, end: date
) -> BaseModel:
    async with unit_of_work(sessions, tenant) as session:
        if name == "attendance":
            every: Every = "week" if end - start <= WEEKLY_UP_TO else "month"
            return await attendance_report(session, tenant, start=start, end=end, every=every)
        if name == "revenue":
            return await revenue_report(session, tenant, start=start, end=end, today=tenant.today())
        if name == "teachers":
            return await teacher_load_report(session, tenant, start=start, end=end)
        return await group_health_report(session, tenant, start=start, end=end)


async def report_of(
    sessions: async_sessionmaker[AsyncSession], tenant: TenantContext, result: TurnResult
) -> BaseModel | None:
    """The report an answer is, or None (not a report, a narrowed read, a write, an error)."""
    call, data = _last_call(result), result.data
    if call is None or result.pending_action is not None or not isinstance(data, dict):
        return None
    name = call.get("name")
    try:
        if name == "report" and data.get("report") in REPORTS:
            return REPORTS[data["report"]].model_validate(data)
        args: dict[str, Any] = call.get("args") or {}
        if name in READS and not any(args.get(key) for key in NARROWING) and "start" in data:
            start, end = date.fromisoformat(data["start"]), date.fromisoformat(data["end"])
            return await _read_again(sessions, tenant, READS[name], start, end)
    except (ValidationError, ValueError, KeyError, DomainError):
        logger.info("No chart for the answer of %s", name, exc_info=True)
    return None


async def chart_of(
    sessions: async_sessionmaker[AsyncSession], tenant: TenantContext, result: TurnResult
) -> bytes | None:
    """The answer's chart as a PNG, or None; drawn off the event loop (it takes a few hundred ms)."""
    report = await report_of(sessions, tenant, result)
    if report is None or not _drawn(report):
        return None
    try:
        return await asyncio.to_thread(charts.chart_png, report, language=result.language)
    except (ValueError, TypeError):  # vl-convert's failure: the text alone still answers
        logger.warning("Could not draw the chart of a %s", type(report).__name__, exc_info=True)
        return None


async def send_with_chart(
    chat: Chat, text: str, png: bytes | None, markup: InlineKeyboardMarkup | None = None
) -> None:
    """The answer with its chart: one photo captioned with the text when it fits, else the text (split as
    every long reply is) and the photo just after it. Without a chart, just the text."""
    if png is None:
        await send(chat, text, markup)
        return
    if text.strip() and utf16_length(text) <= CAPTION_LIMIT:
        try:
            await chat.send_photo(png, caption=text, reply_markup=markup)
            return
        except TelegramError:
            logger.warning(
                "Could not send a chart to chat %s; sending the text alone", chat.id, exc_info=True
            )
            await send(chat, text, markup)
            return
    await send(chat, text, markup)
    try:
        await chat.send_photo(png)
    except TelegramError:
        logger.warning("Could not send a chart to chat %s", chat.id, exc_info=True)
