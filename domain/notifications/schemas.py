from __future__ import annotations

import uuid
from datetime import datetime, time

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.inputs import Count, LocalTime
from domain.notifications.models import Kind


class Preferences(BaseModel):
    """An organization's notification settings (the defaults when it never changed them)."""

    model_config = ConfigDict(from_attributes=True)

    disabled_kinds: list[Kind] = Field(default_factory=list)
    quiet_start: LocalTime = time(21, 0)
    quiet_end: LocalTime = time(7, 0)
    agenda_hour: int = Field(default=7, ge=0, le=23)
    attendance_reminder_hour: int = Field(default=19, ge=0, le=23)
    digest_weekday: int = Field(default=0, ge=0, le=6, description="0 = Monday")
    digest_hour: int = Field(default=9, ge=0, le=23)
    payout_preview_day: int = Field(default=25, ge=1, le=28)

    def sends(self, kind: Kind) -> bool:
        return kind not in self.disabled_kinds


class PreferencesPatch(BaseModel):
    """Only the fields given change."""

    model_config = ConfigDict(extra="forbid")

    disabled_kinds: list[Kind] | None = None
    quiet_start: LocalTime | None = None
    quiet_end: LocalTime | None = None
    agenda_hour: Count | None = Field(default=None, ge=0, le=23)
    attendance_reminder_hour: Count | None = Field(default=None, ge=0, le=23)
    digest_weekday: Count | None = Field(default=None, ge=0, le=6)
    digest_hour: Count | None = Field(default=None, ge=0, le=23)
    payout_preview_day: Count | None = Field(default=None, ge=1, le=28)

    @model_validator(mode="after")
    def _no_nulls(self) -> PreferencesPatch:
        # Every setting has a value; leaving a field out keeps it, null would erase it (and fail to store).
        given_null = sorted(name for name in self.model_fields_set if getattr(self, name) is None)
        if given_null:
            raise ValueError(
                f"leave out what should not change; null is not a value for {', '.join(given_null)}"
            )
        return self


RECIPIENT = r"^(user|student|teacher):[0-9a-f-]{36}$"


class OptOutIn(BaseModel):
    recipient: str = Field(  # the pattern admits no control character
        pattern=RECIPIENT,
        description='"user:<id>", "student:<id>" (the family) or "teacher:<id>" (a teacher without login).',
    )
    kind: Kind | None = Field(default=None, description="One kind; every kind if omitted.")


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    recipient: str
    kind: str
    period: str
    channel: str
    subject: str
    status: str
    reason: str | None
    attempts: int
    created_at: datetime
    sent_at: datetime | None
