from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, text
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, TenantOwned, pg_enum, tenant_fk


class GroupStatus(enum.StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    CLOSED = "closed"


class Group(TenantOwned, Base):
    """An ongoing class (not one event): it generates class sessions."""

    __tablename__ = "groups"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (tenant_fk("venue_id", "venues"), tenant_fk("teacher_id", "teachers"))

    name: Mapped[str]
    search_name: Mapped[str] = mapped_column(server_default="")
    capacity: Mapped[int | None]
    monthly_fee: Mapped[Decimal | None]  # None: the organization's default fee
    status: Mapped[GroupStatus] = mapped_column(pg_enum(GroupStatus, "group_status"))
    venue_id: Mapped[uuid.UUID | None]
    teacher_id: Mapped[uuid.UUID | None]  # the regular teacher; sessions record who actually taught


class StudentGroup(TenantOwned, Base):
    """A student's membership of a group over a date range; leaving sets ``end_date``."""

    __tablename__ = "student_groups"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (
            tenant_fk("student_id", "students"),
            tenant_fk("group_id", "groups"),
            CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_ordered"),
            Index("ix_student_groups_org_group", "organization_id", "group_id", "start_date"),
            Index("ix_student_groups_org_student", "organization_id", "student_id"),
        )

    student_id: Mapped[uuid.UUID]
    group_id: Mapped[uuid.UUID]
    start_date: Mapped[date]
    end_date: Mapped[date | None]


class WaitlistEntry(TenantOwned, Base):
    """A student waiting for a place in a full group, in the order they were added (``created_at``).

    When a place frees up the next one is *offered* it (``offered_at``; the office is told); the office
    still confirms the enrolment. Leaving the list sets ``removed_at`` and why, so the list's history stays.
    """

    __tablename__ = "group_waitlist"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (
            tenant_fk("group_id", "groups"),
            tenant_fk("student_id", "students"),
            Index("ix_group_waitlist_org_group", "organization_id", "group_id", "created_at"),
            Index(
                "uq_group_waitlist_waiting",
                "organization_id",
                "group_id",
                "student_id",
                unique=True,
                postgresql_where=text("removed_at IS NULL"),
            ),
        )

    group_id: Mapped[uuid.UUID]
    student_id: Mapped[uuid.UUID]
    note: Mapped[str | None]
    added_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    offered_at: Mapped[datetime | None]
    removed_at: Mapped[datetime | None]
    removed_reason: Mapped[str | None]  # "enrolled" or "removed"
