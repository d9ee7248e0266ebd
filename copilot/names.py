"""The organization's own names (students, groups, teachers, venues), matched fuzzily against what was said.

Reading every name and building the fuzzy-search candidates costs 11–15 ms on a school of 1,800
students, on every turn. So each process keeps each organization's directory, keyed by the
organization's ``names_version``: a trigger bumps it in the same transaction as any name being added,
renamed, archived or removed (migration 0014), so one indexed read of that number per turn tells
every process whether its copy is still the organization's, and a rename is seen by the very next
turn anywhere. The candidates are built once per version, on the shared copy.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import fuzz
from sqlalchemy import select

from copilot.language import Kind
from domain.groups.models import Group
from domain.orgs.models import Organization
from domain.search import best_matches
from domain.students.models import Student, StudentStatus
from domain.teachers.models import Teacher
from domain.text import fold
from domain.venues.models import Venue
from tools.base import ToolContext

GOOD = 82.0  # a match at least this good names someone
CLEAR = 6.0  # the best must lead the next one by this much to be taken without asking
MATCHES_REMEMBERED = 4096  # per directory (one organization at one names version)


TYPO = 80  # a word said this close to a word of a name is that word, misspelt


@dataclass(frozen=True)
class NameMatch:
    kind: Kind
    name: str  # as the organization writes it
    score: float
    clear: bool  # no other name of this kind is as close


@dataclass(frozen=True)
class Directory:
    """Shared by every turn of one organization at one names version: never change it in place."""

    names: dict[Kind, dict[str, str]]  # kind → folded name → display name

    @classmethod
    async def load(cls, ctx: ToolContext) -> Directory:
        """The organization's names as of now: this process's copy when the organization's names
        version still matches it, else read afresh (and kept for the next turns)."""
        org_id = ctx.tenant.org_id
        version = ctx.names_version
        if version is None:
            version = await ctx.session.scalar(
                select(Organization.names_version).where(Organization.id == org_id)
            )
        if version is None:  # the organization's row is not visible: nothing to key a copy by
            return await cls.read(ctx)
        cached = DIRECTORIES.get(org_id, version)
        if cached is not None:
            return cached
        # Read after the version, so the names are at least as new as the version they are kept under.
        directory = await cls.read(ctx)
        directory.prepare()
        DIRECTORIES.put(org_id, version, directory)
        return directory

    @classmethod
    async def read(cls, ctx: ToolContext) -> Directory:
        """Names visible under RLS; services still decide what the caller may see about each."""
        session = ctx.session
        students = await session.execute(
            select(Student.search_name, Student.full_name).where(
                Student.archived_at.is_(None), Student.status == StudentStatus.ACTIVE
            )
        )
        # Closed groups too: people ask about them ("who was in Heels Beginners on 1 June?"); the
        # services refuse what cannot be done to a closed group.
        groups = await session.execute(select(Group.search_name, Group.name))
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

    def prepare(self) -> None:
        """Build what every turn uses now, once, rather than in the first turn that needs it."""
        _ = self.folded, self.words, self.words_of, self._candidates

    @cached_property
    def folded(self) -> frozenset[str]:
        """Every name, folded, of every kind."""
        return frozenset(folded for names in self.names.values() for folded in names)

    @cached_property
    def words(self) -> frozenset[str]:
        """Every word of every name ("kids" in "Contemporary Kids" is a name word there)."""
        return frozenset(w for words in self.words_of.values() for w in words)

    @cached_property
    def words_of(self) -> dict[Kind, frozenset[str]]:
        """The words of each kind's names ("lola" is a student's word here)."""
        return {
            kind: frozenset(w for folded in names for w in folded.split())
            for kind, names in self.names.items()
        }

    @cached_property
    def _candidates(self) -> dict[Kind, list[tuple[uuid.UUID, str, str]]]:
        """In the shape the shared fuzzy search takes, built once per names version, not once per lookup."""
        return {
            kind: [(uuid.UUID(int=i), name, folded) for i, (folded, name) in enumerate(names.items())]
            for kind, names in self.names.items()
        }

    @cached_property
    def _matches(self) -> dict[tuple[Kind, str], NameMatch | None]:
        """What each (kind, words said) matched: a directory never changes, and turns of one school
        say the same names again (often twice within one turn), each a fuzzy search over them all."""
        return {}

    def match(self, kind: Kind, said: str) -> NameMatch | None:
        """``_match``, remembered for this names version (bounded: forgotten all at once when full)."""
        key = (kind, said)
        if key in self._matches:
            return self._matches[key]
        found = self._match(kind, said)
        if len(self._matches) >= MATCHES_REMEMBERED:
            self._matches.clear()
        self._matches[key] = found
        return found

    def _match(self, kind: Kind, said: str) -> NameMatch | None:
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
        if not exact and self._says_another_name(said, best.name):
            return None
        return NameMatch(kind, best.name, best.score, exact or best.score - runner_up >= CLEAR)

    def _says_another_name(self, said: str, name: str) -> bool:
        """A word of the organization's names that is not in this one, nor a typo of one of its words,
        means another name: "Hip Hop Kids" is not "Hip Hop Improvers" (there are other Kids groups)."""
        own = fold(name).split()
        return any(
            word in self.words and not any(fuzz.ratio(word, mine) >= TYPO for mine in own)
            for word in said.split()
            if len(word) >= 3
        )


class DirectoryCache:
    """This process's directories: one per organization (at its latest names version seen), the
    least recently used dropped past ``max_orgs``. Keyed by organization id, so two tenants can never
    be handed each other's names whatever their versions are."""

    def __init__(self, max_orgs: int = 256) -> None:
        self.max_orgs = max_orgs
        self._entries: OrderedDict[uuid.UUID, tuple[int, Directory]] = OrderedDict()
        self._lock = threading.Lock()  # worker threads may plan turns too

    def get(self, org_id: uuid.UUID, version: int) -> Directory | None:
        with self._lock:
            entry = self._entries.get(org_id)
            if entry is None or entry[0] != version:
                return None
            self._entries.move_to_end(org_id)
            return entry[1]

    def put(self, org_id: uuid.UUID, version: int, directory: Directory) -> None:
        """Replaces the organization's copy: versions only ever move on, except when a transaction
        that bumped one rolls back, and then the older number is the one to serve again."""
        with self._lock:
            self._entries[org_id] = (version, directory)
            self._entries.move_to_end(org_id)
            while len(self._entries) > self.max_orgs:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


DIRECTORIES = DirectoryCache()
