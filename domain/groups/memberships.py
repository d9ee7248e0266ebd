"""Student ↔ group memberships over date ranges: enroll, leave, move. History is never rewritten."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import and_, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import Conflict, Invalid, NotFound
from domain.events import service as events
from domain.groups import waitlist
from domain.groups.capacity import lock_group, occupancy
from domain.groups.models import Group, GroupStatus, StudentGroup
from domain.groups.service import active_on, get_group, require_student_visible
from domain.orgs.permissions import require_office
from domain.students.models import StudentStatus
from domain.students.service import get_student
from domain.tenancy import TenantContext


async def _overlapping(
    session: AsyncSession, student_id: uuid.UUID, group_id: uuid.UUID, start: date, end: date | None
) -> StudentGroup | None:
    """A membership of the same student in the same group whose range meets [start, end]."""
    ends_after_start = or_(StudentGroup.end_date.is_(None), StudentGroup.end_date >= start)
    starts_before_end = StudentGroup.start_date <= end if end is not None else true()
    query = select(StudentGroup).where(
        StudentGroup.student_id == student_id,
        StudentGroup.group_id == group_id,
        and_(ends_after_start, starts_before_end),
    )
    return (await session.execute(query)).scalars().first()


async def enroll(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    student_id: uuid.UUID,
    group_id: uuid.UUID,
    start_date: date,
) -> StudentGroup:
    require_office(tenant, "enroll students")
    student = await get_student(session, tenant, student_id)
    group = await lock_group(session, tenant, group_id)  # held until commit: one last place, one enrolment
    if student.archived_at is not None or student.status is not StudentStatus.ACTIVE:
        raise Conflict("{student} is not an active student.", values={"student": student.full_name})
    if group.status is GroupStatus.CLOSED:
        raise Conflict("{group} is closed.", values={"group": group.name})
    clash = await _overlapping(session, student_id, group_id, start_date, None)
    if clash is not None:
        raise Conflict(
            "{student} is already in {group} from {start} to {end}."
            if clash.end_date
            else "{student} is already in {group} from {start}.",
            values={
                "student": student.full_name,
                "group": group.name,
                "start": clash.start_date.isoformat(),
                "end": clash.end_date.isoformat() if clash.end_date else "",
            },
            details={"membership_id": str(clash.id)},
        )
    seats = await occupancy(session, group, from_day=start_date)
    if seats.full:
        raise Conflict(
            "{group} is full ({taken} of {capacity}); add them to the waitlist?",
            values={"group": group.name, "taken": seats.taken, "capacity": seats.capacity},
            details={"group_id": str(group.id), "taken": seats.taken, "capacity": seats.capacity},
        )
    membership = StudentGroup(
        organization_id=tenant.org_id, student_id=student_id, group_id=group_id, start_date=start_date
    )
    session.add(membership)
    await session.flush()
    await events.emit(
        session,
        tenant,
        "membership.started",
        {
            "membership_id": str(membership.id),
            "student_id": str(student_id),
            "group_id": str(group_id),
            "start_date": start_date.isoformat(),
        },
    )
    await waitlist.mark_enrolled(session, tenant, group_id=group_id, student_id=student_id)
    return membership


async def _current(
    session: AsyncSession, tenant: TenantContext, student_id: uuid.UUID, group_id: uuid.UUID, on: date
) -> StudentGroup:
    query = select(StudentGroup).where(
        StudentGroup.student_id == student_id, StudentGroup.group_id == group_id, active_on(on)
    )
    membership = (await session.execute(query)).scalars().first()
    if membership is None:
        student = await get_student(session, tenant, student_id)
        group = await get_group(session, tenant, group_id)
        raise NotFound(
            "{student} is not in {group} on {on}.",
            values={"student": student.full_name, "group": group.name, "on": on.isoformat()},
        )
    return membership


async def leave(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    student_id: uuid.UUID,
    group_id: uuid.UUID,
    end_date: date,
) -> StudentGroup:
    """End the membership that covers ``end_date``; that day is the student's last in the group."""
    require_office(tenant, "change enrollments")
    group = await lock_group(session, tenant, group_id)
    membership = await _current(session, tenant, student_id, group_id, end_date)
    membership.end_date = end_date
    await session.flush()
    await events.emit(
        session,
        tenant,
        "membership.ended",
        {
            "membership_id": str(membership.id),
            "student_id": str(student_id),
            "group_id": str(group_id),
            "end_date": end_date.isoformat(),
        },
    )
    await waitlist.offer_freed_places(session, tenant, group, from_day=end_date + timedelta(days=1))
    return membership


async def move(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    student_id: uuid.UUID,
    from_group_id: uuid.UUID,
    to_group_id: uuid.UUID,
    on_date: date,
) -> tuple[StudentGroup, StudentGroup]:
    """One operation: the old membership ends the day before ``on_date``, the new one starts on it."""
    if from_group_id == to_group_id:
        raise Invalid("Moving needs two different groups.", details={"field": "to_group_id"})
    locked = {gid: await lock_group(session, tenant, gid) for gid in sorted((from_group_id, to_group_id))}
    target = locked[to_group_id]  # locked in one order above, so two opposite moves never deadlock
    seats = await occupancy(session, target, from_day=on_date)
    if seats.full:  # checked before the old membership ends, so a refused move changes nothing
        raise Conflict(
            "{group} is full ({taken} of {capacity}); add them to the waitlist?",
            values={"group": target.name, "taken": seats.taken, "capacity": seats.capacity},
            details={"group_id": str(target.id), "taken": seats.taken, "capacity": seats.capacity},
        )
    old = await _current(session, tenant, student_id, from_group_id, on_date)
    if old.start_date >= on_date:
        raise Invalid(
            "The student joined that group on the move date; end or change that enrollment instead.",
            details={"field": "on_date"},
        )
    ended = await leave(
        session, tenant, student_id=student_id, group_id=from_group_id, end_date=on_date - timedelta(days=1)
    )
    started = await enroll(session, tenant, student_id=student_id, group_id=to_group_id, start_date=on_date)
    return ended, started


async def memberships_of(
    session: AsyncSession, tenant: TenantContext, student_id: uuid.UUID, *, on: date | None = None
) -> list[tuple[StudentGroup, Group]]:
    """A student's memberships (all history, or those covering ``on``), oldest first."""
    await get_student(session, tenant, student_id)
    await require_student_visible(session, tenant, student_id)
    query = (
        select(StudentGroup, Group)
        .join(Group, Group.id == StudentGroup.group_id)
        .where(StudentGroup.student_id == student_id)
        .order_by(StudentGroup.start_date, Group.search_name)
    )
    if on is not None:
        query = query.where(active_on(on))
    return [(m, g) for m, g in await session.execute(query)]
