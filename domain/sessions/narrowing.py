"""Narrowing a report to one group, teacher or venue.

Every id is checked before any row is read: it must exist (else ``NotFound``) and the caller must be
allowed to see it (a teacher: their own groups and their own classes, else ``Forbidden``). A narrowed
report therefore never shows more than the whole report would, and a wrong id is an error, never an
empty list that looks like an answer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import Forbidden
from domain.groups.models import Group
from domain.groups.service import get_group, require_group_visible
from domain.scheduling.models import GroupSlot
from domain.teachers.models import Teacher
from domain.teachers.service import get_teacher, visibility
from domain.tenancy import TenantContext
from domain.venues.models import Venue
from domain.venues.service import get_venue


@dataclass(frozen=True)
class Narrowing:
    group: Group | None = None
    teacher: Teacher | None = None
    venue: Venue | None = None

    @property
    def group_id(self) -> uuid.UUID | None:
        return self.group.id if self.group is not None else None

    @property
    def teacher_id(self) -> uuid.UUID | None:
        return self.teacher.id if self.teacher is not None else None

    @property
    def venue_id(self) -> uuid.UUID | None:
        return self.venue.id if self.venue is not None else None

    def said(self, subject: str | None = None) -> str | None:
        """Whose data it is, in words: "Emma Pascual in Jazz Beginners", "Martina Delgado's classes at
        Sala Sur"; None when nothing narrows it (the caller says "the organization" or nothing)."""
        parts: list[str] = [subject] if subject else []
        if self.group is not None:
            parts.append(f"in {self.group.name}" if parts else self.group.name)
        if self.teacher is not None:
            parts.append(f"with {self.teacher.full_name}" if parts else f"{self.teacher.full_name}'s classes")
        if self.venue is not None:
            parts.append(f"at {self.venue.name}" if parts else f"classes at {self.venue.name}")
        return " ".join(parts) or None


async def narrowing(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    group_id: uuid.UUID | None = None,
    teacher_id: uuid.UUID | None = None,
    venue_id: uuid.UUID | None = None,
) -> Narrowing:
    group = await get_group(session, tenant, group_id) if group_id is not None else None
    if group is not None:
        await require_group_visible(session, tenant, group)
    teacher = await get_teacher(session, tenant, teacher_id) if teacher_id is not None else None
    if teacher is not None:
        seen = await visibility(session, tenant)
        if not seen.everything and teacher.id != seen.teacher_id:
            raise Forbidden("Teachers can only see their own classes.")
    venue = await get_venue(session, tenant, venue_id) if venue_id is not None else None
    return Narrowing(group=group, teacher=teacher, venue=venue)


def groups_meeting_at(venue_id: uuid.UUID, *, start: date, end: date) -> Select[uuid.UUID]:
    """The ids of the groups that meet at a venue in a period: it is their venue, or one of their
    weekly slots in force then is held there (a group can meet in two places)."""
    slots_there = select(GroupSlot.group_id).where(
        GroupSlot.venue_id == venue_id,
        GroupSlot.valid_from <= end,
        or_(GroupSlot.valid_until.is_(None), GroupSlot.valid_until >= start),
    )
    return select(Group.id).where(or_(Group.venue_id == venue_id, Group.id.in_(slots_there)))
