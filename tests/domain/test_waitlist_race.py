"""Two enrolments racing for a group's last place: exactly one gets it, the other is told the group is
full. Real concurrent transactions, so a committed database of its own (as in
``tests/channels/test_concurrent_confirm.py``)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from channels.embedded import DatabaseUrls
from domain.db import create_engine, session_factory, use_tenant
from domain.errors import Conflict
from domain.groups import memberships
from domain.groups import service as groups
from domain.groups.models import StudentGroup
from domain.groups.schemas import GroupUpdate
from domain.students import service as students
from domain.students.schemas import StudentIn
from domain.tenancy import TenantContext
from tests.committed import committed_database
from tests.domain.studio import START, build_studio


@dataclass
class World:
    urls: DatabaseUrls
    admin: TenantContext
    group_id: uuid.UUID  # three members, capacity four: one place left
    hopefuls: list[uuid.UUID]


@pytest.fixture(scope="module")
def world(database_urls: DatabaseUrls) -> Iterator[World]:
    urls = committed_database("cadence_waitlist_race_test")

    async def seed() -> World:
        engine = create_engine(urls.app)
        try:
            async with session_factory(engine)() as session:
                studio = await build_studio(session)
                await groups.update_group(
                    session, studio.admin, studio.salsa.id, data=GroupUpdate(capacity=4)
                )
                hopefuls = [
                    (await students.create_student(session, studio.admin, data=StudentIn(full_name=name))).id
                    for name in ("Hugo Sánchez", "Lola Ruiz", "Iker Gil", "Nora Vidal")
                ]
                await session.commit()
                return World(urls, studio.admin, studio.salsa.id, hopefuls)
        finally:
            await engine.dispose()

    yield asyncio.run(seed())


async def members(engine: AsyncEngine, world: World) -> int:
    async with session_factory(engine)() as session:
        await use_tenant(session, world.admin)
        query = select(func.count()).select_from(StudentGroup).where(StudentGroup.group_id == world.group_id)
        return int(await session.scalar(query) or 0)


async def enroll_committed(engine: AsyncEngine, world: World, student_id: uuid.UUID) -> str:
    async with session_factory(engine)() as session:
        await use_tenant(session, world.admin)
        try:
            await memberships.enroll(
                session, world.admin, student_id=student_id, group_id=world.group_id, start_date=START
            )
        except Conflict as refused:
            await session.rollback()
            return str(refused)
        await session.commit()
        return "enrolled"


async def waiting_on_a_lock(engine: AsyncEngine) -> bool:
    async with engine.connect() as watcher:
        query = text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
        return bool(await watcher.scalar(query))


async def test_the_second_enrolment_waits_for_the_first_and_then_finds_the_group_full(world: World) -> None:
    """Deterministic interleaving: the second starts while the first holds the place uncommitted."""
    engine = create_engine(world.urls.app)
    try:
        first, second = world.hopefuls[0], world.hopefuls[1]
        async with session_factory(engine)() as holder:
            await use_tenant(holder, world.admin)
            await memberships.enroll(
                holder, world.admin, student_id=first, group_id=world.group_id, start_date=START
            )
            racer = asyncio.create_task(enroll_committed(engine, world, second))
            # Polled: the only sign that the second is blocked is in pg_stat_activity.
            while not racer.done() and not await waiting_on_a_lock(engine):  # noqa: ASYNC110
                await asyncio.sleep(0.02)
            assert not racer.done(), (
                f"the second enrolment did not wait for the group's lock: {racer.result()}"
            )
            await holder.commit()
        assert await racer == "Salsa Beginners is full (4 of 4); add them to the waitlist?"
        assert await members(engine, world) == 4
    finally:
        await engine.dispose()


async def test_many_enrolments_at_once_for_no_place_all_refused_after_one_leave_one_wins(
    world: World,
) -> None:
    engine = create_engine(world.urls.app)
    try:
        outcomes = await asyncio.gather(*(enroll_committed(engine, world, s) for s in world.hopefuls[2:]))
        assert all("is full" in o for o in outcomes), outcomes
        # Capacity five: one place, two students at the same moment.
        async with session_factory(engine)() as session:
            await use_tenant(session, world.admin)
            await groups.update_group(session, world.admin, world.group_id, data=GroupUpdate(capacity=5))
            await session.commit()
        outcomes = await asyncio.gather(*(enroll_committed(engine, world, s) for s in world.hopefuls[2:]))
        assert sorted(outcomes) == ["Salsa Beginners is full (5 of 5); add them to the waitlist?", "enrolled"]
        assert await members(engine, world) == 5
    finally:
        await engine.dispose()
