"""Tools about classes: rosters, missing attendance, and marking attendance (a guarded write)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import BaseModel, Field

from domain.attendance import service as attendance
from domain.attendance.schemas import Mark, MarkChange
from domain.groups import service as groups
from domain.groups.models import Group
from domain.sessions import service as sessions
from domain.sessions.models import ClassSession, SessionStatus
from domain.teachers import service as teachers
from tools import resolve
from tools.base import EVERYONE, NeedsClarification, Plan, ReadTool, ToolContext, ToolOutput, WriteTool


class RosterArgs(BaseModel):
    group: str = Field(description="The group's name, as people say it.")
    on: dt.date | None = Field(default=None, description="Date of the roster; today if omitted.")


async def _roster(ctx: ToolContext, args: RosterArgs) -> ToolOutput:
    day = args.on or ctx.today
    group = await resolve.group(ctx, args.group, on=day)
    entries = await groups.roster(ctx.session, ctx.tenant, group.id, on=day)
    names = [e.full_name for e in entries]
    say = ctx.speech.say
    listing = "\n".join(f"- {n}" for n in names) if names else say("classes.roster.nobody")
    return ToolOutput(
        say("classes.roster.head", count=len(names), group=group.name, day=day) + f"\n{listing}",
        {
            "group_id": str(group.id),
            "date": day.isoformat(),
            "students": [{"id": str(e.student_id), "name": e.full_name} for e in entries],
        },
    )


class MissingArgs(BaseModel):
    since: dt.date | None = Field(
        default=None, description="Only sessions from this date; the last 90 days if omitted."
    )
    group: str | None = Field(default=None, description="Only this group's classes.")
    teacher: str | None = Field(default=None, description="Only the classes this teacher taught.")
    venue: str | None = Field(default=None, description="Only the classes held at this venue.")


async def _missing(ctx: ToolContext, args: MissingArgs) -> ToolOutput:
    since = args.since or ctx.today - dt.timedelta(days=attendance.MISSING_LOOKBACK_DAYS)
    narrowed = await resolve.narrowed(
        ctx, group_said=args.group, teacher_said=args.teacher, venue_said=args.venue
    )
    report = await attendance.missing_attendance(
        ctx.session,
        ctx.tenant,
        today=ctx.today,
        since=since,
        teacher_id=narrowed.teacher_id,
        group_id=narrowed.group_id,
        venue_id=narrowed.venue_id,
    )
    say = ctx.speech.say
    whose = resolve.whose(ctx.speech, narrowed)  # the answer says whose classes these are
    if not report.sessions:
        return ToolOutput(
            say("classes.missing.none_for", day=since, whose=whose)
            if whose
            else say("classes.missing.none", day=since),
            {"sessions": []},
        )
    lines = [
        say("classes.missing.teacher", count=t.sessions, teacher=t.teacher_name, marks=t.missing_marks)
        for t in report.by_teacher
    ]
    detail = [
        say("classes.missing.row", day=s.date, group=s.group_name, marked=s.marked, expected=s.expected)
        for s in report.sessions[:20]
    ]
    more = len(report.sessions) - len(detail)
    count = len(report.sessions)
    return ToolOutput(
        (
            say("classes.missing.some_for", count=count, whose=whose, day=since)
            if whose
            else say("classes.missing.some", count=count, day=since)
        )
        + "\n"
        + "\n".join(lines)
        + "\n"
        + "\n".join(detail)
        + ("\n" + say("classes.missing.more", count=more) if more > 0 else ""),
        report.model_dump(mode="json"),
    )


class MarkArgs(BaseModel):
    group: str = Field(description="The group's name.")
    date: dt.date | None = Field(default=None, description="The class date; today if omitted.")
    absent: list[str] = Field(default_factory=list, description="Names of students who were absent.")


async def _plan_marking(ctx: ToolContext, args: MarkArgs) -> Plan:
    day = args.date or ctx.today
    group = await resolve.group(ctx, args.group, on=day)
    found = [
        s
        for s in await sessions.list_sessions(ctx.session, ctx.tenant, start=day, end=day, group_id=group.id)
        if s.status is not SessionStatus.CANCELLED
    ]
    if not found:
        raise NeedsClarification(ctx.speech.say("classes.mark.no_class", group=group.name, day=day))
    if len(found) > 1:
        times = [s.start_time.isoformat(timespec="minutes") if s.start_time else "?" for s in found]
        raise NeedsClarification(
            ctx.speech.say(
                "classes.mark.several_classes",
                count=len(found),
                group=group.name,
                day=day,
                times=ctx.speech.join(times),
            )
        )
    class_session = found[0]
    await sessions.require_session_teacher_or_office(
        ctx.session, ctx.tenant, class_session, "mark attendance"
    )
    roster = [
        (e.student_id, e.full_name) for e in await groups.roster(ctx.session, ctx.tenant, group.id, on=day)
    ]
    absent_ids = sorted(
        {i for name in args.absent for i in resolve.all_among(ctx, "student in this class", name, roster)},
        key=str,
    )
    plan = await attendance.preview_all_except(
        ctx.session, ctx.tenant, class_session.id, except_student_ids=absent_ids, today=ctx.today
    )
    names = dict(roster)
    absentees = sorted(names[i] for i in absent_ids)
    present = len(roster) - len(absent_ids)
    say = ctx.speech.say
    preview = (
        say("classes.mark.preview", group=group.name, day=day, present=present, absent=", ".join(absentees))
        if absentees
        else say("classes.mark.preview_nobody_absent", group=group.name, day=day, present=present)
    )
    if plan.corrections or plan.unchanged:  # marks already recorded: say which of them this changes
        corrections = plan.corrections
        changing = (
            say("classes.mark.would_change", count=len(corrections)) + "\n" + _listed(ctx, corrections)
            if corrections
            else say("classes.mark.none_would_change")
        )
        counts = say(
            "classes.mark.would_record", count=plan.new, corrected=len(corrections), unchanged=plan.unchanged
        )
        preview += f"\n{changing}\n{counts}"
    return Plan(
        {
            "session_id": str(class_session.id),
            "absent_ids": [str(i) for i in absent_ids],
            # Each mark with what it was at the preview: Confirm refuses if any changed since.
            "marks": [m.model_dump(mode="json") for m in plan.marks],
        },
        preview,
    )


def _listed(ctx: ToolContext, changes: list[MarkChange]) -> str:
    """'- Carmen Blanco: absent → present', one line each (the preview and the result use the same)."""
    say = ctx.speech.say
    return "\n".join(
        say(
            "classes.mark.change",
            name=c.full_name,
            before=say(f"classes.status.{c.before.value}") if c.before else say("classes.mark.not_marked"),
            after=say(f"classes.status.{c.after.value}"),
        )
        for c in changes
    )


async def _apply_marking(ctx: ToolContext, planned: dict[str, Any]) -> ToolOutput:
    session_id = uuid.UUID(planned["session_id"])
    if "marks" in planned:
        result = await attendance.mark_attendance(
            ctx.session,
            ctx.tenant,
            session_id,
            marks=[Mark.model_validate(m) for m in planned["marks"]],
            today=ctx.today,
            now=ctx.now,
        )
    else:  # proposed before previews carried their marks
        result = await attendance.mark_all_except(
            ctx.session,
            ctx.tenant,
            session_id,
            except_student_ids=[uuid.UUID(i) for i in planned["absent_ids"]],
            today=ctx.today,
            now=ctx.now,
        )
    corrections = [c for c in result.changes if c.before is not None]
    say = ctx.speech.say
    done = say(
        "classes.mark.done", count=result.created, corrected=result.corrected, unchanged=result.unchanged
    )
    return ToolOutput(
        done + (f"\n{say('classes.mark.corrected')}\n{_listed(ctx, corrections)}" if corrections else ""),
        result.model_dump(mode="json"),
    )


ROSTER = ReadTool("group_roster", "Who is in a group on a date.", RosterArgs, EVERYONE, _roster)
MISSING = ReadTool(
    "missing_attendance",
    "Past classes whose attendance is not fully marked, per teacher; of one group, teacher or venue if said.",
    MissingArgs,
    EVERYONE,
    _missing,
)
MARK = WriteTool(
    "mark_attendance",
    "Mark a class's attendance: everyone present except the absentees named.",
    MarkArgs,
    EVERYONE,
    _plan_marking,
    _apply_marking,
)


class ScheduleArgs(BaseModel):
    date: dt.date | None = Field(default=None, description="A day; today if omitted.")
    week: bool = Field(default=False, description="The whole week (Monday to Sunday) of that day.")
    teacher: str | None = Field(default=None, description="Only this teacher's classes.")
    venue: str | None = Field(default=None, description="Only classes at this venue.")
    group: str | None = Field(default=None, description="Only this group's classes.")
    next: bool = Field(
        default=False,
        description="Only the next class still to start from now (of the teacher, venue or group said; "
        "a teacher's own), instead of a day's or a week's.",
    )


async def _schedule(ctx: ToolContext, args: ScheduleArgs) -> ToolOutput:
    day = args.date or ctx.today
    if args.next:
        return await _next_class(ctx, args)
    start, end = (
        (day - dt.timedelta(days=day.weekday()), day + dt.timedelta(days=6 - day.weekday()))
        if args.week
        else (day, day)
    )
    narrowed = await resolve.narrowed(
        ctx, group_said=args.group, teacher_said=args.teacher, venue_said=args.venue, on=day
    )
    rows = await sessions.list_sessions(  # every narrowing said applies: the classes that match them all
        ctx.session,
        ctx.tenant,
        start=start,
        end=end,
        group_id=narrowed.group_id,
        teacher_id=narrowed.teacher_id,
        venue_id=narrowed.venue_id,
    )
    group_names = {g.id: g.name for g in await groups.list_groups(ctx.session, ctx.tenant)}
    teacher_names = {
        t.id: t.full_name
        for t in await teachers.list_teachers(ctx.session, ctx.tenant, include_archived=True)
    }
    say = ctx.speech.say
    when_said = (
        say("classes.schedule.on_day", day=day)
        if start == end
        else say("classes.schedule.from_to", start=start, end=end)
    )
    # Whose classes, before when: "3 classes of Jazz Beginners taught by Martina Delgado at Sala Sur from …"
    whose = (
        (say("classes.schedule.of_group", group=narrowed.group.name) if narrowed.group else "")
        + (say("classes.schedule.taught_by", teacher=narrowed.teacher.full_name) if narrowed.teacher else "")
        + (say("classes.schedule.at_venue", venue=narrowed.venue.name) if narrowed.venue else "")
    )
    if whose:
        when_said = say("classes.schedule.whose_when", whose=whose.strip(), when=when_said)
    if not rows:
        return ToolOutput(say("classes.schedule.none", when=when_said), {"sessions": []})
    lines = []
    a_class = say("classes.schedule.a_class")
    for s in rows:
        when = (
            say("classes.schedule.at_time", day=s.date, time=s.start_time.isoformat(timespec="minutes"))
            if s.start_time
            else ctx.speech.day(s.date)
        )
        lines.append(
            say(
                "classes.schedule.row",
                when=when,
                what=group_names.get(s.group_id, a_class) if s.group_id else a_class,
                teacher=teacher_names.get(s.teacher_id, "?"),
                note=say("classes.schedule.cancelled_note") if s.status is SessionStatus.CANCELLED else "",
            )
        )
    return ToolOutput(
        say("classes.schedule.some", count=len(rows), when=when_said) + "\n" + "\n".join(lines),
        {
            "sessions": [
                {
                    "id": str(s.id),
                    "date": s.date.isoformat(),
                    "group_id": str(s.group_id) if s.group_id else None,
                    "teacher_id": str(s.teacher_id),
                    "status": s.status.value,
                }
                for s in rows
            ]
        },
    )


async def _next_class(ctx: ToolContext, args: ScheduleArgs) -> ToolOutput:
    narrowed = await resolve.narrowed(
        ctx, group_said=args.group, teacher_said=args.teacher, venue_said=args.venue, on=ctx.today
    )
    found = await sessions.upcoming_sessions(
        ctx.session,
        ctx.tenant,
        after=ctx.school_now,
        group_id=narrowed.group_id,
        teacher_id=narrowed.teacher_id,
        venue_id=narrowed.venue_id,
    )
    say = ctx.speech.say
    if not found:
        return ToolOutput(say("classes.schedule.no_next"), {"sessions": []})
    upcoming = found[0]
    group = await groups.get_group(ctx.session, ctx.tenant, upcoming.group_id) if upcoming.group_id else None
    teacher = await teachers.get_teacher(ctx.session, ctx.tenant, upcoming.teacher_id)
    time_said = upcoming.start_time.isoformat(timespec="minutes") if upcoming.start_time else ""
    return ToolOutput(
        say(
            "classes.schedule.next",
            what=group.name if group else say("classes.schedule.a_class"),
            when=say("classes.schedule.at_time", day=upcoming.date, time=time_said)
            if time_said
            else ctx.speech.day(upcoming.date),
            teacher=teacher.full_name,
        ),
        {
            "sessions": [
                {
                    "id": str(upcoming.id),
                    "date": upcoming.date.isoformat(),
                    "start_time": time_said or None,
                    "group_id": str(upcoming.group_id) if upcoming.group_id else None,
                    "group": group.name if group else None,
                    "teacher_id": str(upcoming.teacher_id),
                    "status": upcoming.status.value,
                }
            ]
        },
    )


class CancelArgs(BaseModel):
    group: str = Field(description="The group's name.")
    date: dt.date = Field(description="The date of the class to cancel.")
    reason: str = Field(min_length=1, max_length=300, description="Why it is cancelled.")


async def scheduled_class(
    ctx: ToolContext, said: str, day: dt.date, *, to: str
) -> tuple[Group, ClassSession]:
    """The one class of the group said, still scheduled on ``day``; otherwise a question back."""
    group = await resolve.group(ctx, said, on=day)
    found = [
        s
        for s in await sessions.list_sessions(ctx.session, ctx.tenant, start=day, end=day, group_id=group.id)
        if s.status is SessionStatus.SCHEDULED
    ]
    if len(found) != 1:
        raise NeedsClarification(
            ctx.speech.say(f"classes.nothing_to.{to}", group=group.name, day=day)
            if not found
            else ctx.speech.say("classes.which_class", count=len(found), group=group.name, day=day)
        )
    return group, found[0]


async def _plan_cancel(ctx: ToolContext, args: CancelArgs) -> Plan:
    group, found = await scheduled_class(ctx, args.group, args.date, to="cancel")
    await sessions.require_session_teacher_or_office(ctx.session, ctx.tenant, found, "cancel a session")
    return Plan(
        {"session_id": str(found.id), "reason": args.reason.strip()},
        ctx.speech.say("classes.cancel.preview", group=group.name, day=args.date, reason=args.reason.strip()),
    )


async def _apply_cancel(ctx: ToolContext, planned: dict[str, Any]) -> ToolOutput:
    cancelled = await sessions.cancel_session(
        ctx.session, ctx.tenant, uuid.UUID(planned["session_id"]), reason=planned["reason"]
    )
    return ToolOutput(
        ctx.speech.say("classes.cancel.done", day=cancelled.date), {"session_id": str(cancelled.id)}
    )


SCHEDULE = ReadTool(
    "schedule",
    "Classes on a day or in a week, optionally for one teacher, venue or group (combined: all must match).",
    ScheduleArgs,
    EVERYONE,
    _schedule,
)
CANCEL = WriteTool(
    "cancel_session",
    "Cancel a scheduled class, with a reason (it stays on record).",
    CancelArgs,
    EVERYONE,
    _plan_cancel,
    _apply_cancel,
)
