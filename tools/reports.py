"""The reports tool: any of the five reports over a period, said in a few lines in the answer's language
(English or Spanish, money and dates as each writes them), with the report's rows as data — the same
numbers the REST API, the pages and the charts show. The services decide who sees what (revenue is the
office's; a teacher gets their own classes, groups and pay)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from domain.reports.attendance import attendance_report
from domain.reports.enrolment import enrolment_report
from domain.reports.groups import group_health_report
from domain.reports.periods import rate
from domain.reports.revenue import revenue_report
from domain.reports.schemas import (
    AttendanceBy,
    AttendanceReport,
    EnrolmentReport,
    Every,
    GroupHealthReport,
    RevenueReport,
    TeacherLoadReport,
)
from domain.reports.teaching import teacher_load_report
from tools.base import EVERYONE, ReadTool, ToolContext, ToolOutput
from tools.periods import Period
from tools.speech import Speech

LISTED = 10
PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "attendance": "Attendance {period}: {rate} ({attended} of {marks} marks).",
        "attendance.change": " From the first {every} to the last: {change} points.",
        "attendance.none": "No attendance marked {period}.",
        "attendance.row": "- {name}: {rate} ({attended} of {marks})",
        "revenue": "Revenue {period}: expected {expected}, collected {collected}, received {received}.",
        "revenue.age": "Outstanding on {day}: {young} up to 30 days, {middle} 31–60 days,"
        " {old} over 60 days.",
        "revenue.method": "- {method}: received {received}",
        "teachers": "Teaching {period}:",
        "teachers.row": "- {name}: {classes} classes, {hours} h, {subs} as substitute, fill {fill}{pay}",
        "teachers.pay": ", {pay} ({per_hour}/h)",
        "groups": "Groups {period}:",
        "groups.row": "- {name}: {enrolled} enrolled{capacity}, {joined} joined, {left} left,"
        " attendance {rate}",
        "groups.capacity": " of {capacity}",
        "enrolment": "Active students {period}:",
        "enrolment.row": "- {month}: {active} active ({new} new, {lost} lost)",
        "none": "Nothing {period}.",
        "more": "…and {count} more.",
        "bank_transfer": "bank transfer",
        "cash": "cash",
        "other": "other",
        "week": "week",
        "month": "month",
    },
    "es": {
        "attendance": "Asistencia {period}: {rate} ({attended} de {marks} marcas).",
        "attendance.change": " De la primera {every} a la última: {change} puntos.",
        "attendance.none": "No hay asistencia marcada {period}.",
        "attendance.row": "- {name}: {rate} ({attended} de {marks})",
        "revenue": "Ingresos {period}: previsto {expected}, cobrado {collected}, recibido {received}.",
        "revenue.age": "Pendiente a {day}: {young} hasta 30 días, {middle} de 31 a 60 días,"
        " {old} más de 60 días.",
        "revenue.method": "- {method}: recibido {received}",
        "teachers": "Clases impartidas {period}:",
        "teachers.row": "- {name}: {classes} clases, {hours} h, {subs} como sustituto, ocupación {fill}{pay}",
        "teachers.pay": ", {pay} ({per_hour}/h)",
        "groups": "Grupos {period}:",
        "groups.row": "- {name}: {enrolled} inscritos{capacity}, {joined} altas, {left} bajas,"
        " asistencia {rate}",
        "groups.capacity": " de {capacity}",
        "enrolment": "Alumnos activos {period}:",
        "enrolment.row": "- {month}: {active} activos ({new} nuevos, {lost} perdidos)",
        "none": "Nada {period}.",
        "more": "…y {count} más.",
        "bank_transfer": "transferencia",
        "cash": "efectivo",
        "other": "otro",
        "week": "semana",
        "month": "mes",
    },
}


def _say(speech: Speech, key: str, **values: Any) -> str:
    language = speech.language.split("-")[0].split("_")[0].lower()
    return PHRASES.get(language, PHRASES["en"])[key].format(**values)


def _more(speech: Speech, lines: list[str]) -> list[str]:
    extra = len(lines) - LISTED
    return lines[:LISTED] + ([_say(speech, "more", count=extra)] if extra > 0 else [])


def _attendance(speech: Speech, period: str, report: AttendanceReport) -> str:
    marks, came = sum(r.marks for r in report.rows), sum(r.attended for r in report.rows)
    if not marks:
        return _say(speech, "attendance.none", period=period)
    head = _say(
        speech,
        "attendance",
        period=period,
        rate=speech.percent(rate(came, marks)),
        attended=came,
        marks=marks,
    )
    if report.change is not None:
        change = f"{int((report.change * 100).to_integral_value()):+d}"
        head += _say(speech, "attendance.change", every=_say(speech, report.every), change=change)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in report.rows:
        totals[row.name][0] += row.marks
        totals[row.name][1] += row.attended
    ranked = sorted(totals.items(), key=lambda item: (rate(item[1][1], item[1][0]) or Decimal(0), item[0]))
    lines = [
        _say(speech, "attendance.row", name=name, rate=speech.percent(rate(c, m)), attended=c, marks=m)
        for name, (m, c) in ranked
    ]
    return "\n".join([head, *_more(speech, lines)])


def _revenue(speech: Speech, period: str, report: RevenueReport) -> str:

    def cash(amount: Decimal) -> str:
        return speech.money(amount, report.currency)

    ages = {row.age: row.amount for row in report.outstanding_by_age}
    lines = [
        _say(
            speech,
            "revenue",
            period=period,
            expected=cash(report.expected),
            collected=cash(report.collected),
            received=cash(report.received),
        ),
        _say(
            speech,
            "revenue.age",
            day=speech.day(report.as_of),
            young=cash(ages["0-30"]),
            middle=cash(ages["31-60"]),
            old=cash(ages["60+"]),
        ),
    ]
    lines += [
        _say(speech, "revenue.method", method=_say(speech, m.method.value), received=cash(m.received))
        for m in report.by_method
        if m.received
    ]
    return "\n".join(lines)


def _teachers(speech: Speech, period: str, report: TeacherLoadReport) -> str:
    if not report.rows:
        return _say(speech, "none", period=period)
    lines = []
    for r in report.rows:
        pay = (
            _say(
                speech,
                "teachers.pay",
                pay=speech.money(r.pay, report.currency),
                per_hour=speech.money(r.pay_per_hour, report.currency),
            )
            if r.pay is not None and r.pay_per_hour is not None
            else ""
        )
        lines.append(
            _say(
                speech,
                "teachers.row",
                name=r.teacher_name,
                classes=r.classes,
                hours=speech.number(r.hours),
                subs=r.substitutions,
                fill=speech.percent(r.fill_rate),
                pay=pay,
            )
        )
    return "\n".join([_say(speech, "teachers", period=period), *_more(speech, lines)])


def _groups(speech: Speech, period: str, report: GroupHealthReport) -> str:
    if not report.rows:
        return _say(speech, "none", period=period)
    lines = [
        _say(
            speech,
            "groups.row",
            name=r.group_name,
            enrolled=r.enrolled,
            capacity=_say(speech, "groups.capacity", capacity=r.capacity) if r.capacity else "",
            joined=r.joined,
            left=r.left,
            rate=speech.percent(r.rate),
        )
        for r in sorted(report.rows, key=lambda r: (-(r.churn or Decimal(0)), r.group_name))
    ]
    return "\n".join([_say(speech, "groups", period=period), *_more(speech, lines)])


def _enrolment(speech: Speech, period: str, report: EnrolmentReport) -> str:
    lines = [
        _say(speech, "enrolment.row", month=speech.month(r.month), active=r.active, new=r.new, lost=r.lost)
        for r in report.rows
    ]
    return "\n".join([_say(speech, "enrolment", period=period), *lines])


class ReportArgs(Period):
    report: Literal["attendance", "revenue", "teachers", "groups", "enrolment"] = Field(
        description="attendance; revenue (expected/collected/received, by method, outstanding by age); "
        "teachers (load, fill rate, pay per hour); groups (enrolled vs capacity, joiners, leavers, churn); "
        "enrolment (active, new and lost students per month)."
    )
    by: AttendanceBy = Field(default="group", description="Attendance per group, teacher, student or venue.")
    every: Every = Field(default="month", description="Attendance per week or per month.")


async def _run(ctx: ToolContext, args: ReportArgs) -> ToolOutput:
    start, end = args.resolve(ctx.today)
    speech, session, tenant = ctx.speech, ctx.session, ctx.tenant
    period = speech.period(start, end)
    report: Any
    if args.report == "attendance":
        report = await attendance_report(session, tenant, start=start, end=end, by=args.by, every=args.every)
        text = _attendance(speech, period, report)
    elif args.report == "revenue":
        report = await revenue_report(session, tenant, start=start, end=end, today=ctx.today)
        text = _revenue(speech, period, report)
    elif args.report == "teachers":
        report = await teacher_load_report(session, tenant, start=start, end=end)
        text = _teachers(speech, period, report)
    elif args.report == "groups":
        report = await group_health_report(session, tenant, start=start, end=end)
        text = _groups(speech, period, report)
    else:
        report = await enrolment_report(session, tenant, start=start, end=end)
        text = _enrolment(speech, period, report)
    return ToolOutput(text, {"report": args.report, **report.model_dump(mode="json")})


REPORT = ReadTool(
    "report",
    "A report over a period, as rows with a chart: attendance per group/teacher/student/venue by week or "
    "month with the trend; revenue per month, group and payment method with outstanding by age; teacher "
    "load (hours, substitutions, fill rate, pay per hour); group health (enrolled vs capacity, joiners, "
    "leavers, churn); enrolment (active, new and lost students per month).",
    ReportArgs,
    EVERYONE,
    _run,
)
