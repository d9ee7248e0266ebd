from __future__ import annotations

import enum
import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, TenantOwned, pg_enum


class TeacherPaymentType(enum.StrEnum):
    FIXED_MONTHLY = "fixed_monthly"
    PER_CLASS = "per_class"
    PER_HEAD = "per_head"


class Teacher(TenantOwned, Base):
    """A teacher profile: linked to a user who logs in, or an offline profile (``user_id`` null)."""

    __tablename__ = "teachers"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[CheckConstraint, ...]:
        return (
            CheckConstraint(
                "coalesce(monthly_rate, 0) >= 0 AND coalesce(rate_per_head, 0) >= 0"
                " AND coalesce(rate_per_class, 0) >= 0",
                name="rates_not_negative",
            ),
        )

    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), index=True)
    full_name: Mapped[str]
    search_name: Mapped[str] = mapped_column(server_default="")
    email: Mapped[str | None]
    phone: Mapped[str | None]
    payment_type: Mapped[TeacherPaymentType] = mapped_column(
        pg_enum(TeacherPaymentType, "teacher_payment_type")
    )
    monthly_rate: Mapped[Decimal | None]
    rate_per_head: Mapped[Decimal | None]
    rate_per_class: Mapped[Decimal | None]
    archived_at: Mapped[datetime | None]
