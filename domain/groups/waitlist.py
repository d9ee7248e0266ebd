"""A waitlist per group: add, list in order, remove; a freed place is offered to the next student.

An offer is a message to the office naming the student, never an enrolment: the office confirms it
with an ordinary enrolment, which takes the student off the list.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import Conflict, NotFound
from domain.events import service as events
from domain.groups.capacity import lock_group, occupancy
from domain.groups.models import Group, GroupStatus, StudentGroup, WaitlistEntry
from domain.groups.schemas import WaitlistEntryOut
from domain.groups.service import get_group, require_group_visible
from domain.notifications import emails, recipients
from domain.notifications import service as notifications
from domain.notifications.models import Kind
from domain.notifications.words import words_for
from domain.orgs.permissions import require_office
from domain.orgs.service import get_organization
from domain.students.models import Student, StudentStatus
from domain.students.service import get_student
from domain.tenancy import TenantContext

ENROLLED, REMOVED = "enrolled", "removed"


def _waiting(group_id: uuid.UUID) -> ColumnElement[bool]:
    return and_(WaitlistEntry.group_id == group_id, WaitlistEntry.removed_at.is_(None))


async def add(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    group_id: uuid.UUID,
    student_id: uuid.UUID,
    note: str | None = None,
) -> WaitlistEntry:
    require_office(tenant, "manage waitlists")
    group = await lock_group(session, tenant, group_id)  # two adds of one student: one entry
    student = await get_student(session, tenant, student_id)
    if student.archived_at is not None or student.status is not StudentStatus.ACTIVE:
        raise Conflict("{student} is not an active student.", values={"student": student.full_name})
    if group.status is GroupStatus.CLOSED:
        raise Conflict("{group} is closed.", values={"group": group.name})
    member = await session.scalar(
        select(StudentGroup.id).where(
            StudentGroup.group_id == group_id,
            StudentGroup.student_id == student_id,
            or_(StudentGroup.end_date.is_(None), StudentGroup.end_date >= tenant.today()),
        )
    )
    if member is not None:
        raise Conflict(
            "{student} is already in {group}.", values={"student": student.full_name, "group": group.name}
        )
    already = await session.scalar(
        select(WaitlistEntry.id).where(_waiting(group_id), WaitlistEntry.student_id == student_id)
    )
    if already is not None:
        raise Conflict(
            "{student} is already on the waitlist for {group}.",
            values={"student": student.full_name, "group": group.name},
            details={"entry_id": str(already)},
        )
    entry = WaitlistEntry(
        organization_id=tenant.org_id,
        group_id=group_id,
        student_id=student_id,
        note=(note or "").strip() or None,
        added_by_user_id=tenant.user_id,
        # The list's order: clock_timestamp, not now(), which is one value for a whole transaction.
        created_at=func.clock_timestamp(),
    )
    session.add(entry)
    await session.flush()
    await events.emit(
        session,
        tenant,
        "waitlist.added",
        {"entry_id": str(entry.id), "group_id": str(group_id), "student_id": str(student_id)},
    )
    # A group with room (capacity raised earlier, or no limit) offers the place straight away.
    await offer_freed_places(session, tenant, group, from_day=tenant.today())
    return entry


async def entries(
    session: AsyncSession, tenant: TenantContext, group_id: uuid.UUID
) -> list[WaitlistEntryOut]:
    """The students waiting, first come first: the office sees every group's, a teacher their own."""
    await require_group_visible(session, tenant, await get_group(session, tenant, group_id))
    rows = await session.execute(
        select(WaitlistEntry, Student.full_name)
        .join(Student, Student.id == WaitlistEntry.student_id)
        .where(_waiting(group_id))
        .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
    )
    return [
        WaitlistEntryOut(
            id=entry.id,
            position=position,
            student_id=entry.student_id,
            full_name=name,
            note=entry.note,
            added_at=entry.created_at,
            offered_at=entry.offered_at,
        )
        for position, (entry, name) in enumerate(rows, start=1)
    ]


async def _entry(session: AsyncSession, group_id: uuid.UUID, entry_id: uuid.UUID) -> WaitlistEntry:
    entry = await session.scalar(
        select(WaitlistEntry).where(WaitlistEntry.id == entry_id, _waiting(group_id)).with_for_update()
    )
    if entry is None:
        raise NotFound("No such student waiting for this group.")
    return entry


async def remove(
    session: AsyncSession, tenant: TenantContext, *, group_id: uuid.UUID, entry_id: uuid.UUID
) -> WaitlistEntry:
    require_office(tenant, "manage waitlists")
    group = await lock_group(session, tenant, group_id)
    entry = await _entry(session, group_id, entry_id)
    entry.removed_at, entry.removed_reason = func.now(), REMOVED
    await session.flush()
    await session.refresh(entry)
    await events.emit(
        session,
        tenant,
        "waitlist.removed",
        {"entry_id": str(entry.id), "group_id": str(group_id), "student_id": str(entry.student_id)},
    )
    if entry.offered_at is not None:  # the place they were offered goes to the next one
        await offer_freed_places(session, tenant, group, from_day=tenant.today())
    return entry


async def mark_enrolled(
    session: AsyncSession, tenant: TenantContext, *, group_id: uuid.UUID, student_id: uuid.UUID
) -> None:
    """Called by enrolment: a student who got the place leaves the list (kept, as "enrolled")."""
    entry = await session.scalar(
        select(WaitlistEntry).where(_waiting(group_id), WaitlistEntry.student_id == student_id)
    )
    if entry is not None:
        entry.removed_at, entry.removed_reason = func.now(), ENROLLED
        await session.flush()


async def offer_freed_places(
    session: AsyncSession, tenant: TenantContext, group: Group, *, from_day: date
) -> list[WaitlistEntry]:
    """Offer each free place (not already offered) to the next student waiting; the office is told.

    The caller holds the group's row lock, so two places freed at once are offered to two different
    students, and one place never to two."""
    if group.status is GroupStatus.CLOSED:
        return []
    waiting = list(
        (
            await session.scalars(
                select(WaitlistEntry)
                .where(_waiting(group.id))
                .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
            )
        ).all()
    )
    if not waiting:
        return []
    seats = await occupancy(session, group, from_day=from_day)
    outstanding = sum(1 for e in waiting if e.offered_at is not None)
    unoffered = [e for e in waiting if e.offered_at is None]
    places = len(unoffered) if seats.free is None else max(seats.free - outstanding, 0)
    chosen = unoffered[:places]
    if not chosen:
        return []
    named = select(Student.id, Student.full_name).where(Student.id.in_([e.student_id for e in chosen]))
    names = {student_id: name for student_id, name in await session.execute(named)}
    prefs = await notifications.preferences(session, tenant)
    admins = await recipients.admins(session, tenant, telegram=True)
    now = tenant.now()
    org_locale = (await get_organization(session, tenant)).locale
    for entry in chosen:
        entry.offered_at = now
        name = names[entry.student_id]
        for admin in admins:  # each admin in their own language
            said = emails.waitlist_offer(
                words_for(admin.language, org_locale), group=group.name, name=name, from_day=from_day
            )
            message = notifications.Message(
                admin, Kind.WAITLIST_OFFER, f"waitlist:{entry.id}", said.subject, said.body
            )
            await notifications.queue(session, tenant, message, prefs=prefs, now=now)
        await events.emit(
            session,
            tenant,
            "waitlist.offered",
            {
                "entry_id": str(entry.id),
                "group_id": str(group.id),
                "student_id": str(entry.student_id),
                "from_date": from_day.isoformat(),
            },
        )
    await session.flush()
    return chosen
