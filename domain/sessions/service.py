"""Class sessions: real classes on a date. Held, scheduled or cancelled — never deleted."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit import service as audit
from domain.errors import Conflict, Forbidden, Invalid, NotFound
from domain.events import service as events
from domain.groups.models import GroupStatus
from domain.groups.service import get_group
from domain.orgs.permissions import require_office
from domain.scheduling.models import GroupSlot
from domain.sessions.models import ClassSession, SessionStatus
from domain.sessions.schemas import SessionIn, SessionOut, SessionUpdate
from domain.teachers.service import get_teacher, require_teacher_or_office, visibility
from domain.tenancy import TenantContext
from domain.venues.service import get_venue


async def get_session(session: AsyncSession, tenant: TenantContext, session_id: uuid.UUID) -> ClassSession:
    class_session = await session.get(ClassSession, session_id)
    if class_session is None:
        raise NotFound("No such class session.")
    return class_session


async def require_session_teacher_or_office(
    session: AsyncSession, tenant: TenantContext, class_session: ClassSession, action: str
) -> None:
    await require_teacher_or_office(session, tenant, class_session.teacher_id, action)


async def require_class_visible(
    session: AsyncSession, tenant: TenantContext, class_session: ClassSession
) -> None:
    """The office sees every class; a teacher the classes they teach (a substitute, that one) and the
    classes of the groups they teach."""
    seen = await visibility(session, tenant)
    if seen.everything or class_session.teacher_id == seen.teacher_id:
        return
    if class_session.group_id is not None:
        group = await get_group(session, tenant, class_session.group_id)
        if group.teacher_id == seen.teacher_id:
            return
    raise Forbidden("Teachers can only see their own classes.")


def _check_times(class_session: ClassSession) -> None:
    if (
        class_session.start_time
        and class_session.end_time
        and class_session.end_time <= class_session.start_time
    ):
        raise Invalid("A session ends after it starts.", details={"field": "end_time"})


async def _ensure_free(
    session: AsyncSession,
    *,
    group_id: uuid.UUID | None,
    day: date,
    start: time | None,
    other_than: uuid.UUID | None,
) -> None:
    """A group has one class at a given date and start time (the key schedule generation relies on).
    Checked before anything changes, so a refused edit leaves the session as it was."""
    if group_id is None or start is None:
        return
    query = select(ClassSession.id).where(
        ClassSession.group_id == group_id, ClassSession.date == day, ClassSession.start_time == start
    )
    if other_than is not None:
        query = query.where(ClassSession.id != other_than)
    clash = await session.scalar(query)
    if clash is not None:
        raise Conflict(
            "This group already has a class on {day} at {start:%H:%M}.",
            values={"day": day.isoformat(), "start": start},
            details={"session_id": str(clash)},
        )


async def create_session(session: AsyncSession, tenant: TenantContext, *, data: SessionIn) -> ClassSession:
    """Create a scheduled session; a teacher other than the group's regular one is recorded as substitute."""
    require_office(tenant, "create sessions")
    group = await get_group(session, tenant, data.group_id) if data.group_id else None
    if group is not None and group.status is not GroupStatus.ACTIVE:
        raise Conflict(
            "{group} is {status}: it gets no new sessions.",
            values={"group": group.name, "status": group.status.value},
        )
    teacher_id = data.teacher_id or (group.teacher_id if group else None)
    if teacher_id is None:
        raise Invalid("Say who teaches this session.", details={"field": "teacher_id"})
    await get_teacher(session, tenant, teacher_id)
    venue_id = data.venue_id or (group.venue_id if group else None)
    if venue_id is not None:
        await get_venue(session, tenant, venue_id)
    regular = group.teacher_id if group else None
    class_session = ClassSession(
        organization_id=tenant.org_id,
        group_id=group.id if group else None,
        teacher_id=teacher_id,
        substitute_for_teacher_id=regular if regular is not None and regular != teacher_id else None,
        venue_id=venue_id,
        date=data.date,
        start_time=data.start_time,
        end_time=data.end_time,
        status=SessionStatus.SCHEDULED,
        notes=data.notes,
    )
    _check_times(class_session)
    await _ensure_free(
        session, group_id=class_session.group_id, day=data.date, start=data.start_time, other_than=None
    )
    session.add(class_session)
    await session.flush()
    await events.emit(session, tenant, "session.created", {"session_id": str(class_session.id)})
    return class_session


async def list_sessions(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    start: date,
    end: date,
    group_id: uuid.UUID | None = None,
    teacher_id: uuid.UUID | None = None,
    venue_id: uuid.UUID | None = None,
    status: SessionStatus | None = None,
) -> list[ClassSession]:
    if end < start:
        raise Invalid("The period ends before it starts.", details={"field": "end"})
    seen = await visibility(session, tenant)
    if not seen.everything:  # a teacher sees their own classes (including those they stand in for)
        if teacher_id not in (None, seen.teacher_id):
            raise Forbidden("Teachers can only see their own classes.")
        teacher_id = seen.teacher_id
    query = select(ClassSession).where(ClassSession.date.between(start, end))
    for column, value in (
        (ClassSession.group_id, group_id),
        (ClassSession.teacher_id, teacher_id),
        (ClassSession.venue_id, venue_id),
        (ClassSession.status, status),
    ):
        if value is not None:
            query = query.where(column == value)
    query = query.order_by(ClassSession.date, ClassSession.start_time.nulls_last(), ClassSession.id)
    return list((await session.execute(query)).scalars())


