from __future__ import annotations

import uuid
from datetime import date, time

from sqlalchemy import CheckConstraint, Index
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, TenantOwned, pg_enum, tenant_fk
from domain.sessions.models import SessionStatus


class PrivateSession(TenantOwned, Base):
    """One teacher, one student, one date, a duration. Attendance is implicit when held."""

    __tablename__ = "private_sessions"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (
            tenant_fk("teacher_id", "teachers"),
            tenant_fk("student_id", "students"),
            tenant_fk("venue_id", "venues"),
            CheckConstraint("duration_minutes > 0", name="duration_positive"),
            Index("ix_private_sessions_org_teacher_date", "organization_id", "teacher_id", "date"),
        )

    teacher_id: Mapped[uuid.UUID]
    student_id: Mapped[uuid.UUID]
    venue_id: Mapped[uuid.UUID | None]
    date: Mapped[date]
    start_time: Mapped[time | None]
    duration_minutes: Mapped[int]
    status: Mapped[SessionStatus] = mapped_column(pg_enum(SessionStatus, "class_session_status"))
    cancel_reason: Mapped[str | None]
    notes: Mapped[str | None]
