from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class PublicRegistrationIn(BaseModel):
    """The public form. ``website`` is a honeypot: people never see it, bots fill it in."""

    full_name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    date_of_birth: date | None = None
    guardian_name: str | None = Field(default=None, max_length=200)
    guardian_email: str | None = Field(default=None, max_length=254)
    guardian_phone: str | None = Field(default=None, max_length=40)
    message: str | None = Field(default=None, max_length=2000)
    website: str | None = Field(default=None, max_length=200)


class RegistrationReceipt(BaseModel):
    status: str = "received"
    message: str = "Thank you! The school will contact you soon."


class PendingRegistration(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    student_id: uuid.UUID
    full_name: str
    email: str | None
    phone: str | None
    notes: str | None
    possible_duplicate_of: uuid.UUID | None
    created_at: datetime


class DecisionIn(BaseModel):
    reason: str | None = Field(default=None, max_length=500)
