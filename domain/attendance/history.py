"""A student's attendance over time, for the student page: newest class first."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.attendance.models import AttendanceRecord, AttendanceStatus
from domain.groups.models import Group
from domain.groups.service import require_student_visible
from domain.sessions.models import ClassSession
from domain.teachers.service import visibility
from domain.tenancy import TenantContext


class AttendanceEntry(BaseModel):
    session_id: uuid.UUID
    date: dt.date
    group_id: uuid.UUID | None
    group_name: str | None
    status: AttendanceStatus
    is_guest: bool


async def student_attendance(
    session: AsyncSession, tenant: TenantContext, student_id: uuid.UUID, *, limit: int = 100
) -> list[AttendanceEntry]:
    """The office sees every mark; a teacher only the marks of classes they teach or whose group they
    teach (the same classes they see elsewhere)."""
    await require_student_visible(session, tenant, student_id)
    seen = await visibility(session, tenant)
    query = (
        select(AttendanceRecord, ClassSession.date, ClassSession.group_id, Group.name)
        .join(ClassSession, ClassSession.id == AttendanceRecord.class_session_id)
        .outerjoin(Group, Group.id == ClassSession.group_id)
        .where(AttendanceRecord.student_id == student_id)
        .order_by(ClassSession.date.desc(), ClassSession.start_time.desc().nulls_last(), ClassSession.id)
        .limit(limit)
    )
    if not seen.everything:
        query = query.where(
            or_(ClassSession.teacher_id == seen.teacher_id, Group.teacher_id == seen.teacher_id)
        )
    return [
        AttendanceEntry(
            session_id=record.class_session_id,
            date=day,
            group_id=group_id,
            group_name=name,
            status=record.status,
            is_guest=record.is_guest,
        )
        for record, day, group_id, name in await session.execute(query)
    ]
