from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import Index
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, TenantOwned, pg_enum, tenant_fk


class StudentStatus(enum.StrEnum):
    PENDING = "pending"  # registered through the public form, waiting for an admin
    ACTIVE = "active"
    REJECTED = "rejected"


class Student(TenantOwned, Base):
    """A dancer. Needs no login; may also be a student of other organizations (as another row)."""

    __tablename__ = "students"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (
            Index("ix_students_organization_id_full_name", "organization_id", "full_name"),
            Index("ix_students_org_search_name", "organization_id", "search_name"),
            tenant_fk("duplicate_of_student_id", "students"),
        )

    full_name: Mapped[str]
    search_name: Mapped[str] = mapped_column(server_default="")  # folded: lowercase, no accents
    email: Mapped[str | None]
    phone: Mapped[str | None]
    date_of_birth: Mapped[date | None]
    notes: Mapped[str | None]
    status: Mapped[StudentStatus] = mapped_column(
        pg_enum(StudentStatus, "student_status"), server_default=StudentStatus.ACTIVE.value
    )
    source: Mapped[str] = mapped_column(server_default="admin")  # admin | public_form | import | demo
    duplicate_of_student_id: Mapped[uuid.UUID | None]  # flagged by registration, for a human to decide
    family_id: Mapped[uuid.UUID | None]  # siblings share one (sibling discount)
    archived_at: Mapped[datetime | None]


class Guardian(TenantOwned, Base):
    """A parent or guardian: a contact for a student, with no login."""

    __tablename__ = "guardians"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (
            tenant_fk("student_id", "students"),
            Index("ix_guardians_org_student", "organization_id", "student_id"),
        )

    student_id: Mapped[uuid.UUID]
    full_name: Mapped[str]
    relationship: Mapped[str | None]
    email: Mapped[str | None]
    phone: Mapped[str | None]


class RegistrationSubmission(TenantOwned, Base):
    """Every public-form submission (accepted or not): rate limiting and a trail for admins."""

    __tablename__ = "registration_submissions"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (
            tenant_fk("student_id", "students"),
            Index("ix_registration_submissions_org_ip", "organization_id", "ip", "created_at"),
        )

    ip: Mapped[str | None]
    student_id: Mapped[uuid.UUID | None]
    outcome: Mapped[str]  # created | duplicate | spam | rate_limited
    decided_at: Mapped[datetime | None]
    decided_by_user_id: Mapped[uuid.UUID | None]
    decision: Mapped[str | None]  # approved | rejected
