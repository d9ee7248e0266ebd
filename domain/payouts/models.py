"""Teacher payouts: rate history, approved (locked) payouts and their traceable line items."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, TenantOwned, pg_enum, tenant_fk
from domain.teachers.models import TeacherPaymentType


class TeacherRate(TenantOwned, Base):
    """A teacher's payment model and rate from a date on; payouts use the rate in force each day."""

    __tablename__ = "teacher_rates"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (
            tenant_fk("teacher_id", "teachers"),
            UniqueConstraint("organization_id", "teacher_id", "effective_from"),
            CheckConstraint("rate >= 0", name="rate_not_negative"),
        )

    teacher_id: Mapped[uuid.UUID]
    payment_type: Mapped[TeacherPaymentType] = mapped_column(
        pg_enum(TeacherPaymentType, "teacher_payment_type")
    )
    rate: Mapped[Decimal]
    private_hourly_rate: Mapped[Decimal | None]
    effective_from: Mapped[date]
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class PayoutStatus(enum.StrEnum):
    APPROVED = "approved"  # locked: later corrections become adjustments in a later period
    PAID = "paid"


class TeacherPayout(TenantOwned, Base):
    __tablename__ = "teacher_payouts"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (
            tenant_fk("teacher_id", "teachers"),
            UniqueConstraint("organization_id", "teacher_id", "period_start"),
            CheckConstraint("period_end >= period_start", name="period_ordered"),
            Index("ix_teacher_payouts_org_period", "organization_id", "period_start"),
        )

    teacher_id: Mapped[uuid.UUID]
    period_start: Mapped[date]
    period_end: Mapped[date]
    total_amount: Mapped[Decimal]
    status: Mapped[PayoutStatus] = mapped_column(pg_enum(PayoutStatus, "payout_status"))
    approved_at: Mapped[datetime]
    approved_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    paid_at: Mapped[datetime | None]
    paid_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class PayoutLine(TenantOwned, Base):
    """One traceable amount: a class taught, heads counted, a private lesson, a salary, an adjustment."""

    __tablename__ = "payout_lines"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (
            tenant_fk("payout_id", "teacher_payouts"),
            tenant_fk("class_session_id", "class_sessions"),
            tenant_fk("private_session_id", "private_sessions"),
            Index("ix_payout_lines_org_payout", "organization_id", "payout_id"),
        )

    payout_id: Mapped[uuid.UUID]
    kind: Mapped[str]  # fixed | class | head | private | adjustment
    description: Mapped[str]
    class_session_id: Mapped[uuid.UUID | None]
    private_session_id: Mapped[uuid.UUID | None]
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 4))
    rate: Mapped[Decimal]
    amount: Mapped[Decimal]
    adjusts_payout_id: Mapped[uuid.UUID | None]