async def upcoming_sessions(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    after: datetime,
    group_id: uuid.UUID | None = None,
    teacher_id: uuid.UUID | None = None,
    venue_id: uuid.UUID | None = None,
    within_days: int = 60,
    limit: int = 1,
) -> list[ClassSession]:
    """The next classes still to start after ``after`` (the school's local date and time), in order;
    cancelled ones are skipped. A teacher sees only their own, as in ``list_sessions``."""
    rows = await list_sessions(
        session,
        tenant,
        start=after.date(),
        end=after.date() + timedelta(days=within_days),
        group_id=group_id,
        teacher_id=teacher_id,
        venue_id=venue_id,
    )
    moment = after.replace(tzinfo=None)
    later = [
        s
        for s in rows
        if s.status is not SessionStatus.CANCELLED
        and datetime.combine(s.date, s.start_time or time(23, 59)) > moment
    ]
    return later[:limit]


def _snapshot(class_session: ClassSession) -> dict[str, Any]:
    return SessionOut.model_validate(class_session).model_dump(
        mode="json", include={"teacher_id", "venue_id", "date", "start_time", "end_time", "notes", "status"}
    )


async def update_session(
    session: AsyncSession, tenant: TenantContext, session_id: uuid.UUID, *, data: SessionUpdate
) -> ClassSession:
    """Change a session. Cancelled ones are frozen; editing a held one needs a reason and is audited."""
    require_office(tenant, "edit sessions")
    class_session = await get_session(session, tenant, session_id)
    if class_session.status is SessionStatus.CANCELLED:
        raise Conflict("A cancelled session cannot be edited.")
    changes = data.model_dump(exclude_unset=True, exclude={"reason"})
    if class_session.status is SessionStatus.HELD and not (data.reason or "").strip():
        raise Invalid(
            "Editing a held session needs a reason (it is kept in the audit log).",
            details={"field": "reason"},
        )
    if changes.get("teacher_id"):
        await get_teacher(session, tenant, changes["teacher_id"])
    if changes.get("venue_id"):
        await get_venue(session, tenant, changes["venue_id"])
    if {"date", "start_time"} & changes.keys():
        await _ensure_free(
            session,
            group_id=class_session.group_id,
            day=changes.get("date") or class_session.date,
            start=changes.get("start_time", class_session.start_time),
            other_than=class_session.id,
        )
    before = _snapshot(class_session)
    for field, value in changes.items():
        if field == "teacher_id" and value is None:
            raise Invalid("A session always has a teacher.", details={"field": "teacher_id"})
        if field == "date" and value is None:
            raise Invalid("A session always has a date.", details={"field": "date"})
        setattr(class_session, field, value)
    if "teacher_id" in changes and class_session.group_id is not None:
        group = await get_group(session, tenant, class_session.group_id)
        slot = await session.get(GroupSlot, class_session.slot_id) if class_session.slot_id else None
        regular = (slot.teacher_id if slot else None) or group.teacher_id  # the slot's teacher, if it has one
        class_session.substitute_for_teacher_id = (
            regular if regular is not None and regular != class_session.teacher_id else None
        )
    _check_times(class_session)
    await session.flush()
    after = _snapshot(class_session)
    if after != before:
        await audit.record(
            session,
            tenant,
            action="session.updated",
            entity_type="class_session",
            entity_id=class_session.id,
            before=before,
            after=after,
            reason=data.reason,
        )
        await events.emit(session, tenant, "session.updated", {"session_id": str(class_session.id)})
    return class_session


async def mark_held(
    session: AsyncSession, tenant: TenantContext, session_id: uuid.UUID, *, today: date
) -> ClassSession:
    class_session = await get_session(session, tenant, session_id)
    await require_session_teacher_or_office(session, tenant, class_session, "mark a session as held")
    if class_session.status is SessionStatus.CANCELLED:
        raise Conflict("A cancelled session cannot be marked as held.")
    if class_session.date > today:
        raise Invalid("A session in the future cannot have been held yet.", details={"field": "date"})
    if class_session.status is not SessionStatus.HELD:
        class_session.status = SessionStatus.HELD
        await session.flush()
        await events.emit(session, tenant, "session.held", {"session_id": str(class_session.id)})
    return class_session


async def cancel_session(
    session: AsyncSession, tenant: TenantContext, session_id: uuid.UUID, *, reason: str
) -> ClassSession:
    """Cancel with a reason. The session stays, so history and payouts still see it."""
    class_session = await get_session(session, tenant, session_id)
    await require_session_teacher_or_office(session, tenant, class_session, "cancel a session")
    reason = reason.strip()
    if not reason:
        raise Invalid("Say why the session is cancelled.", details={"field": "reason"})
    if class_session.status is SessionStatus.HELD:
        raise Conflict("This session was held; correct it instead of cancelling it.")
    if class_session.status is SessionStatus.CANCELLED:
        return class_session
    class_session.status = SessionStatus.CANCELLED
    class_session.cancel_reason = reason
    await session.flush()
    await audit.record(
        session,
        tenant,
        action="session.cancelled",
        entity_type="class_session",
        entity_id=class_session.id,
        reason=reason,
    )
    await events.emit(
        session, tenant, "session.cancelled", {"session_id": str(class_session.id), "reason": reason}
    )
    return class_session
