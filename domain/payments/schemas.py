from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from domain.inputs import Count, Day, Flag, Line
from domain.payments.models import ChargeKind, PaymentMethod, PaymentState, PerHeadRule
from domain.payments.rules import ChargeStatus


class BillingSettingsIn(BaseModel):
    default_monthly_fee: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    due_day: Count = Field(ge=1, le=28)
    multi_group_discount_percent: Decimal = Field(ge=0, le=100, max_digits=5, decimal_places=2)
    sibling_discount_percent: Decimal = Field(ge=0, le=100, max_digits=5, decimal_places=2)
    prorate_first_month: Flag
    per_head_rule: PerHeadRule


class BillingSettingsOut(BillingSettingsIn):
    model_config = ConfigDict(from_attributes=True)


class ChargeIn(BaseModel):
    student_id: uuid.UUID
    kind: ChargeKind = ChargeKind.OTHER
    description: Line = Field(min_length=1, max_length=300, examples=["Costume for the June recital"])
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    due_date: Day


class ChargeOut(BaseModel):
    id: uuid.UUID
    student_id: uuid.UUID
    kind: ChargeKind
    period_month: dt.date | None
    description: str
    amount: Decimal
    paid: Decimal
    outstanding: Decimal
    due_date: dt.date
    status: ChargeStatus


class AllocationIn(BaseModel):
    charge_id: uuid.UUID
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)


class PaymentIn(BaseModel):
    student_id: uuid.UUID
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    received_on: Day
    method: PaymentMethod = PaymentMethod.BANK_TRANSFER
    payer_reference: Line | None = Field(default=None, max_length=300)
    payer_name: Line | None = Field(default=None, max_length=200)
    allocations: list[AllocationIn] | None = Field(
        default=None, description="Explicit allocation; by default the oldest open charges are paid first."
    )


class PaymentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    student_id: uuid.UUID | None
    amount: Decimal
    received_on: dt.date
    method: PaymentMethod
    payer_reference: str | None
    payer_name: str | None
    state: PaymentState


class PaymentRecorded(BaseModel):
    payment: PaymentOut
    allocated: list[AllocationIn]
    credit: Decimal = Field(description="Left over after paying open charges; applied to future charges.")


class Balance(BaseModel):
    student_id: uuid.UUID
    full_name: str
    charged: Decimal
    paid: Decimal
    credit: Decimal
    outstanding: Decimal
    open_charges: list[ChargeOut]


class UnpaidStudent(BaseModel):
    student_id: uuid.UUID
    full_name: str
    charged: Decimal
    paid: Decimal
    outstanding: Decimal
    due_date: dt.date
    status: ChargeStatus
    days_overdue: int


class UnpaidReport(BaseModel):
    month: dt.date
    currency: str
    students: list[UnpaidStudent]
    total_outstanding: Decimal


class TuitionRun(BaseModel):
    month: dt.date
    created: int
    already_there: int
    total_amount: Decimal
