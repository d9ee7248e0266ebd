"""Groups (ongoing classes): lifecycle, rosters on any date, and a group-level overview."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import SQLCoreOperations

from domain.attendance.models import AttendanceRecord, AttendanceStatus
from domain.audit import service as audit
from domain.contact import clean_name
from domain.errors import Conflict, Forbidden, NotFound
from domain.events import service as events
from domain.groups.capacity import lock_group
from domain.groups.models import Group, GroupStatus, StudentGroup
from domain.groups.schemas import GroupIn, GroupOut, GroupOverview, GroupUpdate, RosterEntry
from domain.orgs.permissions import is_office, require_office
from domain.private_lessons.models import PrivateSession
from domain.search import Match, search_names
from domain.sessions.models import ClassSession, SessionStatus
from domain.students.models import Student
from domain.teachers.service import get_teacher, teacher_for_user, visibility
from domain.tenancy import TenantContext
from domain.text import fold
from domain.venues.service import get_venue

# Which lifecycle moves are allowed; closed is final (history stays, nothing new happens).
TRANSITIONS: dict[GroupStatus, frozenset[GroupStatus]] = {
    GroupStatus.ACTIVE: frozenset({GroupStatus.PAUSED, GroupStatus.CLOSED}),
    GroupStatus.PAUSED: frozenset({GroupStatus.ACTIVE, GroupStatus.CLOSED}),
    GroupStatus.CLOSED: frozenset(),
}


def active_on(day: date | SQLCoreOperations[date]) -> ColumnElement[bool]:
    """SQL condition: the membership covers ``day`` (end dates are the last day, inclusive)."""
    return and_(
        StudentGroup.start_date <= day, or_(StudentGroup.end_date.is_(None), StudentGroup.end_date >= day)
    )


async def create_group(session: AsyncSession, tenant: TenantContext, *, data: GroupIn) -> Group:
    require_office(tenant, "create groups")
    if data.venue_id:
        await get_venue(session, tenant, data.venue_id)
    if data.teacher_id:
        await get_teacher(session, tenant, data.teacher_id)
    name = clean_name(data.name, field="name")
    group = Group(
        organization_id=tenant.org_id,
        name=name,
        search_name=fold(name),
        status=GroupStatus.ACTIVE,
        venue_id=data.venue_id,
        teacher_id=data.teacher_id,
        capacity=data.capacity,
    )
    session.add(group)
    await session.flush()
    await events.emit(session, tenant, "group.created", {"group_id": str(group.id)})
    return group


async def get_group(session: AsyncSession, tenant: TenantContext, group_id: uuid.UUID) -> Group:
    group = await session.get(Group, group_id)
    if group is None:
        raise NotFound("No such group.")
    return group


async def list_groups(
    session: AsyncSession, tenant: TenantContext, *, status: GroupStatus | None = None
) -> list[Group]:
    query = select(Group).order_by(Group.search_name)
    if status is not None:
        query = query.where(Group.status == status)
    return list((await session.execute(query)).scalars())


async def search_groups(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    query: str,
    limit: int = 10,
    include_closed: bool = False,
    exact_wins: bool = False,
) -> list[Match]:
    where = [] if include_closed else [Group.status != GroupStatus.CLOSED]
    return await search_names(
        session,
        query=query,
        id_column=Group.id,
        name_column=Group.name,
        folded_column=Group.search_name,
        where=where,
        limit=limit,
        exact_wins=exact_wins,
    )


async def update_group(
    session: AsyncSession, tenant: TenantContext, group_id: uuid.UUID, *, data: GroupUpdate
) -> Group:
    require_office(tenant, "edit groups")
    group = await get_group(session, tenant, group_id)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("venue_id"):
        await get_venue(session, tenant, changes["venue_id"])
    if changes.get("teacher_id"):
        await get_teacher(session, tenant, changes["teacher_id"])
    if "capacity" in changes:  # lock before reading, so a raise and an enrolment do not cross
        group = await lock_group(session, tenant, group_id)
    before = GroupOut.model_validate(group).model_dump(mode="json")
    for field, value in changes.items():
        if field == "name":
            group.name = clean_name(value or "", field="name")
            group.search_name = fold(group.name)
        else:
            setattr(group, field, value)
    await session.flush()
    after = GroupOut.model_validate(group).model_dump(mode="json")
    if after != before:
        await audit.record(
            session,
            tenant,
            action="group.updated",
            entity_type="group",
            entity_id=group.id,
            before=before,
            after=after,
        )
    if after["capacity"] != before["capacity"]:
        # Imported here: the waitlist builds on this module (get_group, visibility).
        from domain.groups.waitlist import offer_freed_places

        await offer_freed_places(session, tenant, group, from_day=tenant.today())
    return group


async def change_group_status(
    session: AsyncSession,
    tenant: TenantContext,
    group_id: uuid.UUID,
    *,
    status: GroupStatus,
    reason: str | None,
) -> Group:
    """active ⇄ paused, either → closed. Paused and closed groups get no new sessions."""
    require_office(tenant, "change a group's status")
    group = await get_group(session, tenant, group_id)
    if status == group.status:
        return group
    if status not in TRANSITIONS[group.status]:
        raise Conflict(
            "A {status} group cannot become {new_status}.",
            values={"status": group.status.value, "new_status": status.value},
        )
    before = group.status
    group.status = status
    await session.flush()
    await audit.record(
        session,
        tenant,
        action="group.status_changed",
        entity_type="group",
        entity_id=group.id,
        before={"status": before.value},
        after={"status": status.value},
        reason=reason,
    )
    await events.emit(
        session,
        tenant,
        "group.status_changed",
        {"group_id": str(group.id), "from": before.value, "to": status.value},
    )
    return group


async def require_group_visible(
    session: AsyncSession, tenant: TenantContext, group: Group, *, on: date | None = None
) -> None:
    """The office sees every group; a teacher the groups they teach, and on a day they stand in
    for the regular teacher, that day's class."""
    seen = await visibility(session, tenant)
    if seen.everything or group.teacher_id == seen.teacher_id:
        return
    stands_in = (
        await session.scalar(
            select(ClassSession.id)
            .where(
                ClassSession.group_id == group.id,
                ClassSession.teacher_id == seen.teacher_id,
                ClassSession.date == on,
            )
            .limit(1)
        )
        if on is not None
        else None
    )
    if stands_in is None:
        raise Forbidden("Teachers can only see their own groups.")


