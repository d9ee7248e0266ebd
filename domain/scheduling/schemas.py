from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.inputs import Count, Day, Line, LocalTime


class SlotIn(BaseModel):
    weekday: Count = Field(ge=0, le=6, description="0 = Monday … 6 = Sunday")
    start_time: LocalTime
    end_time: LocalTime
    venue_id: uuid.UUID | None = Field(default=None, description="The group's venue if omitted.")
    teacher_id: uuid.UUID | None = Field(default=None, description="The group's regular teacher if omitted.")
    interval_weeks: Count = Field(
        default=1, ge=1, le=8, description="1 = every week, 2 = every other week, …"
    )
    valid_from: Day
    valid_until: Day | None = None

    @model_validator(mode="after")
    def _ordered(self) -> SlotIn:
        if self.end_time <= self.start_time:
            raise ValueError("end_time must be after start_time")
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise ValueError("valid_until must not be before valid_from")
        return self


class SlotChange(BaseModel):
    """A change that takes effect from ``effective_from``; only the fields given change."""

    model_config = ConfigDict(extra="forbid")

    effective_from: Day
    weekday: Count | None = Field(default=None, ge=0, le=6)
    start_time: LocalTime | None = None
    end_time: LocalTime | None = None
    venue_id: uuid.UUID | None = None
    teacher_id: uuid.UUID | None = None
    reason: Line | None = Field(default=None, max_length=500)


class GroupChange(BaseModel):
    """A new venue and/or regular teacher for every weekly class of a group from ``effective_from``.
    No time or weekday: those belong to one weekly class (a ``SlotChange``)."""

    model_config = ConfigDict(extra="forbid")

    effective_from: Day
    venue_id: uuid.UUID | None = None
    teacher_id: uuid.UUID | None = None
    reason: Line | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _something(self) -> GroupChange:
        if self.venue_id is None and self.teacher_id is None:
            raise ValueError("say the new venue, the new teacher or both")
        return self


class SlotOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    group_id: uuid.UUID
    weekday: int
    start_time: LocalTime
    end_time: LocalTime
    venue_id: uuid.UUID | None
    teacher_id: uuid.UUID | None
    interval_weeks: int
    anchor_date: dt.date
    valid_from: dt.date
    valid_until: dt.date | None
    replaces_slot_id: uuid.UUID | None


class ClosureIn(BaseModel):
    start_date: Day
    end_date: Day | None = Field(default=None, description="The start date if omitted (one day).")
    venue_id: uuid.UUID | None = Field(
        default=None, description="Only this venue; the whole school if omitted."
    )
    reason: Line = Field(min_length=1, max_length=200)

    @model_validator(mode="after")
    def _ordered(self) -> ClosureIn:
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError("end_date must not be before start_date")
        return self


class ClosureOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    start_date: dt.date
    end_date: dt.date
    venue_id: uuid.UUID | None
    reason: str
    withdrawn_at: dt.datetime | None


class ClosureResult(BaseModel):
    closure: ClosureOut
    cancelled_sessions: int


class Generation(BaseModel):
    """What a generation run did, per organization."""

    start: dt.date
    until: dt.date
    created: int
    already_there: int
    closed: int  # occurrences skipped for a closure or a public holiday
