from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, Field

from domain.inputs import Count, Day, LocalTime, Text
from domain.sessions.models import SessionStatus


class PrivateSessionIn(BaseModel):
    teacher_id: uuid.UUID
    student_id: uuid.UUID
    venue_id: uuid.UUID | None = None
    date: Day
    start_time: LocalTime | None = None
    duration_minutes: Count = Field(description="Length of the lesson; must be positive.", le=600)
    notes: Text | None = Field(default=None, max_length=2000)


class PrivateSessionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    teacher_id: uuid.UUID
    student_id: uuid.UUID
    venue_id: uuid.UUID | None
    date: dt.date
    start_time: LocalTime | None
    duration_minutes: int
    status: SessionStatus
    cancel_reason: str | None
    notes: str | None
    created_at: dt.datetime
