"""A group's new venue or regular teacher, for every weekly class it has, from a date.

When a group meets on several days, "Tap Improvers moves to Studio Centro from January" or "Sofía takes
over Zouk Advanced" is about all of its weekly classes. Each slot running from that date changes through
``change_slot`` — so each keeps its own history (split at the date, earlier classes untouched, one audit
entry per slot) and substitutes already assigned to one date stay. A new time or weekday is not a group
change: it belongs to one weekly class.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import Conflict, Invalid
from domain.groups.models import Group
from domain.groups.service import get_group
from domain.orgs.permissions import require_office
from domain.scheduling.models import GroupSlot
from domain.scheduling.schemas import GroupChange, SlotChange
from domain.scheduling.service import change_slot, following
from domain.teachers.service import get_teacher
from domain.tenancy import TenantContext
from domain.venues.service import get_venue


@dataclass(frozen=True)
class GroupChangeScope:
    """What a group change from ``start`` reaches: the slots still running then (in force that day or
    starting later, oldest first) and how many classes still scheduled from then follow the change."""

    group: Group
    start: date
    slots: list[GroupSlot]
    following: int

    @property
    def weekdays(self) -> list[int]:
        return sorted({slot.weekday for slot in self.slots})


async def _running_from(
    session: AsyncSession, group_id: uuid.UUID, start: date, *, lock: bool
) -> list[GroupSlot]:
    query = (
        select(GroupSlot)
        .where(
            GroupSlot.group_id == group_id,
            GroupSlot.valid_until.is_(None) | (GroupSlot.valid_until >= start),
        )
        .order_by(GroupSlot.valid_from, GroupSlot.weekday, GroupSlot.start_time)
    )
    if lock:
        # Two group changes confirmed at once queue here; the second then sees the slots the first
        # made (not the identity map's stale copies) and is refused as out of date.
        query = query.with_for_update().execution_options(populate_existing=True)
    return list((await session.scalars(query)).all())


async def group_change_scope(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    group_id: uuid.UUID,
    start: date,
    today: date,
    lock: bool = False,
) -> GroupChangeScope:
    """Reads only: the preview counts exactly what ``change_group_slots`` will change."""
    require_office(tenant, "edit schedules")
    if start < today:
        raise Invalid(
            "A change takes effect today or later; past classes stay as they were.",
            details={"field": "effective_from"},
        )
    group = await get_group(session, tenant, group_id)
    slots = await _running_from(session, group_id, start, lock=lock)
    # A class made by hand on a slot's day and time is that slot's too: count each class once.
    classes = {row.id for slot in slots for row in await following(session, slot, start)}
    return GroupChangeScope(group, start, slots, len(classes))


@dataclass(frozen=True)
class GroupChanged:
    slots: list[GroupSlot]  # the slots in force from the date, after the change
    following: int


async def change_group_slots(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    group_id: uuid.UUID,
    data: GroupChange,
    today: date,
    expected_slot_ids: Collection[uuid.UUID] | None = None,
) -> GroupChanged:
    """Give every weekly class of the group the new venue and/or teacher from ``data.effective_from``.

    ``expected_slot_ids`` are the slots a preview showed: if the group's schedule changed since (a
    weekly class added, ended or already changed), nothing is changed and the caller asks again.
    """
    require_office(tenant, "edit schedules")
    if data.venue_id is not None:
        await get_venue(session, tenant, data.venue_id)
    if data.teacher_id is not None:
        await get_teacher(session, tenant, data.teacher_id)
    scope = await group_change_scope(
        session, tenant, group_id=group_id, start=data.effective_from, today=today, lock=True
    )
    if not scope.slots:
        raise Invalid(
            "{group} has no weekly schedule from {effective_from}.",
            values={"group": scope.group.name, "effective_from": data.effective_from.isoformat()},
            details={"field": "effective_from"},
        )
    if expected_slot_ids is not None and set(expected_slot_ids) != {slot.id for slot in scope.slots}:
        raise Conflict(
            "The weekly schedule of {group} changed since the preview; nothing was changed. Ask again for a "
            "fresh preview.",
            values={"group": scope.group.name},
        )
    # Only the fields said: an unset venue or teacher is kept, never cleared.
    change = data.model_dump(exclude_none=True, exclude_unset=True)
    changed = [
        await change_slot(session, tenant, slot.id, data=SlotChange(**change), today=today)
        for slot in scope.slots
    ]
    return GroupChanged(changed, scope.following)
