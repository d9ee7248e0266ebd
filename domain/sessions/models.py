from __future__ import annotations

import enum
import uuid
from datetime import date, time

from sqlalchemy import CheckConstraint, Index, text
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, TenantOwned, pg_enum, tenant_fk


class SessionStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    CANCELLED = "cancelled"


class ClassSession(TenantOwned, Base):
    """A real class on a date. Never deleted (the app role has no DELETE on it): cancelled instead."""

    __tablename__ = "class_sessions"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (
            tenant_fk("group_id", "groups"),
            tenant_fk("venue_id", "venues"),
            tenant_fk("teacher_id", "teachers"),
            tenant_fk("substitute_for_teacher_id", "teachers"),
            tenant_fk("slot_id", "group_slots"),
            CheckConstraint(
                "end_time IS NULL OR start_time IS NULL OR end_time > start_time", name="times_ordered"
            ),
            Index("ix_class_sessions_org_date", "organization_id", "date"),
            Index("ix_class_sessions_org_group_date", "organization_id", "group_id", "date"),
            Index("ix_class_sessions_org_teacher_date", "organization_id", "teacher_id", "date"),
            # Generation inserts with ON CONFLICT on this: one class per group, date and start time.
            Index(
                "uq_class_sessions_group_date_start",
                "organization_id",
                "group_id",
                "date",
                "start_time",
                unique=True,
                postgresql_where=text("group_id IS NOT NULL"),
            ),
            Index("ix_class_sessions_org_slot_date", "organization_id", "slot_id", "date"),
        )

    group_id: Mapped[uuid.UUID | None]
    venue_id: Mapped[uuid.UUID | None]
    teacher_id: Mapped[uuid.UUID]  # who actually teaches (paid for it)
    substitute_for_teacher_id: Mapped[uuid.UUID | None]  # set when teacher_id stands in for the regular one
    slot_id: Mapped[uuid.UUID | None]  # the schedule slot that generated it (None: created by hand)
    date: Mapped[date]
    start_time: Mapped[time | None]
    end_time: Mapped[time | None]
    status: Mapped[SessionStatus] = mapped_column(pg_enum(SessionStatus, "class_session_status"))
    cancel_reason: Mapped[str | None]
    notes: Mapped[str | None]
