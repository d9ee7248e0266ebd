"""The planner's name directory: one copy per organization and names version in each process.

"Another process" here is another planner instance in another transaction: the cache is
process-wide, so what must hold is that the next turn anywhere reads the organization's version and
finds its copy stale after any name change.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from copilot.names import DIRECTORIES, Directory, DirectoryCache
from copilot.offline import OfflinePlanner
from copilot.planner import DecisionKind, Memory
from domain.db import unit_of_work
from domain.groups import service as groups
from domain.groups.schemas import GroupUpdate
from domain.orgs.models import Organization
from domain.search import best_matches
from domain.students import service as students
from domain.students.schemas import StudentUpdate
from domain.teachers import service as teachers
from domain.teachers.models import TeacherPaymentType
from domain.teachers.schemas import TeacherIn
from domain.tenancy import TenantContext
from domain.venues import service as venues
from tests.domain.studio import Studio, build_studio
from tools.base import ToolContext

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 18, tzinfo=UTC)
NAME_TABLES = ("students", "groups", "teachers", "venues")


class Statements:
    """Every SQL statement the app role's engine sends while installed."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def __call__(self, *args: Any) -> None:
        self.sent.append(args[2])  # (conn, cursor, statement, parameters, context, executemany)

    def reading_names(self) -> list[str]:
        return [s for s in self.sent if any(f"FROM {table}" in s for table in NAME_TABLES)]

    def clear(self) -> None:
        self.sent.clear()


@pytest.fixture
def statements(app_engine: AsyncEngine) -> Iterator[Statements]:
    seen = Statements()
    event.listen(app_engine.sync_engine, "before_cursor_execute", seen)
    yield seen
    event.remove(app_engine.sync_engine, "before_cursor_execute", seen)


async def studio(sessions: async_sessionmaker[AsyncSession], names: tuple[str, ...] | None = None) -> Studio:
    async with unit_of_work(sessions) as session:
        return await (build_studio(session, names) if names else build_studio(session))


async def directory(sessions: async_sessionmaker[AsyncSession], tenant: TenantContext) -> Directory:
    """One turn's directory, in its own transaction, as the planner loads it."""
    async with unit_of_work(sessions, tenant) as session:
        return await Directory.load(ToolContext(session=session, tenant=tenant, today=TODAY, now=NOW))


async def plan(
    sessions: async_sessionmaker[AsyncSession], tenant: TenantContext, planner: OfflinePlanner, said: str
) -> tuple[DecisionKind, str | None, dict[str, Any]]:
    async with unit_of_work(sessions, tenant) as session:
        ctx = ToolContext(session=session, tenant=tenant, today=TODAY, now=NOW)
        decision = await planner.plan(ctx, said, Memory(), pending=False)
    return decision.kind, decision.tool, decision.args


