"""Group schedules and the class sessions they generate.

History is never rewritten: generation only inserts (unique per group, date and start time, so a
second run creates nothing and sessions already held or cancelled are never touched); a slot change
takes effect from a date, ending the old slot the day before, and updates only the future sessions
that are still scheduled; a closure cancels, with its reason, only future scheduled sessions.
"""

from __future__ import annotations

import calendar as weekdays
import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.archive import end_once
from domain.audit import service as audit
from domain.errors import Invalid, NotFound
from domain.events import service as events
from domain.groups.models import Group, GroupStatus
from domain.groups.service import get_group
from domain.orgs.permissions import require_office
from domain.orgs.service import get_organization
from domain.scheduling.calendar import closed_dates, first_on_or_after, occurrences
from domain.scheduling.models import Closure, GroupSlot
from domain.scheduling.schemas import ClosureIn, Generation, SlotChange, SlotIn, SlotOut
from domain.sessions import service as class_sessions
from domain.sessions.models import ClassSession, SessionStatus
from domain.sessions.schemas import SessionUpdate
from domain.teachers.service import get_teacher
from domain.tenancy import TenantContext
from domain.venues.service import get_venue


async def _check_refs(
    session: AsyncSession, tenant: TenantContext, venue_id: uuid.UUID | None, teacher_id: uuid.UUID | None
) -> None:
    if venue_id is not None:
        await get_venue(session, tenant, venue_id)
    if teacher_id is not None:
        await get_teacher(session, tenant, teacher_id)


