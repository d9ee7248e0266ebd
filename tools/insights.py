"""Reporting tools: attendance, dropout risk, revenue, teacher load and group health."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import Field

from domain.insights import service as insights
from domain.insights.rules import percent
from domain.payments.models import PaymentMethod
from domain.teachers import service as teachers
from domain.venues import service as venues
from tools import resolve
from tools.base import EVERYONE, OFFICE, ReadTool, ToolContext, ToolOutput
from tools.periods import Period, said


def _pct(rate: Decimal | None) -> str:
    return percent(rate) if rate is not None else "no marks"


class AttendanceArgs(Period):
    student: str | None = Field(default=None, description="One student's name.")
    group: str | None = Field(
        default=None, description="One group's name (with a student: that student's marks in this group)."
    )
    teacher: str | None = Field(default=None, description="One teacher's name.")
    venue: str | None = Field(default=None, description="Only the classes held at this venue.")


async def _attendance(ctx: ToolContext, args: AttendanceArgs) -> ToolOutput:
    start, end = args.resolve(ctx.today)
    student_id = await resolve.student(ctx, args.student) if args.student else None
    group_id = (await resolve.group(ctx, args.group)).id if args.group else None
    teacher_id = await resolve.teacher(ctx, args.teacher) if args.teacher else None
    venue_id = await resolve.venue(ctx, args.venue) if args.venue else None
    report = await insights.attendance_summary(
        ctx.session,
        ctx.tenant,
        start=start,
        end=end,
        student_id=student_id,
        group_id=group_id,
        teacher_id=teacher_id,
        venue_id=venue_id,
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
    group: str | None = Field(default=None, description="Only the current members of this group.")
    teacher: str | None = Field(default=None, description="Only the students of this teacher's groups.")


async def _risk(ctx: ToolContext, args: RiskArgs) -> ToolOutput:
    group = await resolve.group(ctx, args.group) if args.group else None
    teacher_id = await resolve.teacher(ctx, args.teacher) if args.teacher else None
    report = await insights.dropout_risk(
        ctx.session,
        ctx.tenant,
        today=args.end or ctx.today,
        limit=args.limit,
        group_id=group.id if group else None,
        teacher_id=teacher_id,
    )
    # Whose students: "in Jazz Beginners", "in Martina Delgado's groups" (the answer says it).
    where = [f"in {group.name}"] if group else []
    if teacher_id is not None:
        teacher = await teachers.get_teacher(ctx.session, ctx.tenant, teacher_id)
        where.append(f"{'of' if group else 'in'} {teacher.full_name}'s groups")
    who = "".join(f" {w}" for w in where)
    if not report.at_risk:
        return ToolOutput(
            f"Nobody{who} looks at risk of dropping out ({report.students_checked} active students checked).",
            report.model_dump(mode="json"),
        )
    rows = [f"- {s.full_name} (score {s.score}): {'; '.join(s.reasons)}" for s in report.at_risk]
    return ToolOutput(
        f"{len(report.at_risk)} students{who} may be about to drop out "
        f"(of {report.students_checked} active):\n" + "\n".join(rows),
        report.model_dump(mode="json"),
    )


class RevenueArgs(Period):
    group: str | None = Field(default=None, description="Only this group's tuition.")
    venue: str | None = Field(
        default=None, description="Only the tuition of the groups that meet at this venue."
    )
    method: PaymentMethod | None = Field(
        default=None, description="Only money paid this way (bank_transfer, cash; card and others are other)."
    )


async def _revenue(ctx: ToolContext, args: RevenueArgs) -> ToolOutput:
    start, end = args.resolve(ctx.today)
    group = await resolve.group(ctx, args.group) if args.group else None
    venue_id = await resolve.venue(ctx, args.venue) if args.venue else None
    r = await insights.revenue_summary(
        ctx.session,
        ctx.tenant,
        start=start,
        end=end,
        group_id=group.id if group else None,
        venue_id=venue_id,
        method=args.method,
    )
    whose = ""  # whose tuition, when narrowed: the answer says it
    if group is not None:
        whose = f" from the tuition of {group.name}"
    elif venue_id is not None:
        venue = await venues.get_venue(ctx.session, ctx.tenant, venue_id)
        whose = f" from the tuition of the groups at {venue.name}"
    how = f" paid {_by(r.method)}" if r.method else ""
    if r.method:  # collected counts one method only, so it is not what is left to collect
        head = (
            f"Revenue{whose}{how}, {said(start, end)}: collected {r.collected} {r.currency} of {r.expected}"
            f" expected (by any method, {r.outstanding} outstanding); {r.received} {r.currency}"
            f" received {_by(r.method)} in the period."
        )
    else:
        head = (
            f"Revenue{whose + ',' if whose else ''} {said(start, end)}: expected {r.expected} {r.currency}, "
            f"collected {r.collected}, outstanding {r.outstanding}; "
            f"{r.received} {r.currency} received in the period."
        )
    lines = [head]
    if len(r.months) > 1:
        lines += [
            f"- {m.month:%B %Y}: expected {m.expected}, collected {m.collected}, received {m.received}"
            for m in r.months
        ]
    return ToolOutput("\n".join(lines), r.model_dump(mode="json"))


class LoadArgs(Period):
    teacher: str | None = Field(default=None, description="Only this teacher's classes and hours.")


async def _load(ctx: ToolContext, args: LoadArgs) -> ToolOutput:
    start, end = args.resolve(ctx.today)
    teacher_id = await resolve.teacher(ctx, args.teacher) if args.teacher else None
    load = await insights.teacher_load(ctx.session, ctx.tenant, start=start, end=end, teacher_id=teacher_id)
    if teacher_id is not None:
        name = (await teachers.get_teacher(ctx.session, ctx.tenant, teacher_id)).full_name
        if not load.teachers:
            return ToolOutput(f"{name} has no classes {said(start, end)}.", load.model_dump(mode="json"))
        t = load.teachers[0]
        return ToolOutput(
            f"Teaching load of {name}, {said(start, end)}: {t.held} held, {t.scheduled} scheduled, "
            f"{t.cancelled} cancelled, {t.hours} h, {t.groups} groups"
            + (f", {t.substitutions} as substitute" if t.substitutions else "")
            + ".",
            load.model_dump(mode="json"),
        )
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
    venue: str | None = Field(default=None, description="Only the groups that meet at this venue.")


async def _health(ctx: ToolContext, args: HealthArgs) -> ToolOutput:
    end = args.end or ctx.today
    start = args.start or end - dt.timedelta(days=27)  # the last four weeks by default
    group_id = (await resolve.group(ctx, args.group)).id if args.group else None
    venue_id = await resolve.venue(ctx, args.venue) if args.venue else None
    health = await insights.group_health(
        ctx.session, ctx.tenant, start=start, end=end, group_id=group_id, venue_id=venue_id
    )
    at = f" at {(await venues.get_venue(ctx.session, ctx.tenant, venue_id)).name}" if venue_id else ""
    if not health.groups:
        return ToolOutput(f"No open groups{at} to report on.", health.model_dump(mode="json"))
    rows = []
    for g in sorted(health.groups, key=lambda g: (not g.flags, g.group_name)):
        size = f"{g.students}/{g.capacity}" if g.capacity else str(g.students)
        flags = f" — {', '.join(g.flags)}" if g.flags else ""
        rows.append(f"- {g.group_name}: {size} students, attendance {_pct(g.rate)}{flags}")
    flagged = sum(1 for g in health.groups if g.flags)
    return ToolOutput(
        f"Group health{at}, {said(start, end)} ({flagged} of {len(health.groups)} need attention):\n"
        + "\n".join(rows),
        health.model_dump(mode="json"),
    )


def _by(method: PaymentMethod) -> str:
    return {PaymentMethod.BANK_TRANSFER: "by bank transfer", PaymentMethod.CASH: "in cash"}.get(
        method, "by other means"
    )


ATTENDANCE = ReadTool(
    "attendance_summary",
    "Attendance rate for a student, group, teacher, venue or everyone over a period; they combine.",
    AttendanceArgs,
    EVERYONE,
    _attendance,
)
DROPOUT_RISK = ReadTool(
    "dropout_risk",
    "Students who may be about to drop out, with the reasons for each; of one group or teacher if said.",
    RiskArgs,
    EVERYONE,
    _risk,
)
REVENUE = ReadTool(
    "revenue_summary",
    "Tuition expected vs collected and money received over a period. By group (or venue: its groups):"
    " the tuition of the students in that group that month and the payments allocated to it (a student"
    " in two groups counts in both). By method: collected and received count only money paid that way.",
    RevenueArgs,
    OFFICE,
    _revenue,
)
TEACHER_LOAD = ReadTool(
    "teacher_load", "Classes and hours per teacher (or one teacher) over a period.", LoadArgs, EVERYONE, _load
)
GROUP_HEALTH = ReadTool(
    "group_health",
    "Each group's size, attendance trend, joins and leaves, with warnings; one group or venue if said.",
    HealthArgs,
    EVERYONE,
    _health,
)
