"""Reporting tools: attendance, dropout risk, revenue, teacher load and group health, said in the
answer's language (tools/answers/<language>.yaml; English word for word as it always was)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from pydantic import Field

from domain.insights import anomalies
from domain.insights import service as insights
from domain.insights.rules import Reason
from domain.insights.schemas import TeacherLoadRow
from domain.payments.models import PaymentMethod
from domain.students import service as students
from domain.teachers import service as teachers
from domain.venues import service as venues
from tools import resolve
from tools.base import EVERYONE, OFFICE, ReadTool, ToolContext, ToolOutput
from tools.periods import Period
from tools.speech import Speech


def _reasons(speech: Speech, key: str, codes: list[Reason]) -> list[str]:
    """The domain's reasons (a code and its numbers) as sentences: ``insights.<key>.<code>``."""
    said = []
    for code in codes:
        values: dict[str, int] = dict(code.values)
        # A count decides plural forms; "days" is the count of a sentence that has no other.
        count = values.pop("count", values.get("days"))
        said.append(speech.say(f"insights.{key}.{code.code}", count=count, **values))
    return said


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
    narrowed = await resolve.narrowed(
        ctx, group_said=args.group, teacher_said=args.teacher, venue_said=args.venue
    )
    report = await insights.attendance_summary(
        ctx.session,
        ctx.tenant,
        start=start,
        end=end,
        student_id=student_id,
        group_id=narrowed.group_id,
        teacher_id=narrowed.teacher_id,
        venue_id=narrowed.venue_id,
    )
    speech = ctx.speech
    say, period = speech.say, speech.period(start, end)
    # Whose marks, said here rather than the domain's English ``scope`` (which the JSON keeps).
    student_name = (
        (await students.get_student(ctx.session, ctx.tenant, student_id)).full_name if student_id else None
    )
    scope = resolve.whose(speech, narrowed, student_name) or say("insights.whose.everyone")
    if not report.marks:
        return ToolOutput(
            say("insights.attendance.none", scope=scope, period=period), report.model_dump(mode="json")
        )
    head = (
        say(
            "insights.attendance.head",
            scope=scope,
            period=period,
            rate=speech.percent(report.rate),
            attended=report.attended,
            marks=report.marks,
            absent=report.absent,
        )
        + (say("insights.attendance.excused", excused=report.excused) if report.excused else "")
        + say("insights.attendance.tail", sessions=report.sessions)
    )
    rows = [
        say(
            "insights.attendance.row",
            name=r.name,
            rate=speech.percent(r.rate),
            attended=r.attended,
            marks=r.marks,
        )
        for r in report.rows[:10]
    ]
    title = say("insights.attendance.by_group" if student_id else "insights.attendance.lowest_first")
    more = (
        "\n" + say("insights.attendance.more", count=len(report.rows) - 10) if len(report.rows) > 10 else ""
    )
    body = f"\n{title}\n" + "\n".join(rows) + more if len(report.rows) > 1 else ""
    return ToolOutput(head + body, report.model_dump(mode="json"))


class RiskArgs(Period):
    limit: int = Field(default=10, ge=1, le=50, description="How many students to list at most.")
    group: str | None = Field(default=None, description="Only the current members of this group.")
    teacher: str | None = Field(default=None, description="Only the students of this teacher's groups.")
    venue: str | None = Field(
        default=None, description="Only the students of the groups meeting at this venue."
    )


