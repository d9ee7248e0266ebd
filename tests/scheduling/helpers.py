"""A studio with weekly slots, and a way to read the generated classes back."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.groups.models import Group
from domain.scheduling import service as scheduling
from domain.scheduling.models import GroupSlot
from domain.scheduling.schemas import SlotIn
from domain.sessions.models import ClassSession
from tests.domain.studio import Studio


async def weekly(
    session: AsyncSession,
    studio: Studio,
    group: Group,
    *,
    weekday: int,
    at: time = time(18),
    until: time = time(19),
    valid_from: date,
    every: int = 1,
) -> GroupSlot:
    return await scheduling.add_slot(
        session,
        studio.admin,
        group_id=group.id,
        data=SlotIn(
            weekday=weekday, start_time=at, end_time=until, valid_from=valid_from, interval_weeks=every
        ),
    )


async def classes(session: AsyncSession, group: Group) -> list[ClassSession]:
    rows = await session.scalars(
        select(ClassSession)
        .where(ClassSession.group_id == group.id)
        .order_by(ClassSession.date, ClassSession.start_time)
    )
    return list(rows.all())


async def stored(session: AsyncSession, group: Group) -> dict[Any, dict[str, Any]]:
    """Every column of every class of the group, read from the table itself (not the ORM's cache)."""
    table = ClassSession.__table__
    rows = await session.execute(select(table).where(table.c.group_id == group.id))
    return {r["id"]: dict(r) for r in rows.mappings()}
