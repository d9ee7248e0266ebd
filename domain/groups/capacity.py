"""How full a group is, and the row lock that makes "the last place" go to exactly one enrolment."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import NotFound
from domain.groups.models import Group, StudentGroup
from domain.tenancy import TenantContext


@dataclass(frozen=True)
class Occupancy:
    taken: int
    capacity: int | None  # None: no limit

    @property
    def free(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.taken, 0)

    @property
    def full(self) -> bool:
        return self.capacity is not None and self.taken >= self.capacity


async def lock_group(session: AsyncSession, tenant: TenantContext, group_id: uuid.UUID) -> Group:
    """The group, re-read under ``SELECT … FOR UPDATE``: a second enrolment into the same group waits
    here until the first commits, then counts its membership. ``populate_existing`` because a group
    already in the session would otherwise keep the values it had before the wait."""
    group = await session.scalar(
        select(Group).where(Group.id == group_id).with_for_update().execution_options(populate_existing=True)
    )
    if group is None:
        raise NotFound("No such group.")
    return group


async def occupancy(session: AsyncSession, group: Group, *, from_day: date) -> Occupancy:
    """Places taken from ``from_day`` on: memberships not over by then (current ones, and those that
    start later), so a place promised for next month is not sold twice."""
    taken = await session.scalar(
        select(func.count())
        .select_from(StudentGroup)
        .where(
            StudentGroup.group_id == group.id,
            or_(StudentGroup.end_date.is_(None), StudentGroup.end_date >= from_day),
        )
    )
    return Occupancy(taken=int(taken or 0), capacity=group.capacity)


def full_message(group: Group, seats: Occupancy) -> str:
    return f"{group.name} is full ({seats.taken} of {seats.capacity}); add them to the waitlist?"
