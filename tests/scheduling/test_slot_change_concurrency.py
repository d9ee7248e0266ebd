"""Changing a weekly class twice at once (the schedule page's Save pressed twice): it changes once. Each
request on its own connection with committed data: one ends the old slot the day before and adds its
replacement, the other is told the old slot has ended by then, and the group has one replacement slot, not
two (two would each generate the same classes). A single change of another group's slot is the control."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import time, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from channels.embedded import DatabaseUrls
from domain.db import create_engine, session_factory, unit_of_work, use_tenant
from domain.errors import Invalid
from domain.scheduling import service as scheduling
from domain.scheduling.models import GroupSlot
from domain.scheduling.schemas import SlotChange
from domain.tenancy import TenantContext
from tests.committed import committed_database
from tests.domain.studio import build_studio
from tests.scheduling.helpers import weekly

ROUNDS = 4


@pytest.fixture(scope="module")
def slot_change_database(database_urls: DatabaseUrls) -> DatabaseUrls:
    return committed_database("cadence_slot_change_race")


@pytest.fixture
async def engine(slot_change_database: DatabaseUrls) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(slot_change_database.app, pool_size=4, max_overflow=0)
    yield engine
    await engine.dispose()


async def _change(engine: AsyncEngine, admin: TenantContext, slot_id: uuid.UUID) -> str:
    change = SlotChange(
        effective_from=admin.today() + timedelta(days=8), start_time=time(20), end_time=time(21)
    )
    try:
        async with unit_of_work(session_factory(engine)) as session:
            await use_tenant(session, admin)
            await scheduling.change_slot(session, admin, slot_id, data=change, today=admin.today())
            return "changed"
    except Invalid:
        return "refused"


async def _slots(engine: AsyncEngine, admin: TenantContext, group_id: uuid.UUID) -> int:
    async with unit_of_work(session_factory(engine)) as session:
        await use_tenant(session, admin)
        count = await session.scalar(
            select(func.count()).select_from(GroupSlot).where(GroupSlot.group_id == group_id)
        )
    return int(count or 0)


async def _started_slot(engine: AsyncEngine) -> tuple[TenantContext, uuid.UUID, uuid.UUID]:
    async with unit_of_work(session_factory(engine)) as session:
        studio = await build_studio(session, names=("Ana García",))
        await use_tenant(session, studio.admin)
        today = studio.admin.today()
        slot = await weekly(session, studio, studio.salsa, weekday=today.weekday(), valid_from=today)
        await scheduling.generate(session, studio.admin, today=today, until=today + timedelta(weeks=4))
        return studio.admin, slot.id, studio.salsa.id


async def test_a_weekly_class_changed_twice_at_once_changes_once(engine: AsyncEngine) -> None:
    admin, slot_id, group_id = await _started_slot(engine)
    assert await _change(engine, admin, slot_id) == "changed"  # the control: alone, it changes
    assert await _slots(engine, admin, group_id) == 2  # the old slot (ended) and its replacement
    for _ in range(ROUNDS):
        admin, slot_id, group_id = await _started_slot(engine)
        outcomes = await asyncio.gather(_change(engine, admin, slot_id), _change(engine, admin, slot_id))
        assert sorted(outcomes) == ["changed", "refused"], outcomes
        assert await _slots(engine, admin, group_id) == 2