async def visible_group_ids(session: AsyncSession, tenant: TenantContext) -> set[uuid.UUID] | None:
    """None for the office (every group); otherwise the groups a teacher teaches."""
    seen = await visibility(session, tenant)
    if seen.everything:
        return None
    return set((await session.execute(select(Group.id).where(Group.teacher_id == seen.teacher_id))).scalars())


async def visible_student_filter(
    session: AsyncSession, tenant: TenantContext, student_id: ColumnElement[uuid.UUID] | Any
) -> ColumnElement[bool]:
    """A WHERE clause: true for every student for the office; for a teacher, the students of their
    groups and of their private lessons."""
    if is_office(tenant):
        return true()
    own = await teacher_for_user(session, tenant, tenant.user_id) if tenant.user_id else None
    if own is None:  # a teacher's account not yet linked to a teacher record teaches nobody
        return false()
    taught = select(Group.id).where(Group.teacher_id == own.id)
    return or_(
        student_id.in_(select(StudentGroup.student_id).where(StudentGroup.group_id.in_(taught))),
        student_id.in_(select(PrivateSession.student_id).where(PrivateSession.teacher_id == own.id)),
    )


async def require_student_visible(
    session: AsyncSession, tenant: TenantContext, student_id: uuid.UUID
) -> None:
    allowed = await session.scalar(
        select(Student.id).where(
            Student.id == student_id, await visible_student_filter(session, tenant, Student.id)
        )
    )
    if allowed is None:
        raise Forbidden("Teachers can only see students of their own groups.")


async def roster(
    session: AsyncSession, tenant: TenantContext, group_id: uuid.UUID, *, on: date
) -> list[RosterEntry]:
    """Who belonged to the group on ``on`` — any past or future date."""
    await require_group_visible(session, tenant, await get_group(session, tenant, group_id), on=on)
    rows = await session.execute(
        select(StudentGroup, Student.full_name)
        .join(Student, Student.id == StudentGroup.student_id)
        .where(StudentGroup.group_id == group_id, active_on(on))
        .order_by(Student.search_name)
    )
    return [
        RosterEntry(
            student_id=m.student_id,
            full_name=name,
            membership_id=m.id,
            start_date=m.start_date,
            end_date=m.end_date,
        )
        for m, name in rows
    ]


async def group_overview(
    session: AsyncSession, tenant: TenantContext, group_id: uuid.UUID, *, start: date, end: date, today: date
) -> GroupOverview:
    group = await get_group(session, tenant, group_id)
    await require_group_visible(session, tenant, group)
    in_period = and_(ClassSession.group_id == group_id, ClassSession.date.between(start, end))
    counts = dict(
        (
            await session.execute(
                select(ClassSession.status, func.count()).where(in_period).group_by(ClassSession.status)
            )
        ).all()
    )
    attended = func.count().filter(
        AttendanceRecord.status.in_([AttendanceStatus.PRESENT, AttendanceStatus.LATE])
    )
    marks, came = (
        await session.execute(
            select(func.count(), attended)
            .select_from(AttendanceRecord)
            .join(ClassSession, ClassSession.id == AttendanceRecord.class_session_id)
            .where(in_period, ClassSession.status == SessionStatus.HELD)
        )
    ).one()
    roster_size = await session.scalar(
        select(func.count())
        .select_from(StudentGroup)
        .where(StudentGroup.group_id == group_id, active_on(today))
    )
    rate = (Decimal(came) / Decimal(marks)).quantize(Decimal("0.001"), ROUND_HALF_UP) if marks else None
    return GroupOverview(
        group=GroupOut.model_validate(group),
        roster_size=roster_size or 0,
        sessions_held=counts.get(SessionStatus.HELD, 0),
        sessions_cancelled=counts.get(SessionStatus.CANCELLED, 0),
        sessions_scheduled=counts.get(SessionStatus.SCHEDULED, 0),
        attendance_rate=rate,
        period_start=start,
        period_end=end,
    )
