from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlalchemy.orm import Mapped

from domain.base import Base, TenantOwned


class Student(TenantOwned, Base):
    """A dancer. Needs no login; may also be a student of other organizations (as another row)."""

    __tablename__ = "students"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[Index, ...]:
        return (Index("ix_students_organization_id_full_name", "organization_id", "full_name"),)

    full_name: Mapped[str]
    email: Mapped[str | None]
    phone: Mapped[str | None]
    notes: Mapped[str | None]
    archived_at: Mapped[datetime | None]
