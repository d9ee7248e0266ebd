"""The organization's own names (students, groups, teachers), matched fuzzily against what was said."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import select

from copilot.language import Kind
from domain.groups.models import Group, GroupStatus
from domain.search import best_matches
from domain.students.models import Student, StudentStatus
from domain.teachers.models import Teacher
from domain.text import fold
from domain.venues.models import Venue
from tools.base import ToolContext

GOOD = 82.0  # a match at least this good names someone
CLEAR = 6.0  # the best must lead the next one by this much to be taken without asking


@dataclass(frozen=True)
class NameMatch:
    kind: Kind
    name: str  # as the organization writes it
    score: float
    clear: bool  # no other name of this kind is as close


@dataclass
class Directory:
    names: dict[Kind, dict[str, str]]  # kind → folded name → display name

    @classmethod
    async def load(cls, ctx: ToolContext) -> Directory:
        """Names visible under RLS; services still decide what the caller may see about each."""
        session = ctx.session
        students = await session.execute(
            select(Student.search_name, Student.full_name).where(
                Student.archived_at.is_(None), Student.status == StudentStatus.ACTIVE
            )
        )
        groups = await session.execute(
            select(Group.search_name, Group.name).where(Group.status != GroupStatus.CLOSED)
        )
        teachers = await session.execute(
            select(Teacher.search_name, Teacher.full_name).where(Teacher.archived_at.is_(None))
        )
        venues = await session.execute(
            select(Venue.search_name, Venue.name).where(Venue.archived_at.is_(None))
        )
        return cls(
            {
                "student": {folded: name for folded, name in students},
                "group": {folded: name for folded, name in groups},
                "teacher": {folded: name for folded, name in teachers},
                "venue": {folded: name for folded, name in venues},
            }
        )

    @cached_property
    def folded(self) -> frozenset[str]:
        """Every name, folded, of every kind."""
        return frozenset(folded for names in self.names.values() for folded in names)

    @cached_property
    def words(self) -> frozenset[str]:
        """Every word of every name ("kids" in "Contemporary Kids" is a name word there)."""
        return frozenset(w for names in self.names.values() for folded in names for w in folded.split())

    @cached_property
    def _candidates(self) -> dict[Kind, list[tuple[uuid.UUID, str, str]]]:
        """In the shape the shared fuzzy search takes, built once per turn, not once per lookup."""
        return {
            kind: [(uuid.UUID(int=i), name, folded) for i, (folded, name) in enumerate(names.items())]
            for kind, names in self.names.items()
        }

    def match(self, kind: Kind, said: str) -> NameMatch | None:
        """The best name of this kind for the words said (folded), or None below ``GOOD``.
        Ranked by the same fuzzy search the services use, so both agree on who is meant."""
        choices = self.names[kind]
        if not said.strip() or not choices:
            return None
        found = best_matches(said, self._candidates[kind], limit=2)
        if not found or found[0].score < GOOD:
            return None
        best = found[0]
        runner_up = found[1].score if len(found) > 1 else 0.0
        exact = fold(best.name) == said
        return NameMatch(kind, best.name, best.score, exact or best.score - runner_up >= CLEAR)
