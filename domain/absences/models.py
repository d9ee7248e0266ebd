"""A teacher's reported absence (a sick day): one row per teacher and date, kept as history."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, TenantOwned, tenant_fk


class TeacherAbsence(TenantOwned, Base):
    """ "I'm sick tomorrow": the classes of that day wait for the office to cover or cancel each one."""

    __tablename__ = "teacher_absences"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (
            tenant_fk("teacher_id", "teachers"),
            UniqueConstraint("organization_id", "teacher_id", "date"),
        )

    teacher_id: Mapped[uuid.UUID]
    date: Mapped[date]
    reason: Mapped[str | None]
    reported_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
