"""Period arguments shared by the reporting tools: explicit dates, or a sensible default."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field, model_validator

from domain.errors import Invalid
from domain.payments.rules import days_in_month, month_start


class Period(BaseModel):
    start: dt.date | None = Field(default=None, description="First day; the start of this month if omitted.")
    end: dt.date | None = Field(
        default=None, description="Last day; today (or the end of a past start's month) if omitted."
    )

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.start and self.end and self.end < self.start:
            raise ValueError("the period ends before it starts")
        return self

    def resolve(self, today: dt.date) -> tuple[dt.date, dt.date]:
        start = self.start or month_start(today)
        month_end = dt.date(start.year, start.month, days_in_month(start))
        # A past month on its own means that whole month; this month means "so far".
        end = self.end or (month_end if month_end < today or start > today else today)
        if end < start:
            raise Invalid("The period ends before it starts.", details={"field": "end"})
        return start, end


def said(start: dt.date, end: dt.date) -> str:
    """How a period reads in an answer: "November 2026", "2026-11-02", "2026-11-02 to 2026-11-08"."""
    if start == end:
        return start.isoformat()
    if start.day == 1 and end == dt.date(start.year, start.month, days_in_month(start)):
        return f"{start:%B %Y}"
    return f"{start.isoformat()} to {end.isoformat()}"
