"""A group said by part of its name ("the lindy one", "my tango class") when several groups share it:
the one that fits among the classes of the day asked about (at the venue the last answer was about), else
among the asker's own groups when she is a teacher — otherwise the question "which one?" stays."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from copilot import class_refs
from domain.errors import DomainError
from domain.groups.models import Group
from domain.groups.service import visible_group_ids
from domain.sessions import service as sessions
from domain.sessions.models import SessionStatus
from domain.text import fold
from domain.venues.models import Venue
from tools.base import ToolContext


async def group_meant(
    ctx: ToolContext, said: str, *, day: date | None, venue: str | None = None
) -> str | None:
    """The one group whose name has every word said, among that day's classes, else the asker's own."""
    words = fold(said).split()

    def fitting(names: list[str]) -> list[str]:
        return [n for n in names if all(w in fold(n).split() for w in words)]

    if day is not None:
        found = fitting(await meeting(ctx, day, venue=venue) or [])
        if len(found) == 1:
            return found[0]
    own = await visible_group_ids(ctx.session, ctx.tenant)
    if own is not None:  # a teacher: "my tango class" is hers among the school's three Tangos
        names = (await ctx.session.scalars(select(Group.name).where(Group.id.in_(own)))).all()
        found = fitting(list(names))
        if len(found) == 1:
            return found[0]
    return None


async def meeting(ctx: ToolContext, day: date, *, venue: str | None = None) -> list[str] | None:
    """The groups with a class (not cancelled) that day, at that venue if given, by name; None when the
    caller may not list them."""
    venue_id = None
    if venue is not None:
        venue_id = await ctx.session.scalar(select(Venue.id).where(Venue.name == venue))
    try:
        held = await sessions.list_sessions(ctx.session, ctx.tenant, start=day, end=day, venue_id=venue_id)
    except DomainError:
        return None
    return await class_refs.group_names(ctx, [s for s in held if s.status is not SessionStatus.CANCELLED])
