"""Reporting tools: attendance, dropout risk, revenue, teacher load and group health."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import Field

from domain.insights import service as insights
from domain.insights.rules import percent
from tools import resolve
from tools.base import EVERYONE, OFFICE, ReadTool, ToolContext, ToolOutput
from tools.periods import Period, said


def _pct(rate: Decimal | None) -> str:
    return percent(rate) if rate is not None else "no marks"


class AttendanceArgs(Period):
    student: str | None = Field(default=None, description="One student's name.")
    group: str | None = Field(default=None, description="One group's name.")
    teacher: str | None = Field(default=None, description="One teacher's name.")


async def _attendance(ctx: ToolContext, args: AttendanceArgs) -> ToolOutput:
    start, end = args.resolve(ctx.today)
    student_id = await resolve.student(ctx, args.student) if args.student else None
    group_id = (await resolve.group(ctx, args.group)).id if args.group else None
    teacher_id = await resolve.teacher(ctx, args.teacher) if args.teacher else None
    report = await insights.attendance_summary(
        ctx.session,
        ctx.tenant,
        start=start,
        end=end,
        student_id=student_id,
        group_id=group_id,
        teacher_id=teacher_id,
    )
    if not report.marks:
        return ToolOutput(
            f"No attendance marked for {report.scope}, {said(start, end)}.", report.model_dump(mode="json")
        )
    head = (
        f"Attendance for {report.scope}, {said(start, end)}: {_pct(report.rate)} "
        f"({report.attended} of {report.marks} marks present or late, {report.absent} absent"
        + (f", {report.excused} excused" if report.excused else "")
        + f"; {report.sessions} classes)."
    )
    rows = [f"- {r.name}: {_pct(r.rate)} ({r.attended}/{r.marks})" for r in report.rows[:10]]
    title = "By group:" if student_id else "Lowest first:"
    more = f"\n… and {len(report.rows) - 10} more" if len(report.rows) > 10 else ""
    body = f"\n{title}\n" + "\n".join(rows) + more if len(report.rows) > 1 else ""
    return ToolOutput(head + body, report.model_dump(mode="json"))


class RiskArgs(Period):
    limit: int = Field(default=10, ge=1, le=50, description="How many students to list at most.")


async def _risk(ctx: ToolContext, args: RiskArgs) -> ToolOutput:
    report = await insights.dropout_risk(
        ctx.session, ctx.tenant, today=args.end or ctx.today, limit=args.limit
    )
    if not report.at_risk:
        return ToolOutput(
            f"Nobody looks at risk of dropping out ({report.students_checked} active students checked).",
            report.model_dump(mode="json"),
        )
    rows = [f"- {s.full_name} (score {s.score}): {'; '.join(s.reasons)}" for s in report.at_risk]
    return ToolOutput(
        f"{len(report.at_risk)} students may be about to drop out "
        f"(of {report.students_checked} active):\n" + "\n".join(rows),
        report.model_dump(mode="json"),
    )


class RevenueArgs(Period):
    pass


async def _revenue(ctx: ToolContext, args: RevenueArgs) -> ToolOutput:
    start, end = args.resolve(ctx.today)
    r = await insights.revenue_summary(ctx.session, ctx.tenant, start=start, end=end)
    lines = [
        f"Revenue {said(start, end)}: expected {r.expected} {r.currency}, collected {r.collected}, "
        f"outstanding {r.outstanding}; {r.received} {r.currency} received in the period."
    ]
    if len(r.months) > 1:
        lines += [
            f"- {m.month:%B %Y}: expected {m.expected}, collected {m.collected}, received {m.received}"
            for m in r.months
        ]
    return ToolOutput("\n".join(lines), r.model_dump(mode="json"))


class LoadArgs(Period):
    pass


async def _load(ctx: ToolContext, args: LoadArgs) -> ToolOutput:
    start, end = args.resolve(ctx.today)
    load = await insights.teacher_load(ctx.session, ctx.tenant, start=start, end=end)
    if not load.teachers:
        return ToolOutput(f"No classes {said(start, end)}.", load.model_dump(mode="json"))
    rows = [
        f"- {t.teacher_name}: {t.held} held, {t.scheduled} scheduled, {t.cancelled} cancelled, "
        f"{t.hours} h, {t.groups} groups" + (f", {t.substitutions} as substitute" if t.substitutions else "")
        for t in load.teachers
    ]
    return ToolOutput(f"Teaching load, {said(start, end)}:\n" + "\n".join(rows), load.model_dump(mode="json"))


class HealthArgs(Period):
    group: str | None = Field(default=None, description="One group's name; every group if omitted.")


async def _health(ctx: ToolContext, args: HealthArgs) -> ToolOutput:
    end = args.end or ctx.today
    start = args.start or end - dt.timedelta(days=27)  # the last four weeks by default
    group_id = (await resolve.group(ctx, args.group)).id if args.group else None
    health = await insights.group_health(ctx.session, ctx.tenant, start=start, end=end, group_id=group_id)
    if not health.groups:
        return ToolOutput("No open groups to report on.", health.model_dump(mode="json"))
    rows = []
    for g in sorted(health.groups, key=lambda g: (not g.flags, g.group_name)):
        size = f"{g.students}/{g.capacity}" if g.capacity else str(g.students)
        flags = f" — {', '.join(g.flags)}" if g.flags else ""
        rows.append(f"- {g.group_name}: {size} students, attendance {_pct(g.rate)}{flags}")
    flagged = sum(1 for g in health.groups if g.flags)
    return ToolOutput(
        f"Group health, {said(start, end)} ({flagged} of {len(health.groups)} need attention):\n"
        + "\n".join(rows),
        health.model_dump(mode="json"),
    )


ATTENDANCE = ReadTool(
    "attendance_summary",
    "Attendance rate for a student, group, teacher or everyone over a period.",
    AttendanceArgs,
    EVERYONE,
    _attendance,
)
DROPOUT_RISK = ReadTool(
    "dropout_risk",
    "Students who may be about to drop out, with the reasons for each.",
    RiskArgs,
    EVERYONE,
    _risk,
)
REVENUE = ReadTool(
    "revenue_summary",
    "Tuition expected vs collected and money received over a period.",
    RevenueArgs,
    OFFICE,
    _revenue,
)
TEACHER_LOAD = ReadTool(
    "teacher_load", "Classes and hours per teacher over a period.", LoadArgs, EVERYONE, _load
)
GROUP_HEALTH = ReadTool(
    "group_health",
    "Each group's size, attendance trend, joins and leaves, with warnings.",
    HealthArgs,
    EVERYONE,
    _health,
)
