"""Tuition tracked by bank transfer: what is owed (charges), what arrived (payments), and the link."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, TenantOwned, pg_enum, tenant_fk


class PerHeadRule(enum.StrEnum):
    """Who counts for a per-head teacher: a documented, per-organization choice."""

    PRESENT_AND_LATE = "present_and_late"
    PRESENT_ONLY = "present_only"


class BillingSettings(TenantOwned, Base):
    """Fees, due day, discounts, the per-head counting rule. A change adds a row; the latest is in force."""

    __tablename__ = "billing_settings"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (
            Index("ix_billing_settings_org_created", "organization_id", "created_at"),
            CheckConstraint("due_day BETWEEN 1 AND 28", name="due_day_in_month"),
            CheckConstraint(
                "multi_group_discount_percent BETWEEN 0 AND 100"
                " AND sibling_discount_percent BETWEEN 0 AND 100",
                name="discounts_are_percentages",
            ),
        )

    default_monthly_fee: Mapped[Decimal] = mapped_column(server_default=text("45.00"))
    due_day: Mapped[int] = mapped_column(server_default=text("5"))
    multi_group_discount_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), server_default=text("10"))
    sibling_discount_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), server_default=text("0"))
    prorate_first_month: Mapped[bool] = mapped_column(server_default=text("true"))
    per_head_rule: Mapped[PerHeadRule] = mapped_column(
        pg_enum(PerHeadRule, "per_head_rule"), server_default=PerHeadRule.PRESENT_AND_LATE.value
    )


class ChargeKind(enum.StrEnum):
    TUITION = "tuition"
    REGISTRATION = "registration"
    COSTUME = "costume"
    OTHER = "other"


class Charge(TenantOwned, Base):
    """Something a student owes. Voided, never deleted; monthly tuition is unique per student and month."""

    __tablename__ = "charges"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (
            tenant_fk("student_id", "students"),
            CheckConstraint("amount > 0", name="amount_positive"),
            Index(
                "uq_charges_one_tuition_per_month",
                "organization_id",
                "student_id",
                "period_month",
                unique=True,
                postgresql_where=text("kind = 'tuition' AND voided_at IS NULL"),
            ),
            Index("ix_charges_org_due", "organization_id", "due_date"),
            Index("ix_charges_org_student", "organization_id", "student_id"),
        )

    student_id: Mapped[uuid.UUID]
    kind: Mapped[ChargeKind] = mapped_column(pg_enum(ChargeKind, "charge_kind"))
    period_month: Mapped[date | None]  # first day of the month, for tuition
    description: Mapped[str]
    amount: Mapped[Decimal]
    due_date: Mapped[date]
    overdue_notified_at: Mapped[datetime | None]
    voided_at: Mapped[datetime | None]
    void_reason: Mapped[str | None]


class PaymentMethod(enum.StrEnum):
    BANK_TRANSFER = "bank_transfer"
    CASH = "cash"
    OTHER = "other"


class PaymentState(enum.StrEnum):
    RECORDED = "recorded"  # belongs to a student
    UNMATCHED = "unmatched"  # arrived (e.g. imported) but nobody knows whose it is yet
    REJECTED = "rejected"  # not tuition (a refund, a mistake); kept for the record


class Payment(TenantOwned, Base):
    """Money that arrived. Cadence never moves money; it records what the bank or the till saw."""

    __tablename__ = "payments"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (
            tenant_fk("student_id", "students"),
            tenant_fk("bank_line_id", "bank_lines"),
            CheckConstraint("amount > 0", name="amount_positive"),
            Index("ix_payments_org_student", "organization_id", "student_id"),
            Index("ix_payments_org_received", "organization_id", "received_on"),
        )

    student_id: Mapped[uuid.UUID | None]
    amount: Mapped[Decimal]
    received_on: Mapped[date]
    method: Mapped[PaymentMethod] = mapped_column(pg_enum(PaymentMethod, "payment_method"))
    payer_reference: Mapped[str | None]
    payer_name: Mapped[str | None]
    state: Mapped[PaymentState] = mapped_column(pg_enum(PaymentState, "payment_state"))
    bank_line_id: Mapped[uuid.UUID | None]
    recorded_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decided_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None]


class Allocation(TenantOwned, Base):
    """Part of a payment applied to a charge. Never more than either side has left."""

    __tablename__ = "payment_allocations"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (
            tenant_fk("payment_id", "payments"),
            tenant_fk("charge_id", "charges"),
            CheckConstraint("amount > 0", name="amount_positive"),
            Index("ix_payment_allocations_org_charge", "organization_id", "charge_id"),
            Index("ix_payment_allocations_org_payment", "organization_id", "payment_id"),
        )

    payment_id: Mapped[uuid.UUID]
    charge_id: Mapped[uuid.UUID]
    amount: Mapped[Decimal]
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class ReceiptStatus(enum.StrEnum):
    PENDING = "pending_verification"
    VERIFIED = "verified"
    REJECTED = "rejected"


class Receipt(TenantOwned, Base):
    """A bank-transfer receipt (JPEG, PNG or PDF) stored under a generated name, outside any web root."""

    __tablename__ = "receipts"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (
            tenant_fk("student_id", "students"),
            tenant_fk("payment_id", "payments"),
            tenant_fk("charge_id", "charges"),
            Index("ix_receipts_org_status", "organization_id", "status"),
        )

    student_id: Mapped[uuid.UUID]
    payment_id: Mapped[uuid.UUID | None]
    charge_id: Mapped[uuid.UUID | None]
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    original_filename: Mapped[str]
    content_type: Mapped[str]
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[ReceiptStatus] = mapped_column(pg_enum(ReceiptStatus, "receipt_status"))
    uploaded_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    via_public_link: Mapped[bool] = mapped_column(server_default=text("false"))
    decided_at: Mapped[datetime | None]
    decided_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class ReceiptLink(TenantOwned, Base):
    """A per-student upload link for parents: only the token's hash is stored; revocable, expiring."""

    __tablename__ = "receipt_links"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (tenant_fk("student_id", "students"),)

    student_id: Mapped[uuid.UUID]
    token_hash: Mapped[str] = mapped_column(unique=True)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
