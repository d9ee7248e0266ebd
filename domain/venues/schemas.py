from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from domain.inputs import Line, Text


class VenueIn(BaseModel):
    name: Line = Field(min_length=1, max_length=200, examples=["Studio Centro"])
    address: Text | None = Field(default=None, max_length=500)


class VenueUpdate(BaseModel):
    name: Line | None = Field(default=None, min_length=1, max_length=200)
    address: Text | None = Field(default=None, max_length=500)


class VenueOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    address: str | None
    archived_at: datetime | None
