"""Turn the names people say into the organization's own rows, or ask which one they meant."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from domain.errors import Forbidden
from domain.groups import service as groups
from domain.groups.models import Group
from domain.orgs.permissions import is_office
from domain.search import Match, best_matches
from domain.sessions.narrowing import Narrowing
from domain.students import service as students
from domain.teachers import service as teachers
from domain.text import fold
from domain.venues import service as venues
from tools.base import NeedsClarification, ToolContext
from tools.speech import Speech

CLOSE = 5.0  # two matches this close in score are too close to pick for the user
# The kinds of name, as the questions in tools/answers/<language>.yaml ("resolve.*") key them; the
# exception keeps the kind itself (English, for code), the question is in the answer's language.
KEYS = {"student in this class": "student_in_class"}


def _pick(ctx: ToolContext, kind: str, said: str, matches: Sequence[Match]) -> Match:
    key = KEYS.get(kind, kind)
    if not matches:
        raise NeedsClarification(ctx.speech.say(f"resolve.not_found.{key}", said=said), kind=kind, said=said)
    if len(matches) > 1 and matches[0].score - matches[1].score < CLOSE and matches[0].score < 100:
        options = [m.name for m in matches[:3]]
        raise NeedsClarification(
            ctx.speech.say(f"resolve.which.{key}", options=ctx.speech.join(options)),
            options,
            kind=kind,
            said=said,
        )
    return matches[0]


async def group(ctx: ToolContext, said: str, *, on: date | None = None) -> Group:
    """A group the caller may see (a teacher: their own, or the one they stand in for ``on``)."""
    match = _pick(
        ctx,
        "group",
        said,
        await groups.search_groups(ctx.session, ctx.tenant, query=said, limit=3, exact_wins=True),
    )
    found = await groups.get_group(ctx.session, ctx.tenant, match.id)
    await groups.require_group_visible(ctx.session, ctx.tenant, found, on=on)
    return found


async def teacher(ctx: ToolContext, said: str) -> uuid.UUID:
    return _pick(
        ctx, "teacher", said, await teachers.search_teachers(ctx.session, ctx.tenant, query=said, limit=3)
    ).id


async def student(ctx: ToolContext, said: str) -> uuid.UUID:
    matches = await students.search_students(ctx.session, ctx.tenant, query=said, limit=3, exact_wins=True)
    if not matches and not is_office(ctx.tenant):
        # A teacher sees the students of her own classes only: a name outside them is not hers to ask
        # about — said the same whether or not the school has such a student, so nothing is revealed.
        raise Forbidden(ctx.speech.say("resolve.not_your_student", said=said))
    return _pick(ctx, "student", said, matches).id


async def venue(ctx: ToolContext, said: str) -> uuid.UUID:
    return _pick(
        ctx, "venue", said, await venues.search_venues(ctx.session, ctx.tenant, query=said, limit=3)
    ).id


# "both Léas", "las dos Saras": every one of them (two or more), not a question about which.
BOTH = re.compile(r"^(?:both|the two|the 2|las dos|los dos|las 2|los 2|ambas|ambos)\s+(\w+)$")


def all_among(
    ctx: ToolContext, kind: str, said: str, people: Sequence[tuple[uuid.UUID, str]]
) -> list[uuid.UUID]:
    """``among`` for one name or for several said together ("both Léas": each Léa of the list, when
    there are at least two of them; otherwise the one name, resolved as usual)."""
    both = BOTH.match(fold(said).strip())
    if both is not None:
        stem = both.group(1)
        forms = {stem, stem.removesuffix("s"), stem.removesuffix("es")}
        named = [i for i, name in people if set(fold(name).split()[:1]) & forms]  # by first name
        if len(named) >= 2:
            return named
        said = stem
    return [among(ctx, kind, said, people)]


def among(ctx: ToolContext, kind: str, said: str, people: Sequence[tuple[uuid.UUID, str]]) -> uuid.UUID:
    """One of a known list (a class roster, say): fuzzy and accent-insensitive."""
    return _pick(
        ctx, kind, said, best_matches(said, [(i, name, fold(name)) for i, name in people], limit=3)
    ).id


async def narrowed(
    ctx: ToolContext,
    *,
    group_said: str | None = None,
    teacher_said: str | None = None,
    venue_said: str | None = None,
    on: date | None = None,
) -> Narrowing:
    """The group, teacher and venue a question narrows to, each resolved like any name said (a
    question when ambiguous, not found when nobody has it): never dropped for the whole school."""
    found_group = await group(ctx, group_said, on=on) if group_said else None
    teacher_id = await teacher(ctx, teacher_said) if teacher_said else None
    venue_id = await venue(ctx, venue_said) if venue_said else None
    return Narrowing(
        group=found_group,
        teacher=await teachers.get_teacher(ctx.session, ctx.tenant, teacher_id) if teacher_id else None,
        venue=await venues.get_venue(ctx.session, ctx.tenant, venue_id) if venue_id else None,
    )


def whose(speech: Speech, narrowing: Narrowing, subject: str | None = None) -> str | None:
    """Whose data a narrowed report is, in the answer's language ("Emma Pascual in Jazz Beginners",
    "las clases de Martina Delgado en Sala Sur"); None when nothing narrows it. In English it is
    ``Narrowing.said`` word for word (the domain's ``scope`` in the JSON stays English)."""
    parts: list[str] = [subject] if subject else []
    for key, name in (
        ("group", narrowing.group.name if narrowing.group else None),
        ("teacher", narrowing.teacher.full_name if narrowing.teacher else None),
        ("venue", narrowing.venue.name if narrowing.venue else None),
    ):
        if name is not None:
            named: dict[str, Any] = {key: name}
            parts.append(speech.say(f"insights.whose.{key}_{'after' if parts else 'first'}", **named))
    return " ".join(parts) or None
