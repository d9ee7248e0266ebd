"""Sick days as tools: a teacher reports one (the office is told), the office covers or cancels each
class (the families are told then). Thin over ``domain.absences``; both are guarded writes."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import BaseModel, Field

from domain.absences import service as absences
from domain.attendance.service import enrolled_on
from domain.errors import Invalid
from domain.inputs import Line
from domain.notifications.words import Words, words_for
from domain.teachers.service import get_teacher
from tools import resolve
from tools.base import EVERYONE, OFFICE, Plan, ToolContext, ToolOutput, WriteTool
from tools.classes import scheduled_class

_SAID = {
    "en": {
        "report": "Report that you can't teach on {day}; the office is told to cover or cancel:\n{lines}\n"
        "Families are told only once the office decides.",
        "reported": "Done: the office knows you can't teach on {day} ({count} classes to cover).",
        "already": "The office already knew you can't teach on {day}; nobody was told twice.",
        "cover": "{what}: taught by {teacher} instead; {count} families will be told.",
        "cancel": "Cancel {what} (the teacher is ill); {count} families will be told.",
        "covered": "Done: {what} is now taught by {teacher}; they and {count} families are told.",
        "cancelled": "Done: {what} is cancelled; the teacher and {count} families are told.",
        "no_class": "You have no class to miss on {day}.",
    },
    "es": {
        "report": "Avisar de que no puedes dar clase el {day}; la oficina decidirá si sustituir o cancelar:\n"
        "{lines}\nLas familias solo se enteran cuando la oficina decida.",
        "reported": "Hecho: la oficina sabe que no puedes dar clase el {day} ({count} clases por cubrir).",
        "already": "La oficina ya sabía que no puedes dar clase el {day}; no se avisó dos veces.",
        "cover": "{what}: la da {teacher}; se avisará a {count} familias.",
        "cancel": "Cancelar {what} (el profesor está enfermo); se avisará a {count} familias.",
        "covered": "Hecho: {what} la da ahora {teacher}; se les avisa a ella/él y a {count} familias.",
        "cancelled": "Hecho: {what} queda cancelada; se avisa al profesor y a {count} familias.",
        "no_class": "No tienes ninguna clase que perder el {day}.",
    },
}


def _say(ctx: ToolContext, key: str, **values: object) -> str:
    return _SAID.get(ctx.language.split("-")[0], _SAID["en"])[key].format(**values)


class SickDayArgs(BaseModel):
    date: dt.date = Field(description="The day the asking teacher can't teach.")
    reason: Line | None = Field(
        default=None, max_length=200, description="Why, if they say (kept for the office)."
    )


def _words(ctx: ToolContext) -> Words:
    return words_for(ctx.language.split("-")[0], None)


async def _plan_sick_day(ctx: ToolContext, args: SickDayArgs) -> Plan:
    try:
        _, missed = await absences.classes_missed(ctx.session, ctx.tenant, day=args.date, today=ctx.today)
    except Invalid as exc:
        if (exc.details or {}).get("reason") == "no_class":  # said in the asker's language
            raise Invalid(_say(ctx, "no_class", day=ctx.speech.day(args.date)), details=exc.details) from exc
        raise
    lines = "\n".join(f"- {m.said(_words(ctx))}" for m in missed)
    return Plan(
        {"date": args.date.isoformat(), "reason": args.reason},
        _say(ctx, "report", day=ctx.speech.day(args.date), lines=lines),
    )


async def _apply_sick_day(ctx: ToolContext, planned: dict[str, Any]) -> ToolOutput:
    day = dt.date.fromisoformat(planned["date"])
    done = await absences.report_absence(
        ctx.session, ctx.tenant, day=day, today=ctx.today, now=ctx.now, reason=planned.get("reason")
    )
    said = ctx.speech.day(day)
    text = (
        _say(ctx, "reported", day=said, count=len(done.classes))
        if done.reported_now
        else _say(ctx, "already", day=said)
    )
    return ToolOutput(
        text, {"date": planned["date"], "session_ids": [str(m.session_id) for m in done.classes]}
    )


class CoverArgs(BaseModel):
    group: str = Field(description="The group whose class needs covering.")
    date: dt.date = Field(description="The class's date.")
    substitute: str | None = Field(default=None, description="The teacher who takes it instead.")
    cancel: bool = Field(default=False, description="Cancel the class instead of covering it.")


async def _plan_cover(ctx: ToolContext, args: CoverArgs) -> Plan:
    if (args.substitute is None) == (not args.cancel):
        raise Invalid(
            "Say either who teaches the class instead, or that it is cancelled.", details={"field": "cancel"}
        )
    _, found = await scheduled_class(ctx, args.group, args.date, to="cover")
    missed = (await absences.missed_classes(ctx.session, [found]))[0]
    families = len(await enrolled_on(ctx.session, found))
    what = missed.said(_words(ctx))
    planned: dict[str, Any] = {"session_id": str(found.id), "what": what}
    if args.cancel:
        return Plan(planned | {"cancel": True}, _say(ctx, "cancel", what=what, count=families))
    teacher_id = await resolve.teacher(ctx, args.substitute or "")
    if teacher_id == found.teacher_id:
        raise Invalid(
            "That is the class's own teacher; choose someone else.", details={"field": "substitute"}
        )
    teacher = await get_teacher(ctx.session, ctx.tenant, teacher_id)
    preview = _say(ctx, "cover", what=what, teacher=teacher.full_name, count=families)
    return Plan(planned | {"teacher_id": str(teacher_id), "teacher": teacher.full_name}, preview)


async def _apply_cover(ctx: ToolContext, planned: dict[str, Any]) -> ToolOutput:
    session_id = uuid.UUID(planned["session_id"])
    if planned.get("cancel"):
        row, told = await absences.cancel_for_absence(ctx.session, ctx.tenant, session_id, now=ctx.now)
        text = _say(ctx, "cancelled", what=planned["what"], count=told)
    else:
        row, told = await absences.cover_with(
            ctx.session, ctx.tenant, session_id, teacher_id=uuid.UUID(planned["teacher_id"]), now=ctx.now
        )
        text = _say(ctx, "covered", what=planned["what"], teacher=planned["teacher"], count=told)
    return ToolOutput(text, {"session_id": str(row.id), "status": row.status.value, "families_told": told})


REPORT_SICK_DAY = WriteTool(
    "report_sick_day",
    "The asking teacher can't teach on a day: the office is told which of their classes to cover or cancel.",
    SickDayArgs,
    EVERYONE,
    _plan_sick_day,
    _apply_sick_day,
)
COVER_SICK_DAY = WriteTool(
    "cover_sick_day",
    "Office: a class whose teacher is off gets a substitute, or is cancelled; the families are told.",
    CoverArgs,
    OFFICE,
    _plan_cover,
    _apply_cover,
)
