"""A class said by when it is rather than by its group's name: "my next class", "the 6pm class",
"la clase de las 7". Found in the words of a language (``next_class``, ``class_at``) and resolved
against the classes the asker can see — a teacher's own, as the sessions service decides.

A bare hour in a dance school is read both ways ("the 7 o'clock class" is 07:00 or 19:00): whichever
class exists is the one meant; "am"/"pm" or a 24-hour time says it exactly."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from copilot.language import Messages, Words
from domain.errors import DomainError
from domain.groups import service as groups
from domain.sessions import service as sessions
from domain.sessions.models import ClassSession, SessionStatus
from tools.base import ToolContext

if TYPE_CHECKING:
    from copilot.filling import Draft


# The words a pattern's ``ampm`` group may catch, by the half of the day they mean.
_HALF_OF_DAY = {"am": "am", "pm": "pm", "manana": "am", "tarde": "pm", "noche": "pm"}


@dataclass(frozen=True)
class ClassSaid:
    next: bool = False  # the next class still to start
    hour: int | None = None  # a class by its starting hour on the day said (today if none)
    minute: int | None = None
    exact: bool = False  # "7pm", "19:00": the hour is not read both ways


def find(text: str, words: Words) -> tuple[ClassSaid | None, str]:
    """The class said by when it is, and the text without those words (so that "next" or "7" is not
    read again as a date or an amount)."""
    if words.next_class:
        found = re.search(words.next_class, text)
        if found:
            return ClassSaid(next=True), _without(text, found)
    for pattern in words.class_at:
        found = re.search(pattern, text)
        if found is None:
            continue
        said = found.groupdict()
        hour, minute, half = int(said["hour"]), said.get("minute"), said.get("half")
        ampm = _HALF_OF_DAY.get((said.get("ampm") or "").lower(), "")
        if ampm == "pm" and hour < 12:
            hour += 12
        elif ampm == "am" and hour == 12:
            hour = 0
        if hour > 23:
            continue
        return (
            ClassSaid(
                hour=hour,
                minute=30 if half else int(minute) if minute else None,
                exact=bool(
                    ampm in ("am", "pm") or hour >= 13 or hour == 0 or (minute and len(said["hour"]) == 2)
                ),
            ),
            _without(text, found),
        )
    return None, text


async def classes_meant(ctx: ToolContext, said: ClassSaid, day: date) -> list[ClassSession]:
    """The classes that fit what was said: the next one, or those starting at that hour on ``day``."""
    if said.next:
        return await sessions.upcoming_sessions(ctx.session, ctx.tenant, after=ctx.school_now)
    assert said.hour is not None
    hours = {said.hour} if said.exact else {said.hour, (said.hour + 12) % 24}
    held = await sessions.list_sessions(ctx.session, ctx.tenant, start=day, end=day)
    return [
        s
        for s in held
        if s.status is not SessionStatus.CANCELLED
        and s.start_time is not None
        and s.start_time.hour in hours
        and (said.minute is None or s.start_time.minute == said.minute)
    ]


def _without(text: str, found: re.Match[str]) -> str:
    return " ".join(f"{text[: found.start()]} {text[found.end() :]}".split())


async def fill(ctx: ToolContext, draft: Draft, said: ClassSaid, messages: Messages) -> None:
    """Put the class meant into the call: the tool's own "next" argument when it has one (the
    schedule), else the group and date of the class found — or the question when none or several fit."""
    slots = draft.intent.slots
    day_arg = (slots.date.arg if slots.date else None) or "date"
    if said.next and slots.next_arg:
        draft.args[slots.next_arg] = True
        for arg in (day_arg, slots.date.week_arg if slots.date else None):
            draft.args.pop(arg or "", None)
        return
    if "group" in draft.args or not any(e.kind == "group" for e in slots.entities):
        return
    said_day = draft.args.get(day_arg)
    day = date.fromisoformat(said_day) if isinstance(said_day, str) else ctx.today
    try:
        found = await classes_meant(ctx, said, day)
    except DomainError:
        return  # not the asker's to see: the tool says so when called
    names = await group_names(ctx, found)
    if len(names) == 1:
        draft.args["group"] = names[0]
        if slots.date:
            draft.args[day_arg] = found[0].date.isoformat()
    elif names:
        draft.ask_which_group(names, day, messages)
    else:
        draft.question = messages.no_class_then


async def group_names(ctx: ToolContext, classes: list[ClassSession]) -> list[str]:
    """The names of the groups these classes are of, sorted, each once."""
    ids = {s.group_id for s in classes if s.group_id is not None}
    return sorted({(await groups.get_group(ctx.session, ctx.tenant, group_id)).name for group_id in ids})