async def _risk(ctx: ToolContext, args: RiskArgs) -> ToolOutput:
    group = await resolve.group(ctx, args.group) if args.group else None
    teacher_id = await resolve.teacher(ctx, args.teacher) if args.teacher else None
    venue_id = await resolve.venue(ctx, args.venue) if args.venue else None
    report = await insights.dropout_risk(
        ctx.session,
        ctx.tenant,
        today=args.end or ctx.today,
        limit=args.limit,
        group_id=group.id if group else None,
        teacher_id=teacher_id,
        venue_id=venue_id,
    )
    # Whose students: "in Jazz Beginners", "in Martina Delgado's groups" (the answer says it).
    say = ctx.speech.say
    who = say("insights.risk.in_group", group=group.name) if group else ""
    if teacher_id is not None:
        teacher = await teachers.get_teacher(ctx.session, ctx.tenant, teacher_id)
        who += say(f"insights.risk.{'of' if group else 'in'}_teacher", teacher=teacher.full_name)
    if venue_id is not None:
        who += say(
            "insights.risk.at_venue", venue=(await venues.get_venue(ctx.session, ctx.tenant, venue_id)).name
        )
    if not report.at_risk:
        return ToolOutput(
            say("insights.risk.nobody", who=who, checked=report.students_checked),
            report.model_dump(mode="json"),
        )
    joined = say("insights.risk.reasons_joined")
    rows = [
        say(
            "insights.risk.row",
            name=s.full_name,
            score=Decimal(str(s.score)),  # "6.5", "6,5": a number in the answer's language
            reasons=joined.join(_reasons(ctx.speech, "risk.reason", s.reason_codes)),
        )
        for s in report.at_risk
    ]
    return ToolOutput(
        say("insights.risk.some", count=len(report.at_risk), who=who, checked=report.students_checked)
        + "\n"
        + "\n".join(rows),
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
    say, currency, period = ctx.speech.say, r.currency, ctx.speech.period(start, end)
    whose = ""  # whose tuition, when narrowed: the answer says it
    if group is not None:
        whose = say("insights.revenue.of_group", group=group.name)
    elif venue_id is not None:
        venue = await venues.get_venue(ctx.session, ctx.tenant, venue_id)
        whose = say("insights.revenue.of_venue", venue=venue.name)
    figures: dict[str, Any] = {
        "expected": r.expected,
        "collected": r.collected,
        "outstanding": r.outstanding,
        "received": r.received,
        "currency": currency,
    }
    if r.method:  # collected counts one method only, so it is not what is left to collect
        by = say(f"insights.revenue.by.{r.method.value}")
        head = say("insights.revenue.head_method", whose=whose, by=by, period=period, **figures)
    else:
        head = say(
            "insights.revenue.head_whose" if whose else "insights.revenue.head",
            whose=whose,
            period=period,
            **figures,
        )
    lines = [head]
    if len(r.months) > 1:
        lines += [
            say(
                "insights.revenue.month",
                month=m.month,
                expected=m.expected,
                collected=m.collected,
                received=m.received,
                currency=currency,
            )
            for m in r.months
        ]
    return ToolOutput("\n".join(lines), r.model_dump(mode="json"))


class LoadArgs(Period):
    teacher: str | None = Field(default=None, description="Only this teacher's classes and hours.")
    venue: str | None = Field(default=None, description="Only the classes held at this venue.")


async def _load(ctx: ToolContext, args: LoadArgs) -> ToolOutput:
    start, end = args.resolve(ctx.today)
    narrowed = await resolve.narrowed(ctx, teacher_said=args.teacher, venue_said=args.venue)
    teacher_id = narrowed.teacher_id
    load = await insights.teacher_load(
        ctx.session, ctx.tenant, start=start, end=end, teacher_id=teacher_id, venue_id=narrowed.venue_id
    )
    say, period = ctx.speech.say, ctx.speech.period(start, end)
    # At a venue the sentences name it ("Teaching load at Studio Centro, …"); otherwise they are unchanged.
    at: dict[str, Any] = {"venue": narrowed.venue.name} if narrowed.venue else {}
    key_at = "_at" if narrowed.venue else ""

    def figures(t: TeacherLoadRow) -> str:
        return say(
            "insights.load.figures",
            held=t.held,
            scheduled=t.scheduled,
            cancelled=t.cancelled,
            hours=t.hours,
            groups=t.groups,
        ) + (say("insights.load.substitute", count=t.substitutions) if t.substitutions else "")

    if narrowed.teacher is not None:
        name = narrowed.teacher.full_name
        if not load.teachers:
            return ToolOutput(
                say(f"insights.load.teacher_none{key_at}", teacher=name, period=period, **at),
                load.model_dump(mode="json"),
            )
        return ToolOutput(
            say(
                f"insights.load.teacher{key_at}",
                teacher=name,
                period=period,
                figures=figures(load.teachers[0]),
                **at,
            ),
            load.model_dump(mode="json"),
        )
    if not load.teachers:
        return ToolOutput(
            say(f"insights.load.none{key_at}", period=period, **at), load.model_dump(mode="json")
        )
    rows = [say("insights.load.row", teacher=t.teacher_name, figures=figures(t)) for t in load.teachers]
    return ToolOutput(
        say(f"insights.load.head{key_at}", period=period, **at) + "\n" + "\n".join(rows),
        load.model_dump(mode="json"),
    )


class HealthArgs(Period):
    group: str | None = Field(default=None, description="One group's name; every group if omitted.")
    venue: str | None = Field(default=None, description="Only the groups that meet at this venue.")
    teacher: str | None = Field(default=None, description="Only the groups this teacher teaches.")


async def _health(ctx: ToolContext, args: HealthArgs) -> ToolOutput:
    end = args.end or ctx.today
    start = args.start or end - dt.timedelta(days=27)  # the last four weeks by default
    group_id = (await resolve.group(ctx, args.group)).id if args.group else None
    venue_id = await resolve.venue(ctx, args.venue) if args.venue else None
    teacher_id = await resolve.teacher(ctx, args.teacher) if args.teacher else None
    health = await insights.group_health(
        ctx.session,
        ctx.tenant,
        start=start,
        end=end,
        group_id=group_id,
        venue_id=venue_id,
        teacher_id=teacher_id,
    )
    speech = ctx.speech
    say = speech.say
    at = (
        say(
            "insights.health.at_venue", venue=(await venues.get_venue(ctx.session, ctx.tenant, venue_id)).name
        )
        if venue_id
        else ""
    )
    if teacher_id is not None:  # whose groups the answer is about
        teacher = await teachers.get_teacher(ctx.session, ctx.tenant, teacher_id)
        at += say("insights.health.of_teacher", teacher=teacher.full_name)
    if not health.groups:
        return ToolOutput(say("insights.health.none", at=at), health.model_dump(mode="json"))
    rows = []
    joined = say("insights.health.flags_joined")
    for g in sorted(health.groups, key=lambda g: (not g.flags, g.group_name)):
        size = (
            say("insights.health.size_of", students=g.students, capacity=g.capacity)
            if g.capacity
            else speech.number(g.students)
        )
        flags = _reasons(speech, "health.flag", g.flag_codes)
        rows.append(
            say(
                "insights.health.row",
                group=g.group_name,
                size=size,
                rate=speech.percent(g.rate),
                flags=say("insights.health.flags", flags=joined.join(flags)) if flags else "",
            )
        )
    flagged = sum(1 for g in health.groups if g.flags)
    return ToolOutput(
        say(
            "insights.health.head",
            at=at,
            period=speech.period(start, end),
            flagged=flagged,
            count=len(health.groups),
        )
        + "\n"
        + "\n".join(rows),
        health.model_dump(mode="json"),
    )


class LateArgs(Period):
    limit: int = Field(default=10, ge=1, le=50, description="How many students to list at most.")
    group: str | None = Field(default=None, description="Only the current members of this group.")
    teacher: str | None = Field(default=None, description="Only the students of this teacher's groups.")
    venue: str | None = Field(
        default=None, description="Only the students of the groups meeting at this venue."
    )


async def _late(ctx: ToolContext, args: LateArgs) -> ToolOutput:
    narrowed = await resolve.narrowed(
        ctx, group_said=args.group, teacher_said=args.teacher, venue_said=args.venue
    )
    # The prediction models bring NumPy: imported when a prediction is asked for, not by every turn and
    # every one-shot `cadence ask` that loads the tool catalogue.
    from domain.insights import predictions

    report = await predictions.late_payment_risk(
        ctx.session,
        ctx.tenant,
        today=args.end or ctx.today,
        limit=args.limit,
        group_id=narrowed.group.id if narrowed.group else None,
        teacher_id=narrowed.teacher.id if narrowed.teacher else None,
        venue_id=narrowed.venue.id if narrowed.venue else None,
    )
    say = ctx.speech.say
    if not report.late:
        text = say("insights.late.nobody", checked=report.students_checked)
    else:
        joined = say("insights.late.reasons_joined")
        rows = [
            say(
                "insights.late.row",
                name=p.full_name,
                chance=ctx.speech.percent(Decimal(str(p.probability))),
                reasons=joined.join(_reasons(ctx.speech, "late.reason", p.reason_codes)),
            )
            for p in report.late
        ]
        text = "\n".join(
            [say("insights.late.some", count=len(report.late), checked=report.students_checked), *rows]
        )
    if not report.fitted:
        text += "\n" + say("insights.late.fallback")
    whose = resolve.whose(ctx.speech, narrowed)
    if whose:  # whose students the answer is about, said first
        text = say("insights.late.of_group", group=whose[:1].upper() + whose[1:]) + text
    return ToolOutput(text, report.model_dump(mode="json"))


class ForecastArgs(Period):
    months: int = Field(default=3, ge=1, le=6, description="How many months ahead.")


async def _forecast(ctx: ToolContext, args: ForecastArgs) -> ToolOutput:
    from domain.insights import predictions  # NumPy, when asked for (see _late)

    report = await predictions.revenue_forecast(
        ctx.session, ctx.tenant, today=args.end or ctx.today, months=args.months
    )
    say = ctx.speech.say
    how = say("insights.forecast.how_model" if report.churn_from_model else "insights.forecast.how_rate")
    if report.error is None:
        head = say("insights.forecast.head_no_error", count=len(report.months), how=how)
    else:
        error = ctx.speech.percent(Decimal(str(report.error)).quantize(Decimal("0.01")))
        head = say("insights.forecast.head", count=len(report.months), how=how, error=error)
    rows = [
        say("insights.forecast.month", month=m.month, expected=m.expected, currency=report.currency)
        for m in report.months
    ]
    return ToolOutput("\n".join([head, *rows]), report.model_dump(mode="json"))


class AnomalyArgs(Period):
    group: str | None = Field(default=None, description="Only this group's classes.")
    teacher: str | None = Field(default=None, description="Only the classes of this teacher's groups.")
    venue: str | None = Field(default=None, description="Only the classes held at this venue.")


async def _anomalies(ctx: ToolContext, args: AnomalyArgs) -> ToolOutput:
    start, end = args.resolve(ctx.today)
    narrowed = await resolve.narrowed(
        ctx, group_said=args.group, teacher_said=args.teacher, venue_said=args.venue
    )
    report = await anomalies.attendance_anomalies(
        ctx.session,
        ctx.tenant,
        start=start,
        end=end,
        group_id=narrowed.group.id if narrowed.group else None,
        teacher_id=narrowed.teacher.id if narrowed.teacher else None,
        venue_id=narrowed.venue.id if narrowed.venue else None,
    )
    say, period = ctx.speech.say, ctx.speech.period(start, end)
    whose = resolve.whose(ctx.speech, narrowed)
    said_whose = say("insights.anomalies.whose", whose=whose[:1].upper() + whose[1:]) if whose else ""
    if not report.classes:
        none = said_whose + say("insights.anomalies.none", period=period)
        return ToolOutput(none, report.model_dump(mode="json"))
    rows = [
        say("insights.anomalies.row", group=c.group_name, day=c.date, came=c.came, usual=c.usual)
        for c in report.classes
    ]
    head = said_whose + say("insights.anomalies.head", period=period)
    return ToolOutput("\n".join([head, *rows]), report.model_dump(mode="json"))


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
LATE_PAYERS = ReadTool(
    "late_payment_risk",
    "Students likely to pay next month's tuition late, most likely first, with the reasons for each.",
    LateArgs,
    OFFICE,
    _late,
)
REVENUE_FORECAST = ReadTool(
    "revenue_forecast",
    "Tuition expected in each of the next months (3 unless said), with the forecast's past error.",
    ForecastArgs,
    OFFICE,
    _forecast,
)
ATTENDANCE_ANOMALIES = ReadTool(
    "attendance_anomalies",
    "Classes much emptier than their usual (half or fewer came) over a period; a teacher's own groups.",
    AnomalyArgs,
    EVERYONE,
    _anomalies,
)
