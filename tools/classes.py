"""Tools about classes: rosters, missing attendance, and marking attendance (a guarded write)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import BaseModel, Field

from domain.attendance import service as attendance
from domain.attendance.models import AttendanceStatus
from domain.groups import service as groups
from domain.sessions import service as sessions
from domain.sessions.models import SessionStatus
from tools import resolve
from tools.base import EVERYONE, NeedsClarification, Plan, ReadTool, ToolContext, ToolOutput, WriteTool


class RosterArgs(BaseModel):
    group: str = Field(description="The group's name, as people say it.")
    on: dt.date | None = Field(default=None, description="Date of the roster; today if omitted.")


async def _roster(ctx: ToolContext, args: RosterArgs) -> ToolOutput:
    group = await resolve.group(ctx, args.group)
    day = args.on or ctx.today
    entries = await groups.roster(ctx.session, ctx.tenant, group.id, on=day)
    names = [e.full_name for e in entries]
    listing = "\n".join(f"- {n}" for n in names) if names else "(nobody)"
    return ToolOutput(
        f"{group.name} on {day.isoformat()}: {len(names)} students\n{listing}",
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


async def _missing(ctx: ToolContext, args: MissingArgs) -> ToolOutput:
    since = args.since or ctx.today - dt.timedelta(days=attendance.MISSING_LOOKBACK_DAYS)
    report = await attendance.missing_attendance(ctx.session, ctx.tenant, today=ctx.today, since=since)
    if not report.sessions:
        return ToolOutput(f"No sessions since {since.isoformat()} are missing attendance.", {"sessions": []})
    lines = [
        f"{t.teacher_name}: {t.sessions} sessions, {t.missing_marks} marks missing" for t in report.by_teacher
    ]
    detail = [
        f"- {s.date.isoformat()} {s.group_name}: {s.marked}/{s.expected} marked" for s in report.sessions[:20]
    ]
    more = len(report.sessions) - len(detail)
    return ToolOutput(
        f"{len(report.sessions)} sessions since {since.isoformat()} are missing attendance.\n"
        + "\n".join(lines)
        + "\n"
        + "\n".join(detail)
        + (f"\n… and {more} more" if more > 0 else ""),
        report.model_dump(mode="json"),
    )


class MarkArgs(BaseModel):
    group: str = Field(description="The group's name.")
    date: dt.date | None = Field(default=None, description="The class date; today if omitted.")
    absent: list[str] = Field(default_factory=list, description="Names of students who were absent.")


async def _plan_marking(ctx: ToolContext, args: MarkArgs) -> Plan:
    group = await resolve.group(ctx, args.group)
    day = args.date or ctx.today
    found = [
        s
        for s in await sessions.list_sessions(ctx.session, ctx.tenant, start=day, end=day, group_id=group.id)
        if s.status is not SessionStatus.CANCELLED
    ]
    if not found:
        raise NeedsClarification(f"{group.name} has no class on {day.isoformat()}. Which date do you mean?")
    if len(found) > 1:
        times = [s.start_time.isoformat(timespec="minutes") if s.start_time else "?" for s in found]
        raise NeedsClarification(
            f"{group.name} has {len(found)} classes on {day.isoformat()}; at {' or '.join(times)}?"
        )
    class_session = found[0]
    await sessions.require_session_teacher_or_office(
        ctx.session, ctx.tenant, class_session, "mark attendance"
    )
    roster = [
        (e.student_id, e.full_name) for e in await groups.roster(ctx.session, ctx.tenant, group.id, on=day)
    ]
    absent_ids = sorted(
        {resolve.among("student in this class", name, roster) for name in args.absent}, key=str
    )
    names = dict(roster)
    absentees = sorted(names[i] for i in absent_ids)
    present = len(roster) - len(absent_ids)
    preview = (
        f"Mark attendance for {group.name} on {day.isoformat()}: {present} present"
        + (f", absent: {', '.join(absentees)}" if absentees else ", nobody absent")
        + "."
    )
    return Plan({"session_id": str(class_session.id), "absent_ids": [str(i) for i in absent_ids]}, preview)


async def _apply_marking(ctx: ToolContext, planned: dict[str, Any]) -> ToolOutput:
    result = await attendance.mark_all_except(
        ctx.session,
        ctx.tenant,
        uuid.UUID(planned["session_id"]),
        except_student_ids=[uuid.UUID(i) for i in planned["absent_ids"]],
        today=ctx.today,
        now=ctx.now,
        status=AttendanceStatus.PRESENT,
        except_status=AttendanceStatus.ABSENT,
    )
    return ToolOutput(
        f"Done: {result.created} marks recorded, {result.corrected} corrected, "
        f"{result.unchanged} already right.",
        result.model_dump(mode="json"),
    )


ROSTER = ReadTool("group_roster", "Who is in a group on a date.", RosterArgs, EVERYONE, _roster)
MISSING = ReadTool(
    "missing_attendance",
    "Past classes whose attendance is not fully marked, per teacher.",
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