async def get_slot(
    session: AsyncSession, tenant: TenantContext, slot_id: uuid.UUID, *, for_update: bool = False
) -> GroupSlot:
    """``for_update``: locked and read afresh, for a change that checks the slot first (a second change
    at once, a button pressed twice, waits and then sees the first one's result)."""
    if for_update:
        slot = await session.scalar(
            select(GroupSlot)
            .where(GroupSlot.id == slot_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    else:
        slot = await session.get(GroupSlot, slot_id)
    if slot is None:
        raise NotFound("No such schedule slot.")
    return slot


async def add_slot(
    session: AsyncSession, tenant: TenantContext, *, group_id: uuid.UUID, data: SlotIn
) -> GroupSlot:
    require_office(tenant, "edit schedules")
    await get_group(session, tenant, group_id)
    await _check_refs(session, tenant, data.venue_id, data.teacher_id)
    slot = GroupSlot(
        organization_id=tenant.org_id,
        group_id=group_id,
        anchor_date=first_on_or_after(data.valid_from, data.weekday),
        **data.model_dump(),
    )
    session.add(slot)
    await session.flush()
    await audit.record(
        session,
        tenant,
        action="slot.created",
        entity_type="group_slot",
        entity_id=slot.id,
        after=SlotOut.model_validate(slot).model_dump(mode="json"),
    )
    return slot


async def list_slots(
    session: AsyncSession, tenant: TenantContext, *, group_id: uuid.UUID, on: date | None = None
) -> list[GroupSlot]:
    """A group's slots, oldest first; with ``on``, only those in force that day."""
    await get_group(session, tenant, group_id)
    query = select(GroupSlot).where(GroupSlot.group_id == group_id)
    if on is not None:
        query = query.where(
            GroupSlot.valid_from <= on, (GroupSlot.valid_until.is_(None)) | (GroupSlot.valid_until >= on)
        )
    return list((await session.scalars(query.order_by(GroupSlot.valid_from, GroupSlot.weekday))).all())


async def _materialize(
    session: AsyncSession, tenant: TenantContext, slots: list[GroupSlot], start: date, until: date
) -> Generation:
    org = await get_organization(session, tenant)
    closed = await closed_dates(session, org, start, until)
    groups = {
        g.id: g
        for g in (await session.scalars(select(Group).where(Group.id.in_({s.group_id for s in slots})))).all()
    }
    rows, skipped = [], 0
    for slot in slots:
        group = groups[slot.group_id]
        venue_id = slot.venue_id or group.venue_id
        teacher_id = slot.teacher_id or group.teacher_id
        if group.status is not GroupStatus.ACTIVE or teacher_id is None:
            continue  # paused/closed groups generate nothing; a class always has a teacher
        for day in occurrences(slot, start, until):
            if closed.reason(day, venue_id):
                skipped += 1
                continue
            rows.append(
                {
                    "organization_id": tenant.org_id,
                    "group_id": group.id,
                    "slot_id": slot.id,
                    "venue_id": venue_id,
                    "teacher_id": teacher_id,
                    "date": day,
                    "start_time": slot.start_time,
                    "end_time": slot.end_time,
                    "status": SessionStatus.SCHEDULED,
                }
            )
    # The classes already there (generated, made by hand, held or cancelled) are skipped up front, so a
    # repeated run sends no INSERT; ON CONFLICT still covers a run racing another.
    found = await session.execute(
        select(ClassSession.group_id, ClassSession.date, ClassSession.start_time).where(
            ClassSession.group_id.in_(groups), ClassSession.date >= start, ClassSession.date <= until
        )
    )
    taken = {(group_id, day, at) for group_id, day, at in found}
    missing = [r for r in rows if (r["group_id"], r["date"], r["start_time"]) not in taken]
    created = 0
    if missing:
        inserted = await session.scalars(
            insert(ClassSession)
            .on_conflict_do_nothing(
                index_elements=["organization_id", "group_id", "date", "start_time"],
                index_where=ClassSession.group_id.is_not(None),
            )
            .returning(ClassSession.id),
            missing,
        )
        created = len(inserted.all())
    return Generation(
        start=start, until=until, created=created, already_there=len(rows) - created, closed=skipped
    )


async def generate(
    session: AsyncSession, tenant: TenantContext, *, today: date, until: date | None = None
) -> Generation:
    """Create the scheduled sessions of every active group from today to ``until`` (the
    organization's horizon, 4 weeks by default). Safe to run any number of times."""
    require_office(tenant, "generate the schedule")
    org = await get_organization(session, tenant)
    until = until or today + timedelta(weeks=org.schedule_horizon_weeks)
    if until < today:
        raise Invalid("Generate up to a date that is not in the past.", details={"field": "until"})
    if until > today + timedelta(days=366):
        raise Invalid("Generate at most a year ahead.", details={"field": "until"})
    slots = list(
        (
            await session.scalars(
                select(GroupSlot)
                .join(Group, Group.id == GroupSlot.group_id)
                .where(
                    Group.status == GroupStatus.ACTIVE,
                    GroupSlot.valid_from <= until,
                    (GroupSlot.valid_until.is_(None)) | (GroupSlot.valid_until >= today),
                )
            )
        ).all()
    )
    result = (
        await _materialize(session, tenant, slots, today, until)
        if slots
        else Generation(start=today, until=until, created=0, already_there=0, closed=0)
    )
    if result.created:
        await events.emit(session, tenant, "schedule.generated", result.model_dump(mode="json"))
    return result


async def following(session: AsyncSession, slot: GroupSlot, start: date) -> list[ClassSession]:
    """The slot's classes still scheduled from ``start``: those it generated, and those made by hand
    on its day and time (generation counts them as the slot's, by the same unique key)."""
    by_hand = and_(
        ClassSession.slot_id.is_(None),
        ClassSession.group_id == slot.group_id,
        func.extract("isodow", ClassSession.date) == slot.weekday + 1,
        ClassSession.start_time == slot.start_time,
    )
    return list(
        (
            await session.scalars(
                select(ClassSession)
                .where(
                    or_(ClassSession.slot_id == slot.id, by_hand),
                    ClassSession.date >= start,
                    ClassSession.status == SessionStatus.SCHEDULED,
                )
                .order_by(ClassSession.date)
            )
        ).all()
    )


async def change_slot(
    session: AsyncSession, tenant: TenantContext, slot_id: uuid.UUID, *, data: SlotChange, today: date
) -> GroupSlot:
    """Change a slot's day, time, venue or teacher from ``effective_from`` on.

    Sessions before that date stay exactly as they were. Future sessions still scheduled follow the
    change (teachers are told through the outbox); a one-off substitute already assigned to a date
    keeps that date. Moving to another weekday cancels the old dates and generates the new ones.
    """
    require_office(tenant, "edit schedules")
    old = await get_slot(session, tenant, slot_id, for_update=True)
    start = data.effective_from
    if start < today:
        raise Invalid(
            "A change takes effect today or later; past classes stay as they were.",
            details={"field": "effective_from"},
        )
    if old.valid_until is not None and start > old.valid_until:
        raise Invalid("That slot has ended before this date.", details={"field": "effective_from"})
    changes = data.model_dump(exclude_unset=True, exclude={"effective_from", "reason"})
    await _check_refs(session, tenant, changes.get("venue_id"), changes.get("teacher_id"))
    before = SlotOut.model_validate(old).model_dump(mode="json")
    values = {
        k: getattr(old, k) for k in ("weekday", "start_time", "end_time", "venue_id", "teacher_id")
    } | changes
    if values["end_time"] <= values["start_time"]:
        raise Invalid("The class must end after it starts.", details={"field": "end_time"})
    moved = values["weekday"] != old.weekday
    followers = await following(session, old, start)  # before the slot changes under them
    if start <= old.valid_from:  # not started yet: nothing before it to keep
        slot = old
        for key, value in values.items():
            setattr(slot, key, value)
        if moved:
            slot.anchor_date = first_on_or_after(slot.valid_from, slot.weekday)
    else:
        slot = GroupSlot(
            organization_id=tenant.org_id,
            group_id=old.group_id,
            interval_weeks=old.interval_weeks,
            anchor_date=first_on_or_after(start, values["weekday"]) if moved else old.anchor_date,
            valid_from=start,
            valid_until=old.valid_until,
            replaces_slot_id=old.id,
            **values,
        )
        old.valid_until = start - timedelta(days=1)
        session.add(slot)
    await session.flush()
    group = await get_group(session, tenant, old.group_id)
    regular = old.teacher_id or group.teacher_id
    for row in followers:
        if moved:
            day_name = weekdays.day_name[slot.weekday]
            await class_sessions.cancel_session(
                session, tenant, row.id, reason=f"Moved to {day_name}s from {start.isoformat()}"
            )
            continue
        update = {
            k: v
            for k, v in (
                ("start_time", slot.start_time),
                ("end_time", slot.end_time),
                ("venue_id", slot.venue_id or group.venue_id),
                # A substitute assigned to this one date stays; the regular teacher follows the change.
                ("teacher_id", (slot.teacher_id or group.teacher_id) if row.teacher_id == regular else None),
            )
            if v is not None and getattr(row, k) != v
        }
        row.slot_id = slot.id
        if update:
            await class_sessions.update_session(session, tenant, row.id, data=SessionUpdate(**update))
    if moved and followers:
        await _materialize(session, tenant, [slot], start, max(r.date for r in followers) + timedelta(days=6))
    await audit.record(
        session,
        tenant,
        action="slot.changed",
        entity_type="group_slot",
        entity_id=slot.id,
        before=before,
        after=SlotOut.model_validate(slot).model_dump(mode="json"),
        reason=data.reason,
    )
    return slot


async def closed_by(
    session: AsyncSession, *, start: date, end: date, venue_id: uuid.UUID | None, today: date
) -> list[uuid.UUID]:
    """The classes a closure of these dates (and venue) cancels: still scheduled, today or later.
    The copilot's preview counts exactly these."""
    query = select(ClassSession.id).where(
        ClassSession.status == SessionStatus.SCHEDULED,
        ClassSession.date >= max(start, today),
        ClassSession.date <= end,
    )
    if venue_id is not None:
        query = query.where(ClassSession.venue_id == venue_id)
    return list((await session.scalars(query.order_by(ClassSession.date))).all())


async def add_closure(
    session: AsyncSession, tenant: TenantContext, *, data: ClosureIn, today: date
) -> tuple[Closure, int]:
    """Close dates (whole school or one venue): future scheduled classes in them are cancelled with
    the reason (teachers are told); classes already held are history and stay."""
    require_office(tenant, "close dates")
    if data.venue_id is not None:
        await get_venue(session, tenant, data.venue_id)
    closure = Closure(
        organization_id=tenant.org_id,
        start_date=data.start_date,
        end_date=data.end_date or data.start_date,
        venue_id=data.venue_id,
        reason=data.reason.strip(),
        created_by_user_id=tenant.user_id,
    )
    session.add(closure)
    await session.flush()
    affected = await closed_by(
        session, start=closure.start_date, end=closure.end_date, venue_id=closure.venue_id, today=today
    )
    for session_id in affected:
        await class_sessions.cancel_session(session, tenant, session_id, reason=f"Closed: {closure.reason}")
    await audit.record(
        session,
        tenant,
        action="closure.added",
        entity_type="closure",
        entity_id=closure.id,
        after={
            "start": str(closure.start_date),
            "end": str(closure.end_date),
            "venue_id": str(closure.venue_id),
            "cancelled": len(affected),
        },
        reason=closure.reason,
    )
    return closure, len(affected)


async def list_closures(session: AsyncSession, tenant: TenantContext, *, since: date) -> list[Closure]:
    return list(
        (
            await session.scalars(
                select(Closure).where(Closure.end_date >= since).order_by(Closure.start_date)
            )
        ).all()
    )


async def withdraw_closure(
    session: AsyncSession, tenant: TenantContext, closure_id: uuid.UUID, *, now: datetime
) -> Closure:
    """Reopen: the next generation fills dates that have no session; classes it cancelled stay
    cancelled (history), the office can add them back by hand."""
    require_office(tenant, "reopen dates")
    closure = await session.get(Closure, closure_id)
    if closure is None:
        raise NotFound("No such closure.")
    await end_once(
        session, tenant, closure, "withdrawn_at", now=now, action="closure.withdrawn", entity_type="closure"
    )
    return closure


async def assign_substitute(
    session: AsyncSession,
    tenant: TenantContext,
    session_id: uuid.UUID,
    *,
    teacher_id: uuid.UUID,
    reason: str | None = None,
) -> ClassSession:
    """Someone else teaches this one class; the slot and every other date are unchanged."""
    row = await class_sessions.get_session(session, tenant, session_id)
    if row.status is not SessionStatus.SCHEDULED:
        raise Invalid("Only a class still to come can get a substitute.", details={"field": "session_id"})
    return await class_sessions.update_session(
        session, tenant, session_id, data=SessionUpdate(teacher_id=teacher_id, reason=reason)
    )
