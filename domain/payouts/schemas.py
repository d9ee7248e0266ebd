from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from pydantic import BaseModel, Field

from domain.inputs import Day
from domain.payouts.models import PayoutStatus
from domain.payouts.rules import LineDetail
from domain.teachers.models import TeacherPaymentType


class LineOut(BaseModel):
    kind: str
    description: str
    quantity: Decimal
    rate: Decimal
    amount: Decimal
    class_session_id: uuid.UUID | None = None
    private_session_id: uuid.UUID | None = None
    adjusts_payout_id: uuid.UUID | None = None
    detail: LineDetail | None = None  # the description as data (previews; approved lines have none)


class TeacherPayoutPreview(BaseModel):
    teacher_id: uuid.UUID
    teacher_name: str
    payment_type: TeacherPaymentType | None
    period_start: dt.date
    period_end: dt.date
    lines: list[LineOut]
    total: Decimal
    approved_payout_id: uuid.UUID | None = Field(
        description="Set when this period is already approved (locked)."
    )


class PayoutPreview(BaseModel):
    period_start: dt.date
    period_end: dt.date
    currency: str
    teachers: list[TeacherPayoutPreview]
    total: Decimal


class ApproveIn(BaseModel):
    teacher_id: uuid.UUID
    period_start: Day
    period_end: Day


class PayoutOut(BaseModel):
    id: uuid.UUID
    teacher_id: uuid.UUID
    period_start: dt.date
    period_end: dt.date
    total_amount: Decimal
    status: PayoutStatus
    approved_at: dt.datetime
    paid_at: dt.datetime | None
    lines: list[LineOut]


class PayoutPreviewRow(BaseModel):
    """One line of a payout preview with its teacher: the preview as one table (CSV / Excel)."""

    teacher_id: uuid.UUID
    teacher_name: str
    period_start: dt.date
    period_end: dt.date
    kind: str
    description: str
    quantity: Decimal
    rate: Decimal
    amount: Decimal
    class_session_id: uuid.UUID | None = None
    approved_payout_id: uuid.UUID | None = None

    @classmethod
    def rows_of(cls, preview: PayoutPreview) -> list[PayoutPreviewRow]:
        return [
            cls(
                teacher_id=t.teacher_id,
                teacher_name=t.teacher_name,
                period_start=t.period_start,
                period_end=t.period_end,
                kind=line.kind,
                description=line.description,
                quantity=line.quantity,
                rate=line.rate,
                amount=line.amount,
                class_session_id=line.class_session_id,
                approved_payout_id=t.approved_payout_id,
            )
            for t in preview.teachers
            for line in t.lines
        ]
