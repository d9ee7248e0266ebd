"""Cash a teacher says a student handed over in class: reported, not yet money the school counts."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, TenantOwned, pg_enum, tenant_fk


class CashReportStatus(enum.StrEnum):
    AWAITING = "awaiting_verification"  # the office has not counted it yet: not a payment
    VERIFIED = "verified"  # the office counted it: recorded as a cash payment (payment_id)


class CashReport(TenantOwned, Base):
    """ "Ana paid 45 in cash": a teacher's word, kept apart from payments until the office verifies it,
    so unverified money never reduces what a student owes."""

    __tablename__ = "cash_reports"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (
            tenant_fk("student_id", "students"),
            tenant_fk("payment_id", "payments"),
            CheckConstraint("amount > 0", name="amount_positive"),
            Index("ix_cash_reports_org_status", "organization_id", "status"),
        )

    student_id: Mapped[uuid.UUID]
    amount: Mapped[Decimal]
    received_on: Mapped[date]
    status: Mapped[CashReportStatus] = mapped_column(pg_enum(CashReportStatus, "cash_report_status"))
    reported_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    payment_id: Mapped[uuid.UUID | None]
    decided_at: Mapped[datetime | None]
    decided_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
