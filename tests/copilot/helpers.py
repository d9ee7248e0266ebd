"""Shared by the copilot tests: a studio with tonight's class, asking as someone, counting marks."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from copilot.service import Copilot, TurnResult
from domain.attendance.models import AttendanceRecord
from domain.db import use_tenant
from domain.sessions import service as sessions
from domain.sessions.schemas import SessionIn
from domain.tenancy import TenantContext
from evals.world import person
from tests.domain.studio import Studio, build_studio

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 20, tzinfo=UTC)


async def tenant_of(session: AsyncSession, slug: str, email: str) -> TenantContext:
    """A demo organization's person, as a tenant (for tests over the simulated school)."""
    return await person(session, slug, email)


async def marks(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(AttendanceRecord)) or 0)


async def ask(
    copilot: Copilot, session: AsyncSession, tenant: TenantContext, text: str, chat: str, now: datetime = NOW
) -> TurnResult:
    await use_tenant(session, tenant)
    return await copilot.ask(session, tenant, text, channel="test", chat=chat, today=now.date(), now=now)


async def studio_with_class(session: AsyncSession) -> Studio:
    studio = await build_studio(session)
    await add_class_tonight(session, studio)
    return studio


async def add_class_tonight(session: AsyncSession, studio: Studio) -> None:
    await sessions.create_session(
        session, studio.admin, data=SessionIn(group_id=studio.salsa.id, date=TODAY, start_time=time(19))
    )
