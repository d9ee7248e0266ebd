"""Tools about students: an overview, notes (semantic search and adding), enrolling and moving (or, when
the group is full, joining its waitlist)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import BaseModel, Field

from domain.groups import memberships, waitlist
from domain.groups import service as groups
from domain.groups.capacity import occupancy
from domain.insights import service as insights
from domain.insights.rules import percent
from domain.notes import service as notes
from domain.students import service as students
from tools import resolve
from tools.base import EVERYONE, OFFICE, Plan, ReadTool, ToolContext, ToolOutput, WriteTool


class StudentArgs(BaseModel):
    student: str = Field(description="The student's name.")


async def _overview(ctx: ToolContext, args: StudentArgs) -> ToolOutput:
    student_id = await resolve.student(ctx, args.student)
    o = await insights.student_overview(ctx.session, ctx.tenant, student_id, today=ctx.today)
    say = ctx.speech.say
    rate = percent(o.attendance_rate) if o.attendance_rate is not None else say("students.overview.no_marks")
    lines = [
        (
            say("students.overview.in_groups", name=o.full_name, groups=", ".join(o.groups))
            if o.groups
            else say("students.overview.in_no_group", name=o.full_name)
        )
        + (say("students.overview.since", day=o.since) if o.since else "")
        + ".",
        say("students.overview.attendance", rate=rate)
        + (say("students.overview.last_came", day=o.last_attended) if o.last_attended else "."),
    ]
    if o.outstanding is not None:
        lines.append(
            say("students.overview.owes", owed=o.outstanding, currency=o.currency)
            if o.outstanding > 0
            else say("students.overview.owes_nothing")
        )
    if o.receipts:
        lines.append(say("students.overview.receipts") + "\n" + "\n".join(f"- “{r}”" for r in o.receipts))
    if o.notes:  # quoted: data, not instructions
        lines.append(say("students.overview.notes") + "\n" + "\n".join(f"- “{n}”" for n in o.notes))
    return ToolOutput("\n".join(lines), o.model_dump(mode="json"))


class NotesQuery(BaseModel):
    query: str = Field(
        min_length=1, max_length=200, description="What to look for in the notes, in plain words."
    )
    limit: int = Field(default=5, ge=1, le=20)
    group: str | None = Field(default=None, description="Only notes about the students of this group.")


async def _search_notes(ctx: ToolContext, args: NotesQuery) -> ToolOutput:
    group = await resolve.group(ctx, args.group) if args.group else None
    found = await notes.search_notes(
        ctx.session,
        ctx.tenant,
        query=args.query,
        embedder=ctx.embedder,
        limit=args.limit,
        group_id=group.id if group else None,
    )
    say = ctx.speech.say
    if not found:
        return ToolOutput(
            say("students.notes.none_in_group", group=group.name) if group else say("students.notes.none"),
            {"notes": []},
        )
    rows = [
        say(
            "students.notes.row", student=n.student_name, day=dt.date.fromisoformat(n.created_on), body=n.body
        )
        for n in found
    ]
    return ToolOutput(
        (
            say("students.notes.closest_in_group", group=group.name, query=args.query)
            if group  # the answer says whose notes these are
            else say("students.notes.closest", query=args.query)
        )
        + "\n"
        + "\n".join(rows),
        {"notes": [n.model_dump(mode="json") for n in found]},
    )


class NoteArgs(BaseModel):
    student: str = Field(description="The student's name.")
    text: str = Field(min_length=1, max_length=notes.MAX_NOTE, description="The note, as said.")


async def _plan_note(ctx: ToolContext, args: NoteArgs) -> Plan:
    student_id = await resolve.student(ctx, args.student)
    student = await students.get_student(ctx.session, ctx.tenant, student_id)
    await groups.require_student_visible(ctx.session, ctx.tenant, student_id)
    text = " ".join(args.text.split())
    return Plan(
        {"student_id": str(student_id), "text": text},
        ctx.speech.say("students.notes.preview", student=student.full_name, text=text),
    )


async def _apply_note(ctx: ToolContext, planned: dict[str, Any]) -> ToolOutput:
    note = await notes.add_note(
        ctx.session,
        ctx.tenant,
        student_id=uuid.UUID(planned["student_id"]),
        body=planned["text"],
        embedder=ctx.embedder,
    )
    return ToolOutput(ctx.speech.say("students.notes.added"), {"note_id": str(note.id)})


class EnrollArgs(BaseModel):
    student: str = Field(description="The student's name.")
    group: str = Field(description="The group to join.")
    from_group: str | None = Field(default=None, description="For a move: the group the student leaves.")
    start: dt.date | None = Field(default=None, description="From this date; today if omitted.")


async def _plan_enroll(ctx: ToolContext, args: EnrollArgs) -> Plan:
    student_id = await resolve.student(ctx, args.student)
    student = await students.get_student(ctx.session, ctx.tenant, student_id)
    target = await resolve.group(ctx, args.group)
    day = args.start or ctx.today
    planned: dict[str, Any] = {
        "student_id": str(student_id),
        "group_id": str(target.id),
        "on": day.isoformat(),
    }
    seats = await occupancy(ctx.session, target, from_day=day)
    if seats.full:  # the confirmed action joins the waitlist instead; the student stays where they are
        planned = {"student_id": str(student_id), "group_id": str(target.id), "waitlist": True}
        preview = ctx.speech.say(
            "students.enroll.full",
            student=student.full_name,
            target=target.name,
            taken=seats.taken,
            capacity=seats.capacity,
        )
        return Plan(planned, preview)
    if args.from_group:
        source = await resolve.group(ctx, args.from_group)
        planned["from_group_id"] = str(source.id)
        preview = ctx.speech.say(
            "students.enroll.move",
            student=student.full_name,
            source=source.name,
            target=target.name,
            day=day,
            ends=day - dt.timedelta(days=1),
        )
    else:
        preview = ctx.speech.say(
            "students.enroll.enroll", student=student.full_name, target=target.name, day=day
        )
    return Plan(planned, preview)


async def _apply_enroll(ctx: ToolContext, planned: dict[str, Any]) -> ToolOutput:
    student_id, group_id = uuid.UUID(planned["student_id"]), uuid.UUID(planned["group_id"])
    if planned.get("waitlist"):
        entry = await waitlist.add(ctx.session, ctx.tenant, group_id=group_id, student_id=student_id)
        return ToolOutput(ctx.speech.say("students.enroll.waitlisted"), {"waitlist_entry_id": str(entry.id)})
    day = dt.date.fromisoformat(planned["on"])
    if "from_group_id" in planned:
        _, joined = await memberships.move(
            ctx.session,
            ctx.tenant,
            student_id=student_id,
            from_group_id=uuid.UUID(planned["from_group_id"]),
            to_group_id=group_id,
            on_date=day,
        )
        return ToolOutput(ctx.speech.say("students.enroll.moved"), {"membership_id": str(joined.id)})
    joined = await memberships.enroll(
        ctx.session, ctx.tenant, student_id=student_id, group_id=group_id, start_date=day
    )
    return ToolOutput(ctx.speech.say("students.enroll.enrolled"), {"membership_id": str(joined.id)})


STUDENT_OVERVIEW = ReadTool(
    "student_overview",
    "One student's groups, attendance, balance and latest notes.",
    StudentArgs,
    EVERYONE,
    _overview,
)
SEARCH_NOTES = ReadTool(
    "search_notes",
    "Find notes about students by meaning (injuries, goals, parents…); of one group's students if said.",
    NotesQuery,
    EVERYONE,
    _search_notes,
)
ADD_NOTE = WriteTool(
    "add_note", "Add a note to a student's record.", NoteArgs, EVERYONE, _plan_note, _apply_note
)
ENROLL = WriteTool(
    "enroll_student",
    "Enroll a student in a group, or move them from one group to another.",
    EnrollArgs,
    OFFICE,
    _plan_enroll,
    _apply_enroll,
)
