"""The organization's currency and its first payment, at the same moment: the change waits for the payment
being recorded and is then refused (the amount would be relabelled); with no money recorded the change
goes through (the control). Real concurrent transactions, on a committed database of their own."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from channels.embedded import DatabaseUrls
from domain.db import create_engine, session_factory, unit_of_work
from domain.errors import Conflict
from domain.orgs import service as orgs
from domain.orgs.schemas import OrganizationSettingsIn
from domain.payments import service as payments
from domain.payments.schemas import PaymentIn
from domain.tenancy import TenantContext
from tests.committed import committed_database
from tests.domain.studio import build_studio

GUARD = 60.0


@dataclass
class World:
    urls: DatabaseUrls
    admin: TenantContext
    student_id: uuid.UUID


@pytest.fixture(scope="module")
def world(database_urls: DatabaseUrls) -> Iterator[World]:
    urls = committed_database("cadence_currency_race_test")

    async def seed() -> World:
        engine = create_engine(urls.app)
        try:
            async with session_factory(engine)() as session:
                studio = await build_studio(session)
                await session.commit()
                return World(urls, studio.admin, studio.students["Ana"].id)
        finally:
            await engine.dispose()

    yield asyncio.run(seed())


async def test_a_currency_change_waits_for_the_first_payment_and_is_then_refused(world: World) -> None:
    engine = create_engine(world.urls.app)
    sessions = session_factory(engine)
    try:
        async with unit_of_work(sessions, world.admin) as probe:  # no money yet: the change is possible
            assert not await orgs._money_recorded(probe, world.admin)
        async with unit_of_work(sessions, world.admin) as paying:
            await payments.record_payment(
                paying,
                world.admin,
                data=PaymentIn(
                    student_id=world.student_id, amount=Decimal("45.00"), received_on=date(2026, 11, 2)
                ),
            )

            async def change() -> None:
                async with unit_of_work(sessions, world.admin) as session:
                    await orgs.update_settings(
                        session, world.admin, data=OrganizationSettingsIn(currency="USD")
                    )

            changing = asyncio.create_task(change())
            async with asyncio.timeout(GUARD):  # the change waits on the money lock the payment holds
                while not await waiting_on_an_advisory_lock(engine):
                    assert not changing.done(), changing.exception()
                    await asyncio.sleep(0.02)
        with pytest.raises(Conflict):  # the payment committed; the change saw it
            await asyncio.wait_for(changing, GUARD)
        async with unit_of_work(sessions, world.admin) as session:
            assert (await orgs.get_organization(session, world.admin)).currency == "EUR"
    finally:
        await engine.dispose()


async def waiting_on_an_advisory_lock(engine: AsyncEngine) -> bool:
    async with engine.connect() as conn:
        query = text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
        )
        return bool(await conn.scalar(query))
