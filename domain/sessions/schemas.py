from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, Field

from domain.inputs import Day, Line, LocalTime, Text
from domain.sessions.models import SessionStatus


class SessionIn(BaseModel):
    group_id: uuid.UUID | None = Field(default=None, description="None for a one-off event without a group.")
    teacher_id: uuid.UUID | None = Field(default=None, description="Defaults to the group's regular teacher.")
    venue_id: uuid.UUID | None = Field(default=None, description="Defaults to the group's venue.")
    date: Day
    start_time: LocalTime | None = None
    end_time: LocalTime | None = None
    notes: Text | None = Field(default=None, max_length=2000)


class SessionUpdate(BaseModel):
    teacher_id: uuid.UUID | None = None
    venue_id: uuid.UUID | None = None
    date: Day | None = None
    start_time: LocalTime | None = None
    end_time: LocalTime | None = None
    notes: Text | None = Field(default=None, max_length=2000)
    reason: Line | None = Field(
        default=None, max_length=500, description="Required when the session was held."
    )


class CancelIn(BaseModel):
    reason: Line = Field(min_length=1, max_length=500, examples=["Teacher ill"])


class SessionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    group_id: uuid.UUID | None
    teacher_id: uuid.UUID
    substitute_for_teacher_id: uuid.UUID | None
    venue_id: uuid.UUID | None
    date: dt.date
    start_time: LocalTime | None
    end_time: LocalTime | None
    status: SessionStatus
    cancel_reason: str | None
    notes: str | None
    created_at: dt.datetime
