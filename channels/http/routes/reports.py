"""Reports over REST (JSON: every report's ``rows`` is one flat table), their charts (a Vega-Lite spec or a
PNG), the office dashboard, and the chart scripts the pages run (served here, never from a CDN).

``?format=csv|xlsx`` turns a report's ``rows`` into a download (``channels/http/exports.py``); the side tables
stay JSON. Periods: ``start`` and ``end`` (ISO dates); by default the last six months up to today, in the
organization's timezone. Roles as in the services: the office sees everything, a teacher their own
classes, groups and pay (revenue is refused to a teacher); API keys need any scope (these are reads).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from functools import lru_cache
from importlib import metadata
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Response, status
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from channels.http.deps import DB, Tenant
from channels.http.exports import EXPORTABLE, Exporter
from domain.insights.rules import Reason
from domain.payments.rules import month_start
from domain.reports import charts
from domain.reports.attendance import attendance_report
from domain.reports.dashboard import dashboard
from domain.reports.enrolment import enrolment_report
from domain.reports.groups import group_health_report
from domain.reports.periods import EARLIEST, within_calendar
from domain.reports.revenue import revenue_report
from domain.reports.schemas import (
    AttendanceBy,
    AttendanceReport,
    AttendanceRow,
    Dashboard,
    EnrolmentMonthRow,
    EnrolmentReport,
    Every,
    GroupHealthReport,
    GroupHealthRow,
    RevenueMonthRow,
    RevenueReport,
    TeacherLoadReport,
    TeacherLoadRow,
)
from domain.reports.teaching import teacher_load_report
from domain.tenancy import TenantContext
from tools.speech import Speech

router = APIRouter(prefix="/reports", tags=["reports"])
assets = APIRouter(include_in_schema=False)
ReportName = Literal["attendance", "revenue", "teachers", "groups", "enrolment", "dashboard"]
DEFAULT_MONTHS = 6
YEAR = 365 * 24 * 3600
# What the bundle leaves behind: the three libraries as globals, for the pages' own script.
GLOBALS = "window.vegaEmbed = vegaEmbed; window.vega = vega; window.vegaLite = vegaLite;"


class Period(BaseModel):
    start: date
    end: date


def period(
    tenant: Tenant,
    start: Annotated[
        date | None, Query(description="First day (default: six months back, from the 1st).")
    ] = None,
    end: Annotated[date | None, Query(description="Last day (default: today).")] = None,
) -> Period:
    last = end or tenant.today()
    within_calendar(*(day for day in (start, last) if day))  # before any arithmetic on an edge date
    first = start or max(EARLIEST, month_start(month_start(last) - timedelta(days=28 * (DEFAULT_MONTHS - 1))))
    return Period(start=first, end=last)


Within = Annotated[Period, Depends(period)]


class AttendanceQuery(BaseModel):
    by: AttendanceBy = "group"
    every: Every = "month"
    group_id: uuid.UUID | None = None
    teacher_id: uuid.UUID | None = None
    venue_id: uuid.UUID | None = None


Narrowed = Annotated[AttendanceQuery, Query()]


async def _report(
    name: ReportName, db: AsyncSession, tenant: TenantContext, within: Period, narrowed: AttendanceQuery
) -> BaseModel:
    start, end = within.start, within.end
    if name == "attendance":
        return await attendance_report(db, tenant, start=start, end=end, **narrowed.model_dump())
    if name == "revenue":
        return await revenue_report(db, tenant, start=start, end=end, today=tenant.today())
    if name == "teachers":
        return await teacher_load_report(db, tenant, start=start, end=end)
    if name == "groups":
        return await group_health_report(db, tenant, start=start, end=end)
    if name == "enrolment":
        return await enrolment_report(db, tenant, start=start, end=end)
    return await dashboard(db, tenant, today=tenant.today())


def reasons_in(language: str, codes: list[Reason]) -> str:
    """A student's risk reasons said in ``language`` (the tools' sentences, ``insights.risk.reason.*``)."""
    speech = Speech(language)
    said = []
    for reason in codes:
        values: dict[str, int] = dict(reason.values)
        count = values.pop("count", values.get("days"))  # the number that chooses the plural form
        said.append(speech.say(f"insights.risk.reason.{reason.code}", count=count, **values))
    return speech.say("insights.risk.reasons_joined").join(said)


@router.get("/dashboard", response_model=Dashboard)
async def get_dashboard(tenant: Tenant, db: DB, language: Literal["en", "es"] = "en") -> BaseModel:
    """This month's money (office only), the attendance trend, students at risk (their reasons in
    ``language``), classes with attendance missing, and today's classes."""
    board = await dashboard(db, tenant, today=tenant.today())
    if language != "en":
        for student in board.at_risk:
            student.detail = reasons_in(language, student.reason_codes)
    return board


