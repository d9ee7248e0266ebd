"""Marking a payout paid, twice at the same moment: exactly one succeeds, the other is told it is already
paid, and the audit log says "paid" once. Real concurrent transactions, so a committed database of its
own (as in ``tests/domain/test_waitlist_race.py``); sequentially this always passed."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from channels.embedded import DatabaseUrls
from domain.audit.models import AuditEntry
from domain.db import create_engine, session_factory, use_tenant
from domain.errors import Conflict
from domain.payouts import service as payouts
from domain.tenancy import TenantContext
from tests.committed import committed_database
from tests.domain.studio import build_studio

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


@dataclass
class World:
    urls: DatabaseUrls
    admin: TenantContext
    payouts: list[uuid.UUID]  # one approved payout per round


@pytest.fixture(scope="module")
def world(database_urls: DatabaseUrls) -> Iterator[World]:
    urls = committed_database("cadence_payout_paid_once_test")

    async def seed() -> World:
        engine = create_engine(urls.app)
        try:
            async with session_factory(engine)() as session:
                studio = await build_studio(session)
                approved = [
                    (
                        await payouts.approve(
                            session,
                            studio.admin,
                            teacher_id=teacher.id,
                            start=date(2026, 10, 1),
                            end=date(2026, 10, 31),
                            today=date(2026, 11, 26),
                            now=NOW,
                        )
                    ).id
                    for teacher in (studio.marco, studio.lucia)
                ]
                await session.commit()
                return World(urls, studio.admin, approved)
        finally:
            await engine.dispose()

    yield asyncio.run(seed())


async def pay(engine: AsyncEngine, world: World, payout_id: uuid.UUID) -> str:
    async with session_factory(engine)() as session:
        await use_tenant(session, world.admin)
        try:
            await payouts.mark_paid(session, world.admin, payout_id, now=NOW)
            await asyncio.sleep(0.2)  # hold the row while the other request arrives
        except Conflict:
            await session.rollback()
            return "already paid"
        await session.commit()
        return "paid"


async def paid_entries(engine: AsyncEngine, world: World, payout_id: uuid.UUID) -> int:
    async with session_factory(engine)() as session:
        await use_tenant(session, world.admin)
        query = select(func.count()).select_from(AuditEntry)
        query = query.where(AuditEntry.action == "payout.paid", AuditEntry.entity_id == payout_id)
        return int(await session.scalar(query) or 0)


@pytest.mark.parametrize("round_", [0, 1])
async def test_two_requests_at_once_mark_a_payout_paid_exactly_once(world: World, round_: int) -> None:
    engine = create_engine(world.urls.app)
    try:
        payout_id = world.payouts[round_]
        outcomes = await asyncio.gather(pay(engine, world, payout_id), pay(engine, world, payout_id))
        assert sorted(outcomes) == ["already paid", "paid"]
        assert await paid_entries(engine, world, payout_id) == 1
    finally:
        await engine.dispose()
