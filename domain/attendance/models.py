from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, TenantOwned, pg_enum, tenant_fk


class AttendanceStatus(enum.StrEnum):
    PRESENT = "present"
    ABSENT = "absent"
    EXCUSED = "excused"
    LATE = "late"


class AttendanceRecord(TenantOwned, Base):
    """One mark per (session, student); corrections update it and leave an audit row."""

    __tablename__ = "attendance_records"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (
            tenant_fk("class_session_id", "class_sessions"),
            tenant_fk("student_id", "students"),
            UniqueConstraint("organization_id", "class_session_id", "student_id"),
            Index("ix_attendance_records_org_student", "organization_id", "student_id"),
        )

    class_session_id: Mapped[uuid.UUID]
    student_id: Mapped[uuid.UUID]
    status: Mapped[AttendanceStatus] = mapped_column(pg_enum(AttendanceStatus, "attendance_status"))
    is_guest: Mapped[bool] = mapped_column(server_default=text("false"))  # a drop-in, not enrolled that day
    marked_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    marked_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
