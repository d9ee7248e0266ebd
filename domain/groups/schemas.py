from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from domain.groups.models import GroupStatus
from domain.inputs import Count, Day, Line


class GroupIn(BaseModel):
    name: Line = Field(min_length=1, max_length=200, examples=["Salsa Beginners"])
    venue_id: uuid.UUID | None = None
    teacher_id: uuid.UUID | None = Field(default=None, description="The regular teacher.")
    capacity: Count | None = Field(default=None, gt=0, le=1000)


class GroupUpdate(BaseModel):
    name: Line | None = Field(default=None, min_length=1, max_length=200)
    venue_id: uuid.UUID | None = None
    teacher_id: uuid.UUID | None = None
    capacity: Count | None = Field(default=None, gt=0, le=1000)


class GroupStatusIn(BaseModel):
    status: GroupStatus
    reason: Line | None = Field(default=None, max_length=500)


class GroupOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    status: GroupStatus
    venue_id: uuid.UUID | None
    teacher_id: uuid.UUID | None
    capacity: int | None
    created_at: datetime


class EnrollIn(BaseModel):
    student_id: uuid.UUID
    start_date: Day


class LeaveIn(BaseModel):
    end_date: Day = Field(description="The last day the student belongs to the group.")


class MoveIn(BaseModel):
    to_group_id: uuid.UUID
    on_date: Day = Field(description="First day in the new group; the old membership ends the day before.")


class MembershipOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    student_id: uuid.UUID
    group_id: uuid.UUID
    start_date: date
    end_date: date | None


class RosterEntry(BaseModel):
    student_id: uuid.UUID
    full_name: str
    membership_id: uuid.UUID
    start_date: date
    end_date: date | None


class GroupOverview(BaseModel):
    group: GroupOut
    roster_size: int
    sessions_held: int
    sessions_cancelled: int
    sessions_scheduled: int
    attendance_rate: Decimal | None = Field(description="(present + late) / marks over held sessions, 0–1.")
    period_start: date
    period_end: date


class WaitlistIn(BaseModel):
    student_id: uuid.UUID
    note: Line | None = Field(default=None, max_length=500)


class WaitlistEntryOut(BaseModel):
    id: uuid.UUID
    position: int = Field(description="1 is next in line.")
    student_id: uuid.UUID
    full_name: str
    note: str | None
    added_at: datetime
    offered_at: datetime | None = Field(description="When a freed place was offered; the office confirms.")
