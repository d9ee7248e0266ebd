"""The copilot's report tool says each report in English and Spanish from the report's own numbers (and
refuses a teacher the school's money, the admin being the control); every report draws as a PNG offline."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from domain.db import use_tenant
from domain.errors import Forbidden
from domain.reports import charts
from domain.reports.attendance import attendance_report
from domain.reports.enrolment import enrolment_report
from domain.reports.groups import group_health_report
from domain.reports.revenue import revenue_report
from domain.reports.teaching import teacher_load_report
from domain.tenancy import TenantContext
from tests.domain.reports.world import TODAY, build_school
from tools.base import ToolContext
from tools.catalog import CATALOG
from tools.reports import REPORT, ReportArgs

START, END = date(2026, 9, 1), date(2026, 9, 30)


def _ctx(session: AsyncSession, tenant: TenantContext, language: str = "en") -> ToolContext:
    return ToolContext(session=session, tenant=tenant, today=TODAY, now=datetime.now(UTC), language=language)


async def test_the_report_tool_says_each_report_in_english_and_spanish(session: AsyncSession) -> None:
    school = await build_school(session)
    await use_tenant(session, school.admin)
    assert CATALOG["report"] is REPORT
    attendance = await attendance_report(session, school.admin, start=START, end=END)
    marks, came = sum(r.marks for r in attendance.rows), sum(r.attended for r in attendance.rows)
    said = await REPORT.run(
        _ctx(session, school.admin), ReportArgs(report="attendance", start=START, end=END)
    )
    assert said.text.startswith("Attendance September 2026: ") and f"({came} of {marks} marks)" in said.text
    assert {row["name"] for row in said.data["rows"]} == {"Salsa Beginners", "Bachata Improvers"}
    dicho = await REPORT.run(
        _ctx(session, school.admin, "es"), ReportArgs(report="attendance", start=START, end=END)
    )
    assert (
        dicho.text.startswith("Asistencia en septiembre de 2026: ")
        and f"({came} de {marks} marcas)" in dicho.text
    )

    revenue = await revenue_report(session, school.admin, start=START, end=END, today=TODAY)
    said = await REPORT.run(_ctx(session, school.admin), ReportArgs(report="revenue", start=START, end=END))
    assert f"expected {revenue.expected} EUR, collected {revenue.collected} EUR" in said.text
    dicho = await REPORT.run(
        _ctx(session, school.admin, "es"), ReportArgs(report="revenue", start=START, end=END)
    )
    assert "Ingresos en septiembre de 2026: previsto " in dicho.text and "€" in dicho.text

    for name, heading in (
        ("teachers", "Clases impartidas"),
        ("groups", "Grupos"),
        ("enrolment", "Alumnos activos"),
    ):
        dicho = await REPORT.run(
            _ctx(session, school.admin, "es"), ReportArgs(report=name, start=START, end=END)
        )
        assert dicho.text.startswith(heading), name
        said = await REPORT.run(_ctx(session, school.admin), ReportArgs(report=name, start=START, end=END))
        assert said.data["rows"], name
    enrolment = await enrolment_report(session, school.admin, start=START, end=END)
    assert f"{enrolment.rows[0].active} active" in said.text

    # A teacher: her own line of the load; the school's money is refused (the admin above is the control).
    mine = await REPORT.run(
        _ctx(session, school.teacher), ReportArgs(report="teachers", start=START, end=END)
    )
    assert [r["teacher_name"] for r in mine.data["rows"]] == ["Lucía Romero"]
    with pytest.raises(Forbidden):
        await REPORT.run(_ctx(session, school.teacher), ReportArgs(report="revenue", start=START, end=END))


async def test_every_report_draws_as_a_png_offline(session: AsyncSession) -> None:
    school = await build_school(session)
    await use_tenant(session, school.admin)
    start, end = date(2026, 9, 1), date(2026, 11, 30)
    reports = [
        await attendance_report(session, school.admin, start=start, end=end, every="week"),
        await revenue_report(session, school.admin, start=start, end=end, today=TODAY),
        await teacher_load_report(session, school.admin, start=start, end=end),
        await group_health_report(session, school.admin, start=start, end=end),
        await enrolment_report(session, school.admin, start=start, end=end),
    ]
    for report in reports:
        spec = charts.chart_spec(report)
        assert spec["data"]["values"], type(report).__name__  # drawn from the report's rows
        png = charts.chart_png(report, language="es")
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000, type(report).__name__
    with pytest.raises(TypeError):
        charts.chart_spec(school.org)  # type: ignore[arg-type]