@router.get("/attendance", responses=EXPORTABLE, response_model=AttendanceReport)
async def get_attendance(tenant: Tenant, db: DB, within: Within, narrowed: Narrowed, export: Exporter) -> Any:
    """Marks per ``by`` (group, teacher, student, venue) and ``every`` (week, month); ``trend`` is all
    of them per period. Narrow with ``group_id``, ``teacher_id``, ``venue_id``."""
    report: Any = await _report("attendance", db, tenant, within, narrowed)
    return await export.items(report.rows, AttendanceRow, "attendance") if export.wanted else report


@router.get("/revenue", responses=EXPORTABLE, response_model=RevenueReport)
async def get_revenue(tenant: Tenant, db: DB, within: Within, export: Exporter) -> Any:
    """Expected, collected and received per month (``rows``), per group and per payment method, and what
    is outstanding by age. Admins and staff only."""
    report: Any = await _report("revenue", db, tenant, within, AttendanceQuery())
    return await export.items(report.rows, RevenueMonthRow, "revenue") if export.wanted else report


@router.get("/teachers", responses=EXPORTABLE, response_model=TeacherLoadReport)
async def get_teacher_load(tenant: Tenant, db: DB, within: Within, export: Exporter) -> Any:
    """Per teacher: classes and hours taught, substitutions, fill rate, pay and pay per hour."""
    report: Any = await _report("teachers", db, tenant, within, AttendanceQuery())
    return await export.items(report.rows, TeacherLoadRow, "teachers") if export.wanted else report


@router.get("/groups", responses=EXPORTABLE, response_model=GroupHealthReport)
async def get_group_health(tenant: Tenant, db: DB, within: Within, export: Exporter) -> Any:
    """Per group: enrolled against capacity, joiners, leavers, churn and attendance (``months``: the same
    per month)."""
    report: Any = await _report("groups", db, tenant, within, AttendanceQuery())
    return await export.items(report.rows, GroupHealthRow, "groups") if export.wanted else report


@router.get("/enrolment", responses=EXPORTABLE, response_model=EnrolmentReport)
async def get_enrolment(tenant: Tenant, db: DB, within: Within, export: Exporter) -> Any:
    """Per month: active students at its end, new and lost."""
    report: Any = await _report("enrolment", db, tenant, within, AttendanceQuery())
    return await export.items(report.rows, EnrolmentMonthRow, "enrolment") if export.wanted else report


@router.get("/{name}/chart", response_model=dict[str, Any])
async def get_chart(
    name: ReportName,
    tenant: Tenant,
    db: DB,
    within: Within,
    narrowed: Narrowed,
    language: Literal["en", "es"] = "en",
) -> dict[str, Any]:
    """The report's chart as a Vega-Lite spec with its data inline (what the pages draw)."""
    return charts.chart_spec(await _report(name, db, tenant, within, narrowed), language=language)


@router.get("/{name}/chart.png", response_class=Response, responses={200: {"content": {"image/png": {}}}})
async def get_chart_png(
    name: ReportName,
    tenant: Tenant,
    db: DB,
    within: Within,
    narrowed: Narrowed,
    language: Literal["en", "es"] = "en",
) -> Response:
    """The same chart as a PNG image, drawn on the server without a browser."""
    png = charts.chart_png(await _report(name, db, tenant, within, narrowed), language=language)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, no-store"})


@lru_cache(maxsize=1)
def vega_bundle() -> bytes:
    """Vega, Vega-Lite and vega-embed as one script, from the installed vl-convert (no network)."""
    import vl_convert

    # Inside a function: the bundle's own top-level names (``t``, ``w``, …) would otherwise become globals
    # of the page and replace the pages' functions of the same name (app.js's ``t`` is its translator).
    return ("(() => {\n" + vl_convert.javascript_bundle(GLOBALS) + "\n})();\n").encode()


def bundle_version() -> str:
    return metadata.version("vl-convert-python")


@assets.get("/charts/vega-{version}.js")
async def chart_scripts(version: str) -> Response:
    """Versioned by vl-convert's release, so a browser may keep it for a year: a new release is a new
    address (the pages name the version; a test checks they name the installed one)."""
    if version != bundle_version():
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such chart script version.")
    return Response(
        vega_bundle(),
        media_type="text/javascript",
        headers={"Cache-Control": f"public, max-age={YEAR}, immutable"},
    )
