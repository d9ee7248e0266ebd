from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from domain.inputs import BirthDate, Line, Text


class PublicRegistrationIn(BaseModel):
    """The public form. ``website`` is a honeypot: people never see it, bots fill it in."""

    full_name: Line = Field(min_length=1, max_length=200)
    email: Line | None = Field(default=None, max_length=254)
    phone: Line | None = Field(default=None, max_length=40)
    date_of_birth: BirthDate | None = None
    guardian_name: Line | None = Field(default=None, max_length=200)
    guardian_email: Line | None = Field(default=None, max_length=254)
    guardian_phone: Line | None = Field(default=None, max_length=40)
    message: Text | None = Field(default=None, max_length=2000)
    # Not checked like the others: a bot's filling is dropped quietly whatever it holds (and never stored).
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
    reason: Line | None = Field(default=None, max_length=500)
