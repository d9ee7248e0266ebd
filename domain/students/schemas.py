from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from domain.inputs import BirthDate, Line, Text
from domain.students.models import StudentStatus


class GuardianIn(BaseModel):
    full_name: Line = Field(min_length=1, max_length=200)
    relationship: Line | None = Field(default=None, max_length=50, examples=["mother"])
    email: Line | None = Field(default=None, max_length=254)
    phone: Line | None = Field(default=None, max_length=40)


class GuardianOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    full_name: str
    relationship: str | None
    email: str | None
    phone: str | None


class StudentIn(BaseModel):
    full_name: Line = Field(min_length=1, max_length=200, examples=["Ana García"])
    email: Line | None = Field(default=None, max_length=254)
    phone: Line | None = Field(default=None, max_length=40)
    date_of_birth: BirthDate | None = None
    notes: Text | None = Field(default=None, max_length=5000)
    guardians: list[GuardianIn] = Field(default_factory=list, max_length=4)


class StudentUpdate(BaseModel):
    """Only the fields present are changed."""

    full_name: Line | None = Field(default=None, min_length=1, max_length=200)
    email: Line | None = Field(default=None, max_length=254)
    phone: Line | None = Field(default=None, max_length=40)
    date_of_birth: BirthDate | None = None
    notes: Text | None = Field(default=None, max_length=5000)


class StudentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    full_name: str
    email: str | None
    phone: str | None
    date_of_birth: date | None
    notes: str | None
    status: StudentStatus
    source: str
    duplicate_of_student_id: uuid.UUID | None
    archived_at: datetime | None
    created_at: datetime
