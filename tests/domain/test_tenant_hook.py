from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.db import unit_of_work, use_tenant
from domain.orgs.models import Organization
from tests.factories import make_org, make_user


async def test_each_transaction_starts_with_the_sessions_tenant(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with unit_of_work(sessions) as session:
        admin = await make_user(session, "admin")
        org, tenant = await make_org(session, admin)

    async with unit_of_work(sessions, tenant) as session:
        assert await session.scalar(text("SELECT current_setting('app.org_id', true)")) == str(org.id)
        assert (await session.execute(select(Organization.id))).scalars().all() == [org.id]

    async with unit_of_work(sessions) as session:
        assert await session.scalar(text("SELECT current_setting('app.org_id', true)")) == ""
        assert (await session.execute(select(Organization.id))).scalars().all() == []


async def test_use_tenant_switches_the_running_transaction(session: AsyncSession) -> None:
    admin = await make_user(session, "admin")
    first, first_tenant = await make_org(session, admin)
    second, second_tenant = await make_org(session, admin)
    await use_tenant(session, first_tenant)
    assert (await session.execute(select(Organization.id))).scalars().all() == [first.id]
    await use_tenant(session, second_tenant)
    assert (await session.execute(select(Organization.id))).scalars().all() == [second.id]
    await use_tenant(session, None)
    assert (await session.execute(select(Organization.id))).scalars().all() == []
