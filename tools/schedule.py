"""Schedule writes for the office: close dates, change a group's weekly slot from a date, and put a
substitute on one class. Each previews exactly what would change before anything does."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import BaseModel, Field

from domain.groups import service as groups
from domain.scheduling import group_changes
from domain.scheduling import service as scheduling
from domain.scheduling.schemas import ClosureIn, GroupChange, SlotChange
from domain.teachers import service as teachers
from domain.venues import service as venues
from tools import resolve
from tools.base import OFFICE, NeedsClarification, Plan, ToolContext, ToolOutput, WriteTool
from tools.classes import scheduled_class


class ClosureArgs(BaseModel):
    start: dt.date = Field(description="First closed day.")
    end: dt.date | None = Field(default=None, description="Last closed day; the start day if omitted.")
    venue: str | None = Field(default=None, description="Only this venue; the whole school if omitted.")
    reason: str = Field(min_length=1, max_length=200, description="Why (shown to teachers).")


async def _plan_closure(ctx: ToolContext, args: ClosureArgs) -> Plan:
    end = args.end or args.start
    if end < args.start:
        raise NeedsClarification(ctx.speech.say("schedule.closure.ends_before_start"))
    venue_id = await resolve.venue(ctx, args.venue) if args.venue else None
    affected = len(
        await scheduling.closed_by(ctx.session, start=args.start, end=end, venue_id=venue_id, today=ctx.today)
    )
    say = ctx.speech.say
    where = (
        (await venues.get_venue(ctx.session, ctx.tenant, venue_id)).name
        if venue_id
        else say("schedule.closure.whole_school")
    )
    days = (
        say("schedule.closure.on_day", day=args.start)
        if end == args.start
        else say("schedule.closure.from_to", start=args.start, end=end)
    )
    return Plan(
        {
            "start": args.start.isoformat(),
            "end": end.isoformat(),
            "venue_id": str(venue_id) if venue_id else None,
            "reason": args.reason.strip(),
        },
        say("schedule.closure.preview", count=affected, where=where, days=days, reason=args.reason.strip()),
    )


async def _apply_closure(ctx: ToolContext, planned: dict[str, Any]) -> ToolOutput:
    venue = planned["venue_id"]
    closure, cancelled = await scheduling.add_closure(
        ctx.session,
        ctx.tenant,
        data=ClosureIn(
            start_date=planned["start"],
            end_date=planned["end"],
            venue_id=uuid.UUID(venue) if venue else None,
            reason=planned["reason"],
        ),
        today=ctx.today,
    )
    return ToolOutput(
        ctx.speech.say(
            "schedule.closure.done", count=cancelled, start=closure.start_date, end=closure.end_date
        ),
        {"closure_id": str(closure.id), "cancelled": cancelled},
    )


class SubstituteArgs(BaseModel):
    group: str = Field(description="The group's name.")
    date: dt.date = Field(description="The date of the class.")
    teacher: str = Field(description="Who teaches it instead.")


async def _plan_substitute(ctx: ToolContext, args: SubstituteArgs) -> Plan:
    group, found = await scheduled_class(ctx, args.group, args.date, to="cover")
    teacher_id = await resolve.teacher(ctx, args.teacher)
    if teacher_id == found.teacher_id:
        raise NeedsClarification(ctx.speech.say("schedule.substitute.same_teacher"))
    new = await teachers.get_teacher(ctx.session, ctx.tenant, teacher_id)
    old = await teachers.get_teacher(ctx.session, ctx.tenant, found.teacher_id)
    return Plan(
        {"session_id": str(found.id), "teacher_id": str(teacher_id)},
        ctx.speech.say(
            "schedule.substitute.preview",
            new=new.full_name,
            group=group.name,
            day=args.date,
            old=old.full_name,
        ),
    )


async def _apply_substitute(ctx: ToolContext, planned: dict[str, Any]) -> ToolOutput:
    row = await scheduling.assign_substitute(
        ctx.session, ctx.tenant, uuid.UUID(planned["session_id"]), teacher_id=uuid.UUID(planned["teacher_id"])
    )
    return ToolOutput(ctx.speech.say("schedule.substitute.done", day=row.date), {"session_id": str(row.id)})


class ChangeArgs(BaseModel):
    group: str = Field(description="The group's name.")
    effective_from: dt.date = Field(description="First date the change applies to (today or later).")
    start_time: dt.time | None = Field(default=None, description="New start time, HH:MM.")
    end_time: dt.time | None = Field(default=None, description="New end time; keeps the length if omitted.")
    venue: str | None = Field(default=None, description="New venue.")
    teacher: str | None = Field(default=None, description="New regular teacher.")


def _plus(start: dt.time, length: dt.timedelta) -> dt.time:
    return (dt.datetime.combine(dt.date.min, start) + length).time()


async def _plan_change(ctx: ToolContext, args: ChangeArgs) -> Plan:
    say = ctx.speech.say
    if not (args.start_time or args.end_time or args.venue or args.teacher):
        raise NeedsClarification(say("schedule.change.what"))
    group = await resolve.group(ctx, args.group, on=args.effective_from)
    if not (args.start_time or args.end_time):
        # A new venue or teacher for a group that meets on several days is meant for all its classes.
        scope = await group_changes.group_change_scope(
            ctx.session, ctx.tenant, group_id=group.id, start=args.effective_from, today=ctx.today
        )
        if len(scope.slots) > 1:
            return await _plan_group_change(ctx, args, scope)
    slots = await scheduling.list_slots(ctx.session, ctx.tenant, group_id=group.id, on=args.effective_from)
    if not slots:
        raise NeedsClarification(say("schedule.change.no_slots", group=group.name, day=args.effective_from))
    # A group that meets on several days: the date said picks the day ("from next Wednesday").
    same_day = [s for s in slots if s.weekday == args.effective_from.weekday()]
    if len(slots) > 1 and len(same_day) != 1:
        days = ctx.speech.join([ctx.speech.weekdays(s.weekday) for s in slots], last="and")
        raise NeedsClarification(say("schedule.change.which_day", group=group.name, days=days))
    slot = same_day[0] if len(slots) > 1 else slots[0]
    change: dict[str, Any] = {"effective_from": args.effective_from.isoformat()}
    said = []
    if args.start_time or args.end_time:
        length = dt.datetime.combine(dt.date.min, slot.end_time) - dt.datetime.combine(
            dt.date.min, slot.start_time
        )
        start = args.start_time or slot.start_time
        end = args.end_time or _plus(start, length)
        change |= {"start_time": start.isoformat("minutes"), "end_time": end.isoformat("minutes")}
        said.append(say("schedule.change.at_time", start=f"{start:%H:%M}", end=f"{end:%H:%M}"))
    venue_and_teacher, said_too = await _venue_and_teacher(ctx, args)
    change |= venue_and_teacher
    said += said_too
    follow = len(await scheduling.following(ctx.session, slot, args.effective_from))
    return Plan(
        {"slot_id": str(slot.id), "change": change},
        say(
            "schedule.change.preview",
            count=follow,
            day=args.effective_from,
            group=group.name,
            weekday=slot.weekday,
            changes=ctx.speech.join(said, last="and"),
        ),
    )


async def _venue_and_teacher(ctx: ToolContext, args: ChangeArgs) -> tuple[dict[str, Any], list[str]]:
    """The new venue and teacher as ids for the change, and as the preview says them."""
    say = ctx.speech.say
    change: dict[str, Any] = {}
    said = []
    if args.venue:
        venue_id = await resolve.venue(ctx, args.venue)
        change["venue_id"] = str(venue_id)
        venue = await venues.get_venue(ctx.session, ctx.tenant, venue_id)
        said.append(say("schedule.change.at_venue", venue=venue.name))
    if args.teacher:
        teacher_id = await resolve.teacher(ctx, args.teacher)
        change["teacher_id"] = str(teacher_id)
        teacher = await teachers.get_teacher(ctx.session, ctx.tenant, teacher_id)
        said.append(say("schedule.change.taught_by", teacher=teacher.full_name))
    return change, said


def _days(ctx: ToolContext, weekdays: list[int]) -> str:
    return ctx.speech.join([ctx.speech.weekdays(day) for day in weekdays], last="and")


def _changes_nothing(scope: group_changes.GroupChangeScope, change: dict[str, Any]) -> bool:
    """Every weekly class already has the venue and teacher said (a slot without its own takes the
    group's)."""
    group = scope.group
    for slot in scope.slots:
        now = {
            "venue_id": str(slot.venue_id or group.venue_id),
            "teacher_id": str(slot.teacher_id or group.teacher_id),
        }
        if any(now[key] != value for key, value in change.items()):
            return False
    return True


async def _plan_group_change(
    ctx: ToolContext, args: ChangeArgs, scope: group_changes.GroupChangeScope
) -> Plan:
    change, said = await _venue_and_teacher(ctx, args)
    if _changes_nothing(scope, change):  # confirming would split every slot for nothing: ask instead
        raise NeedsClarification(
            ctx.speech.say(
                "schedule.change_all.already",
                group=scope.group.name,
                days=_days(ctx, scope.weekdays),
                changes=ctx.speech.join(said, last="and"),
            )
        )
    return Plan(
        {
            "group_id": str(scope.group.id),
            # The weekly classes previewed: if they change before Confirm, nothing is applied.
            "slot_ids": [str(slot.id) for slot in scope.slots],
            "change": {"effective_from": args.effective_from.isoformat()} | change,
        },
        ctx.speech.say(
            "schedule.change_all.preview",
            count=scope.following,
            day=args.effective_from,
            group=scope.group.name,
            days=_days(ctx, scope.weekdays),
            changes=ctx.speech.join(said, last="and"),
        ),
    )


async def _apply_change(ctx: ToolContext, planned: dict[str, Any]) -> ToolOutput:
    if "group_id" in planned:
        changed = await group_changes.change_group_slots(
            ctx.session,
            ctx.tenant,
            group_id=uuid.UUID(planned["group_id"]),
            data=GroupChange(**planned["change"]),
            today=ctx.today,
            expected_slot_ids=[uuid.UUID(slot_id) for slot_id in planned["slot_ids"]],
        )
        group = await groups.get_group(ctx.session, ctx.tenant, uuid.UUID(planned["group_id"]))
        start = dt.date.fromisoformat(planned["change"]["effective_from"])
        return ToolOutput(
            ctx.speech.say(
                "schedule.change_all.done",
                count=changed.following,
                day=start,
                group=group.name,
                days=_days(ctx, sorted({slot.weekday for slot in changed.slots})),
            ),
            {"slot_ids": [str(slot.id) for slot in changed.slots], "following": changed.following},
        )
    slot = await scheduling.change_slot(
        ctx.session,
        ctx.tenant,
        uuid.UUID(planned["slot_id"]),
        data=SlotChange(**planned["change"]),
        today=ctx.today,
    )
    return ToolOutput(ctx.speech.say("schedule.change.done", day=slot.valid_from), {"slot_id": str(slot.id)})


CLOSE_DATES = WriteTool(
    "close_dates",
    "Close the school or one venue on a day or a range of days; scheduled classes then are cancelled.",
    ClosureArgs,
    OFFICE,
    _plan_closure,
    _apply_closure,
)
SUBSTITUTE = WriteTool(
    "assign_substitute",
    "Another teacher covers one class on one date; the weekly schedule stays.",
    SubstituteArgs,
    OFFICE,
    _plan_substitute,
    _apply_substitute,
)
CHANGE_SCHEDULE = WriteTool(
    "change_schedule",
    "Change a group's weekly time, venue or teacher from a date on; earlier classes stay as they were.",
    ChangeArgs,
    OFFICE,
    _plan_change,
    _apply_change,
)
