"""Private lessons: one teacher, one student, a date and a duration. Held means attended."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit import service as audit
from domain.errors import Conflict, Invalid, NotFound
from domain.events import service as events
from domain.private_lessons.models import PrivateSession
from domain.private_lessons.schemas import PrivateSessionIn
from domain.sessions.models import SessionStatus
from domain.students.service import get_student
from domain.teachers.service import get_teacher, require_teacher_or_office, visibility
from domain.tenancy import TenantContext
from domain.venues.service import get_venue


async def create_private_session(
    session: AsyncSession, tenant: TenantContext, *, data: PrivateSessionIn
) -> PrivateSession:
    await require_teacher_or_office(session, tenant, data.teacher_id, "schedule private lessons")
    if data.duration_minutes <= 0:
        raise Invalid("A lesson lasts a positive number of minutes.", details={"field": "duration_minutes"})
    await get_teacher(session, tenant, data.teacher_id)
    student = await get_student(session, tenant, data.student_id)
    if student.archived_at is not None:
        raise Conflict("{student} is archived.", values={"student": student.full_name})
    if data.venue_id is not None:
        await get_venue(session, tenant, data.venue_id)
    lesson = PrivateSession(
        organization_id=tenant.org_id,
        teacher_id=data.teacher_id,
        student_id=data.student_id,
        venue_id=data.venue_id,
        date=data.date,
        start_time=data.start_time,
        duration_minutes=data.duration_minutes,
        status=SessionStatus.SCHEDULED,
        notes=data.notes,
    )
    session.add(lesson)
    await session.flush()
    await events.emit(session, tenant, "private_session.created", {"private_session_id": str(lesson.id)})
    return lesson


async def get_private_session(
    session: AsyncSession, tenant: TenantContext, lesson_id: uuid.UUID
) -> PrivateSession:
    lesson = await session.get(PrivateSession, lesson_id)
    if lesson is None:
        raise NotFound("No such private lesson.")
    return lesson


async def list_private_sessions(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    start: date,
    end: date,
    teacher_id: uuid.UUID | None = None,
    student_id: uuid.UUID | None = None,
) -> list[PrivateSession]:
    """The office sees every lesson; a teacher only their own."""
    query = select(PrivateSession).where(PrivateSession.date.between(start, end))
    seen = await visibility(session, tenant)
    if not seen.everything:
        query = query.where(PrivateSession.teacher_id == seen.teacher_id)
    if teacher_id is not None:
        query = query.where(PrivateSession.teacher_id == teacher_id)
    if student_id is not None:
        query = query.where(PrivateSession.student_id == student_id)
    query = query.order_by(PrivateSession.date, PrivateSession.start_time.nulls_last())
    return list((await session.execute(query)).scalars())


async def mark_private_held(
    session: AsyncSession, tenant: TenantContext, lesson_id: uuid.UUID, *, today: date
) -> PrivateSession:
    lesson = await get_private_session(session, tenant, lesson_id)
    await require_teacher_or_office(session, tenant, lesson.teacher_id, "mark a lesson as held")
    if lesson.status is SessionStatus.CANCELLED:
        raise Conflict("A cancelled lesson cannot be marked as held.")
    if lesson.date > today:
        raise Invalid("A lesson in the future cannot have been held yet.", details={"field": "date"})
    if lesson.status is not SessionStatus.HELD:
        lesson.status = SessionStatus.HELD
        await session.flush()
        await events.emit(session, tenant, "private_session.held", {"private_session_id": str(lesson.id)})
    return lesson


async def cancel_private_session(
    session: AsyncSession, tenant: TenantContext, lesson_id: uuid.UUID, *, reason: str
) -> PrivateSession:
    lesson = await get_private_session(session, tenant, lesson_id)
    await require_teacher_or_office(session, tenant, lesson.teacher_id, "cancel a lesson")
    if not reason.strip():
        raise Invalid("Say why the lesson is cancelled.", details={"field": "reason"})
    if lesson.status is SessionStatus.HELD:
        raise Conflict("This lesson was held; it cannot be cancelled.")
    if lesson.status is not SessionStatus.CANCELLED:
        lesson.status, lesson.cancel_reason = SessionStatus.CANCELLED, reason.strip()
        await session.flush()
        await audit.record(
            session,
            tenant,
            action="private_session.cancelled",
            entity_type="private_session",
            entity_id=lesson.id,
            reason=lesson.cancel_reason,
        )
        await events.emit(
            session, tenant, "private_session.cancelled", {"private_session_id": str(lesson.id)}
        )
    return lesson