async def test_renames_an_archive_and_a_new_teacher_are_seen_by_the_very_next_turn_elsewhere(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    school = await studio(sessions)
    admin = school.admin
    first_process, second_process = OfflinePlanner(), OfflinePlanner()
    # the first process has the directory cached, and understands the names as they were
    assert await plan(sessions, admin, first_process, "how is Ana García doing?") == (
        DecisionKind.TOOL,
        "student_overview",
        {"student": "Ana García"},
    )
    before = await directory(sessions, admin)
    assert await directory(sessions, admin) is before  # cached

    async with unit_of_work(sessions, admin) as session:  # one transaction, committed
        await students.update_student(
            session, admin, school.students["Ana"].id, data=StudentUpdate(full_name="Ana Gómez")
        )
        await groups.update_group(session, admin, school.bachata.id, data=GroupUpdate(name="Kizomba Fusion"))
        await venues.archive_venue(session, admin, school.venue.id, now=NOW)
        await teachers.create_teacher(
            session,
            admin,
            data=TeacherIn(
                full_name="Paula Vidal",
                payment_type=TeacherPaymentType.PER_CLASS,
                rate_per_class=Decimal("40.00"),
            ),
        )

    after = await directory(sessions, admin)
    assert "ana gomez" in after.names["student"] and "ana garcia" not in after.names["student"]
    assert "kizomba fusion" in after.names["group"] and "bachata improvers" not in after.names["group"]
    assert "studio centro" not in after.names["venue"]
    assert "paula vidal" in after.names["teacher"]
    # the other process's very next turn: the new name is someone, the archived one is nobody's
    assert await plan(sessions, admin, second_process, "how is Ana Gómez doing?") == (
        DecisionKind.TOOL,
        "student_overview",
        {"student": "Ana Gómez"},
    )
    assert await plan(sessions, admin, second_process, "who is in Kizomba Fusion?") == (
        DecisionKind.TOOL,
        "group_roster",
        {"group": "Kizomba Fusion"},
    )
    assert (await plan(sessions, admin, second_process, "what does Paula Vidal teach tomorrow"))[2].get(
        "teacher"
    ) == "Paula Vidal"
    # and the first process, which had cached the old names, is no different
    assert (await plan(sessions, admin, first_process, "how is Ana García doing?"))[2] != {
        "student": "Ana García"
    }


async def test_a_cache_hit_reads_no_names_and_builds_nothing_again(
    sessions: async_sessionmaker[AsyncSession], statements: Statements
) -> None:
    school = await studio(sessions)
    statements.clear()
    first = await directory(sessions, school.admin)
    assert len(statements.reading_names()) == 4  # a miss reads each kind once
    statements.clear()
    second = await directory(sessions, school.admin)
    assert statements.reading_names() == []
    assert [s for s in statements.sent if "names_version" in s] != []  # one cheap read of the version
    assert second is first  # the same built candidates, not rebuilt per turn
    assert second.match("student", "ana garcia") is not None
    # a change of name: the next turn reads the names once more, then hits again
    async with unit_of_work(sessions, school.admin) as session:
        await students.update_student(
            session, school.admin, school.students["José"].id, data=StudentUpdate(full_name="José Ruiz")
        )
    statements.clear()
    third = await directory(sessions, school.admin)
    assert len(statements.reading_names()) == 4 and third is not first
    statements.clear()
    assert await directory(sessions, school.admin) is third
    assert statements.reading_names() == []


async def test_two_schools_never_share_a_directory_even_at_the_same_version(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ours = await studio(sessions)
    theirs = await studio(sessions, ("Pilar Ortega", "Nuria Sanz"))
    # make the versions equal, so only the organization in the key can tell the two copies apart
    for school in (ours, theirs):
        async with unit_of_work(sessions, school.admin) as session:
            await session.execute(
                update(Organization).where(Organization.id == school.org.id).values(names_version=424242)
            )
    for _ in range(2):  # a miss, then a hit, for each
        our_names = (await directory(sessions, ours.admin)).names["student"]
        their_names = (await directory(sessions, theirs.admin)).names["student"]
        assert "ana garcia" in our_names and "pilar ortega" not in our_names
        assert "pilar ortega" in their_names and "ana garcia" not in their_names
    # and the office of one school planning a turn finds no one of the other
    planner = OfflinePlanner()
    _, _, args = await plan(sessions, ours.admin, planner, "how is Pilar Ortega doing?")
    assert args.get("student") != "Pilar Ortega"
    assert await plan(sessions, theirs.admin, planner, "how is Pilar Ortega doing?") == (
        DecisionKind.TOOL,
        "student_overview",
        {"student": "Pilar Ortega"},
    )


async def test_a_directory_read_in_a_rolled_back_transaction_is_never_served_afterwards(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    school = await studio(sessions)
    with pytest.raises(RuntimeError):
        async with unit_of_work(sessions, school.admin) as session:
            await students.update_student(
                session, school.admin, school.students["Ana"].id, data=StudentUpdate(full_name="Ana Fantasma")
            )
            ctx = ToolContext(session=session, tenant=school.admin, today=TODAY, now=NOW)
            assert "ana fantasma" in (await Directory.load(ctx)).names["student"]
            raise RuntimeError("the turn failed")
    names = (await directory(sessions, school.admin)).names["student"]
    assert "ana fantasma" not in names and "ana garcia" in names


def test_the_cache_keeps_the_most_recently_used_organizations() -> None:
    cache = DirectoryCache(max_orgs=2)
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    one = Directory({"student": {}, "group": {}, "teacher": {}, "venue": {}})
    cache.put(a, 1, one)
    cache.put(b, 1, one)
    assert cache.get(a, 1) is one  # a is now the most recent
    cache.put(c, 1, one)
    assert len(cache) == 2
    assert cache.get(b, 1) is None and cache.get(a, 1) is one and cache.get(c, 1) is one
    assert cache.get(a, 2) is None  # another version of a is not a's copy


def test_the_process_wide_cache_is_bounded() -> None:
    assert 0 < DIRECTORIES.max_orgs <= 1000


async def test_a_name_said_again_at_the_same_version_is_not_searched_again(
    sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    searches: list[str] = []

    def counted(query: str, *args: Any, **kwargs: Any) -> Any:
        searches.append(query)
        return best_matches(query, *args, **kwargs)

    monkeypatch.setattr("copilot.names.best_matches", counted)
    school = await studio(sessions)
    first = (await directory(sessions, school.admin)).match("student", "ana garcia")
    again = (await directory(sessions, school.admin)).match("student", "ana garcia")
    assert first is not None and first.name == "Ana García" and again == first
    assert searches == ["ana garcia"]
    # another school saying the same words is searched in its own names
    other = await studio(sessions, ("Ana Garcés",))
    theirs = (await directory(sessions, other.admin)).match("student", "ana garcia")
    assert searches == ["ana garcia", "ana garcia"]
    assert theirs is None or theirs.name == "Ana Garcés"
