from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from domain.inputs import Line


class WebhookIn(BaseModel):
    url: Line = Field(max_length=2000, examples=["https://example.com/cadence-events"])
    description: Line | None = Field(default=None, max_length=200)
    event_types: list[Line] = Field(
        default_factory=list, description="Event types to receive, e.g. session.cancelled; all if empty."
    )


class WebhookOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    url: str
    description: str | None
    event_types: list[str]
    created_at: datetime
    disabled_at: datetime | None
