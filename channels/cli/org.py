"""The organization a command names with ``--org``, opened on the configured (or embedded) database."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from channels.runtime import runtime
from domain.db import create_engine, session_factory, unit_of_work
from domain.errors import NotFound
from domain.orgs import service as orgs
from domain.settings import get_settings


@asynccontextmanager
async def named_organization(slug: str) -> AsyncIterator[tuple[async_sessionmaker[AsyncSession], uuid.UUID]]:
    """Sessions on the app role and the organization's id; NotFound for an unknown slug."""
    with runtime(get_settings()) as rt:
        engine = create_engine(rt.database.app)
        try:
            sessions = session_factory(engine)
            async with unit_of_work(sessions) as session:
                org_id = await orgs.organization_id_by_slug(session, slug)
            if org_id is None:
                raise NotFound("No organization {slug!r}.", values={"slug": slug})
            yield sessions, org_id
        finally:
            await engine.dispose()
