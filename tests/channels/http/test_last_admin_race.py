"""Two admins taking each other's admin role away at the same moment (or removing each other): the school
keeps an admin. Each request on its own connection with committed data, as the usual rolled-back fixture
would serialise them: one change goes through, the other is refused (409), and one admin remains. One
admin demoting the other alone is the control."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from channels.embedded import DatabaseUrls
from domain.db import create_engine, session_factory, unit_of_work, use_tenant
from domain.errors import Conflict
from domain.orgs import service as orgs
from domain.orgs.models import OrganizationMember
from domain.tenancy import Role, TenantContext
from tests.committed import committed_database
from tests.factories import add_member, make_org, make_user

ROUNDS = 4


@pytest.fixture(scope="module")
def admins_database(database_urls: DatabaseUrls) -> DatabaseUrls:
    return committed_database("cadence_last_admin_race")


@pytest.fixture
async def engine(admins_database: DatabaseUrls) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(admins_database.app, pool_size=4, max_overflow=0)
    yield engine
    await engine.dispose()


async def two_admins(engine: AsyncEngine) -> tuple[TenantContext, TenantContext, uuid.UUID, uuid.UUID]:
    """Two admins of a new school, and each one's membership id."""
    async with unit_of_work(session_factory(engine)) as session:
        _, first = await make_org(session, await make_user(session, "first"))
        second = await add_member(session, first.org_id, await make_user(session, "second"), Role.ADMIN)
        await use_tenant(session, first)
        ids = {m.user_id: m.id for m in await orgs.list_members(session, first)}
    assert first.user_id is not None and second.user_id is not None
    return first, second, ids[first.user_id], ids[second.user_id]


async def _change(engine: AsyncEngine, by: TenantContext, member_id: uuid.UUID, how: str) -> str:
    try:
        async with unit_of_work(session_factory(engine)) as session:
            await use_tenant(session, by)
            if how == "demote":
                await orgs.change_member_role(session, by, member_id=member_id, role=Role.TEACHER)
            else:
                await orgs.remove_member(session, by, member_id=member_id, now=by.now())
            return "done"
    except Conflict:
        return "refused"


async def _admins(engine: AsyncEngine, tenant: TenantContext) -> int:
    async with unit_of_work(session_factory(engine)) as session:
        await use_tenant(session, tenant)
        count = await session.scalar(
            select(func.count())
            .select_from(OrganizationMember)
            .where(OrganizationMember.role == Role.ADMIN, OrganizationMember.removed_at.is_(None))
        )
    return int(count or 0)


@pytest.mark.parametrize("how", ["demote", "remove"])
async def test_two_admins_removing_each_other_at_once_leave_one(engine: AsyncEngine, how: str) -> None:
    first, _, _, second_id = await two_admins(engine)
    assert await _change(engine, first, second_id, how) == "done"  # the control: one alone goes through
    assert await _admins(engine, first) == 1
    for _ in range(ROUNDS):
        first, second, first_id, second_id = await two_admins(engine)
        outcomes = await asyncio.gather(
            _change(engine, first, second_id, how), _change(engine, second, first_id, how)
        )
        assert sorted(outcomes) == ["done", "refused"], outcomes
        assert await _admins(engine, first) == 1
