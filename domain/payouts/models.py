from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, Index
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, TenantOwned, pg_enum, tenant_fk
from domain.payments.models import PaymentStatus


class TeacherPayout(TenantOwned, Base):
    """What a teacher is owed for a month, derived from what actually happened."""

    __tablename__ = "teacher_payouts"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (
            tenant_fk("teacher_id", "teachers"),
            CheckConstraint("extract(day from month) = 1", name="month_is_first_day"),
            Index("ix_teacher_payouts_org_month", "organization_id", "month"),
        )

    teacher_id: Mapped[uuid.UUID]
    month: Mapped[date]
    total_amount: Mapped[Decimal]
    status: Mapped[PaymentStatus] = mapped_column(pg_enum(PaymentStatus, "payment_status"))
