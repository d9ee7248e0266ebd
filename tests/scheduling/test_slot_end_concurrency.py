"""Ending a weekly class twice at once (the settings page's button pressed twice, two tabs): it ends once.
Each request on its own connection with committed data, as the usual rolled-back fixture would serialise
them: one ends the slot and cancels its classes, the other is told it has already ended, and each class is
cancelled (audited, announced) once. A single end of another slot is the control."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from channels.embedded import DatabaseUrls
from domain.audit.models import AuditEntry
from domain.db import create_engine, session_factory, unit_of_work, use_tenant
from domain.errors import Invalid
from domain.events.models import DomainEvent
from domain.scheduling import service as scheduling
from domain.scheduling import slot_end
from domain.tenancy import TenantContext
from tests.committed import committed_database
from tests.domain.studio import build_studio
from tests.scheduling.helpers import weekly

ROUNDS = 4  # slots raced one after another: each round two requests at once


@pytest.fixture(scope="module")
def slot_end_database(database_urls: DatabaseUrls) -> DatabaseUrls:
    return committed_database("cadence_slot_end_race")


@pytest.fixture
async def engine(slot_end_database: DatabaseUrls) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(slot_end_database.app, pool_size=4, max_overflow=0)
    yield engine
    await engine.dispose()


async def _end(engine: AsyncEngine, admin: TenantContext, slot_id: uuid.UUID) -> int | str:
    try:
        async with unit_of_work(session_factory(engine)) as session:
            await use_tenant(session, admin)
            _, cancelled = await slot_end.end_slot(
                session, admin, slot_id, from_date=admin.today() + timedelta(days=1), today=admin.today()
            )
            return cancelled
    except Invalid:
        return "already ended"


async def _count(engine: AsyncEngine, admin: TenantContext, query: Select[int]) -> int:
    async with unit_of_work(session_factory(engine)) as session:
        await use_tenant(session, admin)
        return int(await session.scalar(query) or 0)


async def test_a_weekly_class_ended_twice_at_once_ends_once(engine: AsyncEngine) -> None:
    async with unit_of_work(session_factory(engine)) as session:
        studio = await build_studio(session, names=("Ana García",))
        admin = studio.admin
        await use_tenant(session, admin)
        start = admin.today() + timedelta(days=1)
        slots = [
            await weekly(
                session, studio, studio.salsa, weekday=(start + timedelta(days=d)).weekday(), valid_from=start
            )
            for d in range(ROUNDS + 1)
        ]
        await scheduling.generate(session, admin, today=admin.today(), until=start + timedelta(weeks=4))
    racing, control = slots[:ROUNDS], slots[ROUNDS]

    first = await _end(engine, admin, control.id)  # the control: one end cancels the slot's classes
    assert isinstance(first, int) and first >= 4
    cancelled = first
    for slot in racing:
        outcomes = await asyncio.gather(_end(engine, admin, slot.id), _end(engine, admin, slot.id))
        ends = [o for o in outcomes if isinstance(o, int)]
        assert len(ends) == 1 and ends[0] >= 4 and "already ended" in outcomes, outcomes
        cancelled += ends[0]
    ended = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "slot.ended")
    assert await _count(engine, admin, ended) == ROUNDS + 1
    announced = select(func.count()).select_from(DomainEvent).where(DomainEvent.type == "session.cancelled")
    assert await _count(engine, admin, announced) == cancelled  # each class once
