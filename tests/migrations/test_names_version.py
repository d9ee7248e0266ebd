"""The organization's names version moves with every change to a name people say, and only then.

A trigger bumps it (migration 0014), so every writer counts; the copilot's name directory is cached
per process under it (tests/copilot/test_name_directory.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.db import unit_of_work, use_tenant
from domain.demo.seed import seed_demo
from domain.groups import service as groups
from domain.groups.models import GroupStatus
from domain.groups.schemas import GroupIn, GroupUpdate
from domain.orgs import service as orgs
from domain.orgs.models import Organization
from domain.students import service as students
from domain.students.models import Student
from domain.students.schemas import StudentIn, StudentUpdate
from domain.teachers import service as teachers
from domain.teachers.models import TeacherPaymentType
from domain.teachers.schemas import TeacherIn
from domain.tenancy import Role, TenantContext
from domain.text import fold
from domain.venues import service as venues
from domain.venues.schemas import VenueIn, VenueUpdate
from tests.domain.studio import Studio, build_studio

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


async def names_version(session: AsyncSession, studio: Studio) -> int:
    """As the app role reads it, under RLS, with the tenant set."""
    await use_tenant(session, studio.admin)
    version = await session.scalar(select(Organization.names_version).where(Organization.id == studio.org.id))
    assert version is not None  # the app role can read its own organization's version
    return version


async def test_every_name_change_of_every_kind_moves_the_version(session: AsyncSession) -> None:
    studio = await build_studio(session)
    admin = studio.admin
    ana = studio.students["Ana"]
    changes: dict[str, Callable[[], Awaitable[object]]] = {
        "student created": lambda: students.create_student(
            session, admin, data=StudentIn(full_name="Pilar Ortega")
        ),
        "student renamed": lambda: students.update_student(
            session, admin, ana.id, data=StudentUpdate(full_name="Ana Gómez")
        ),
        "student archived": lambda: students.archive_student(session, admin, ana.id, now=NOW),
        "group created": lambda: groups.create_group(session, admin, data=GroupIn(name="Tango Adults")),
        "group renamed": lambda: groups.update_group(
            session, admin, studio.salsa.id, data=GroupUpdate(name="Salsa Basics")
        ),
        "group closed": lambda: groups.change_group_status(
            session, admin, studio.bachata.id, status=GroupStatus.CLOSED, reason=None
        ),
        "teacher created": lambda: teachers.create_teacher(
            session,
            admin,
            data=TeacherIn(
                full_name="Paula Vidal",
                payment_type=TeacherPaymentType.PER_CLASS,
                rate_per_class=Decimal("40.00"),
            ),
        ),
        "teacher archived": lambda: teachers.archive_teacher(session, admin, studio.marco.id, now=NOW),
        "venue created": lambda: venues.create_venue(session, admin, data=VenueIn(name="Sala Norte")),
        "venue renamed": lambda: venues.update_venue(
            session, admin, studio.venue.id, data=VenueUpdate(name="Studio Sur")
        ),
        "venue archived": lambda: venues.archive_venue(session, admin, studio.venue.id, now=NOW),
    }
    unmoved = []
    for label, change in changes.items():
        before = await names_version(session, studio)
        await change()
        await session.flush()
        if await names_version(session, studio) == before:
            unmoved.append(label)
    assert unmoved == []


async def test_changes_that_touch_no_name_leave_the_version_alone(session: AsyncSession) -> None:
    studio = await build_studio(session)
    before = await names_version(session, studio)
    await students.update_student(
        session, studio.admin, studio.students["Ana"].id, data=StudentUpdate(email="ana@example.org")
    )
    await groups.update_group(session, studio.admin, studio.salsa.id, data=GroupUpdate(capacity=12))
    await venues.update_venue(
        session, studio.admin, studio.venue.id, data=VenueUpdate(address="Calle Mayor 1")
    )
    # the same name written again is no change either
    await session.execute(update(Student).values(full_name=Student.full_name))
    await session.flush()
    assert await names_version(session, studio) == before
    # positive control: the same kind of statement with a real change does move it
    await students.update_student(
        session, studio.admin, studio.students["Ana"].id, data=StudentUpdate(full_name="Ana María García")
    )
    await session.flush()
    assert await names_version(session, studio) != before


async def test_an_import_that_bypasses_the_services_is_counted_too(session: AsyncSession) -> None:
    studio = await build_studio(session)
    before = await names_version(session, studio)
    names = [f"Imported Student {i}" for i in range(50)]
    await session.execute(
        insert(Student),
        [{"organization_id": studio.org.id, "full_name": n, "search_name": fold(n)} for n in names],
    )
    assert await names_version(session, studio) != before


async def test_a_rolled_back_bump_never_lends_its_number_to_the_next_change(session: AsyncSession) -> None:
    """A directory read inside a transaction that rolls back must never be served for a later version."""
    studio = await build_studio(session)
    committed = await names_version(session, studio)
    savepoint = await session.begin_nested()
    await students.update_student(
        session, studio.admin, studio.students["Ana"].id, data=StudentUpdate(full_name="Ana Rolled Back")
    )
    await session.flush()
    rolled_back = await names_version(session, studio)
    await savepoint.rollback()
    assert await names_version(session, studio) == committed
    await students.update_student(
        session, studio.admin, studio.students["José"].id, data=StudentUpdate(full_name="José Committed")
    )
    await session.flush()
    assert await names_version(session, studio) not in {committed, rolled_back}


async def test_one_schools_name_change_leaves_another_schools_version_alone(session: AsyncSession) -> None:
    ours = await build_studio(session)
    theirs = await build_studio(session, names=("Pilar Ortega",))
    their_version = await names_version(session, theirs)
    our_version = await names_version(session, ours)
    await use_tenant(session, ours.admin)
    await students.create_student(session, ours.admin, data=StudentIn(full_name="Nuevo Alumno"))
    await session.flush()
    assert await names_version(session, ours) != our_version  # control: ours moved
    assert await names_version(session, theirs) == their_version


async def test_the_demo_seeder_writing_rows_directly_moves_every_organizations_version(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Its organizations have fixed ids, so only the version can tell one seeding's names from another's."""
    await seed_demo(sessions, today=date(2026, 11, 26), size="small", seed=7)
    async with unit_of_work(sessions) as session:
        for slug in ("demo-school", "demo-teacher"):
            org_id = await orgs.organization_id_by_slug(session, slug)
            assert org_id is not None
            await use_tenant(session, TenantContext(org_id=org_id, role=Role.ADMIN))
            version = await session.scalar(
                select(Organization.names_version).where(Organization.id == org_id)
            )
            assert version not in {None, 0}, slug
