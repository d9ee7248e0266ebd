from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class WebhookIn(BaseModel):
    url: str = Field(max_length=2000, examples=["https://example.com/cadence-events"])
    description: str | None = Field(default=None, max_length=200)
    event_types: list[str] = Field(
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
