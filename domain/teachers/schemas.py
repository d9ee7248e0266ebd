from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from domain.inputs import Day, Line
from domain.teachers.models import TeacherPaymentType


class TeacherIn(BaseModel):
    full_name: Line = Field(min_length=1, max_length=200)
    payment_type: TeacherPaymentType
    monthly_rate: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
    rate_per_class: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
    rate_per_head: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
    email: Line | None = Field(default=None, max_length=254)
    phone: Line | None = Field(default=None, max_length=40)
    user_id: uuid.UUID | None = Field(default=None, description="Link to a member's account (optional).")
    private_hourly_rate: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)


class TeacherUpdate(BaseModel):
    full_name: Line | None = Field(default=None, min_length=1, max_length=200)
    payment_type: TeacherPaymentType | None = None
    monthly_rate: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
    rate_per_class: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
    rate_per_head: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
    email: Line | None = Field(default=None, max_length=254)
    phone: Line | None = Field(default=None, max_length=40)
    private_hourly_rate: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
    rates_effective_from: Day | None = Field(
        default=None,
        description="When a rate change applies (payouts use it from that day); today by default.",
    )


class TeacherOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    full_name: str
    user_id: uuid.UUID | None
    payment_type: TeacherPaymentType
    monthly_rate: Decimal | None
    rate_per_class: Decimal | None
    rate_per_head: Decimal | None
    email: str | None
    phone: str | None
    archived_at: datetime | None
