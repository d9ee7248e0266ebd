from __future__ import annotations

import enum
import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, Index
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, TenantOwned, pg_enum, tenant_fk


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"
    PAID = "paid"
    OVERDUE = "overdue"


class StudentPayment(TenantOwned, Base):
    """Tuition for one student and month, paid by bank transfer outside Cadence."""

    __tablename__ = "student_payments"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (
            tenant_fk("student_id", "students"),
            CheckConstraint("extract(day from month) = 1", name="month_is_first_day"),
            CheckConstraint("amount >= 0", name="amount_not_negative"),
            Index("ix_student_payments_org_month", "organization_id", "month"),
            Index("ix_student_payments_org_student", "organization_id", "student_id"),
        )

    student_id: Mapped[uuid.UUID]
    month: Mapped[date]
    amount: Mapped[Decimal]
    receipt_url: Mapped[str | None]
    status: Mapped[PaymentStatus] = mapped_column(pg_enum(PaymentStatus, "payment_status"))
