"""A teacher's "my" questions that need no name: "who's in my next class?", "my next class". The
asking teacher is the tenant's user, never an argument, so a teacher only ever sees their own class
(a class they cover as a substitute included)."""

from __future__ import annotations

from pydantic import BaseModel

from domain.errors import Invalid
from domain.sessions.service import upcoming_sessions
from domain.teachers.service import teacher_for_user
from domain.telegram.roll import class_roll
from tools.base import EVERYONE, ReadTool, ToolContext, ToolOutput

LOOK_AHEAD_DAYS = 30
_SAID = {
    "en": {
        "none": "You have no class in the next {days} days.",
        "head": "Your next class: {what} on {day}{at}, {count} students:",
        "at": " at {time}",
        "one_off": "a class",
    },
    "es": {
        "none": "No tienes clases en los próximos {days} días.",
        "head": "Tu próxima clase: {what} el {day}{at}, {count} alumnos:",
        "at": " a las {time}",
        "one_off": "una clase",
    },
}


def _say(ctx: ToolContext, key: str, **values: object) -> str:
    return _SAID.get(ctx.language.split("-")[0], _SAID["en"])[key].format(**values)


class NoArgs(BaseModel):
    pass


async def _next_class(ctx: ToolContext, args: NoArgs) -> ToolOutput:
    own = await teacher_for_user(ctx.session, ctx.tenant, ctx.tenant.user_id) if ctx.tenant.user_id else None
    if own is None:
        raise Invalid("'My next class' is a teacher's question; say whose class or which group.")
    upcoming = await upcoming_sessions(  # the same "next class" as the schedule's (tools/classes.py)
        ctx.session, ctx.tenant, after=ctx.school_now, teacher_id=own.id, within_days=LOOK_AHEAD_DAYS
    )
    if not upcoming:
        return ToolOutput(_say(ctx, "none", days=LOOK_AHEAD_DAYS), {"session": None})
    roll = await class_roll(ctx.session, ctx.tenant, upcoming[0].id)
    day_class = roll.day_class
    at = _say(ctx, "at", time=day_class.start.strftime("%H:%M")) if day_class.start else ""
    head = _say(
        ctx,
        "head",
        what=day_class.name or _say(ctx, "one_off"),
        day=ctx.speech.day(day_class.day),
        at=at,
        count=len(roll.students),
    )
    listing = "\n".join(f"- {s.full_name}" for s in roll.students)
    return ToolOutput(
        f"{head}\n{listing}" if listing else head,
        {
            "session": {
                "id": str(day_class.session_id),
                "date": day_class.day.isoformat(),
                "start_time": day_class.start.isoformat(timespec="minutes") if day_class.start else None,
                "group": day_class.name or None,
            },
            "students": [{"id": str(s.student_id), "name": s.full_name} for s in roll.students],
        },
    )


MY_NEXT_CLASS = ReadTool(
    "my_next_class",
    "The asking teacher's next class and who is in it ('my next class', 'who's in my next class').",
    NoArgs,
    EVERYONE,
    _next_class,
)
