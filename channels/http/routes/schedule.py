"""Schedules: group slots, generation, closures, substitutes and calendar feeds (thin over
domain.scheduling); the public ICS address calendar apps poll."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Literal

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field, model_validator

from channels.http.deps import DB, AppSettings, Now, Tenant
from channels.http.exports import EXPORTABLE, Exporter
from channels.ics import render
from domain.errors import Invalid
from domain.inputs import Day, Line
from domain.orgs import service as orgs
from domain.scheduling import feeds, slot_end
from domain.scheduling import service as scheduling
from domain.scheduling.calendar import public_holidays
from domain.scheduling.models import FeedKind
from domain.scheduling.schemas import (
    ClosureIn,
    ClosureOut,
    ClosureResult,
    Generation,
    SlotChange,
    SlotIn,
    SlotOut,
)
from domain.sessions import service as class_sessions
from domain.sessions.schemas import SessionOut

router = APIRouter(tags=["schedule"])
public = APIRouter(prefix="/public", tags=["public calendar"])


@router.post("/groups/{group_id}/slots", status_code=status.HTTP_201_CREATED, response_model=SlotOut)
async def add_slot(group_id: uuid.UUID, body: SlotIn, tenant: Tenant, db: DB) -> SlotOut:
    return SlotOut.model_validate(await scheduling.add_slot(db, tenant, group_id=group_id, data=body))


@router.get("/groups/{group_id}/slots", response_model=list[SlotOut], responses=EXPORTABLE)
async def list_slots(
    group_id: uuid.UUID, tenant: Tenant, db: DB, export: Exporter, on: Day | None = None
) -> Sequence[SlotOut] | Response:
    """Every slot the group ever had (the history of its schedule), or those in force ``on`` a date."""
    out = [
        SlotOut.model_validate(s) for s in await scheduling.list_slots(db, tenant, group_id=group_id, on=on)
    ]
    return await export.items(out, SlotOut, "slots")


@router.post("/slots/{slot_id}/change", response_model=SlotOut)
async def change_slot(slot_id: uuid.UUID, body: SlotChange, tenant: Tenant, db: DB) -> SlotOut:
    """Change day, time, venue or teacher from ``effective_from``; earlier classes stay as they were."""
    slot = await scheduling.change_slot(db, tenant, slot_id, data=body, today=tenant.today())
    return SlotOut.model_validate(slot)


class SlotEndIn(BaseModel):
    from_date: Day = Field(description="The first date without this class (today or later).")
    reason: Line | None = Field(default=None, max_length=500)


class SlotEnded(BaseModel):
    slot: SlotOut = Field(description="The slot as it stays: ``valid_until`` is its last day.")
    cancelled_sessions: int


@router.post("/slots/{slot_id}/end", response_model=SlotEnded)
async def end_slot(slot_id: uuid.UUID, body: SlotEndIn, tenant: Tenant, db: DB) -> SlotEnded:
    """Remove a weekly class from a date on: its classes still scheduled from then are cancelled."""
    slot, cancelled = await slot_end.end_slot(
        db, tenant, slot_id, from_date=body.from_date, today=tenant.today(), reason=body.reason
    )
    return SlotEnded(slot=SlotOut.model_validate(slot), cancelled_sessions=cancelled)


class HolidayOut(BaseModel):
    date: dt.date
    name: str


class HolidaysOut(BaseModel):
    country: str | None
    region: str | None
    skipped: bool = Field(description="Whether generation skips them (the organization's switch).")
    holidays: list[HolidayOut]


@router.get("/schedule/holidays", response_model=HolidaysOut)
async def holidays_ahead(
    tenant: Tenant,
    db: DB,
    since: Day | None = None,
    until: Day | None = None,
    language: Literal["en", "es"] | None = None,
) -> HolidaysOut:
    """The public holidays of the organization's country and region (a year ahead by default), named in
    ``language`` when the country's calendar has it."""
    org = await orgs.get_organization(db, tenant)
    start = since or tenant.today()
    end = until or start + timedelta(days=365)
    if end < start or end > start + timedelta(days=3 * 366):
        raise Invalid("Ask for at most three years, ending after the start.", details={"field": "until"})
    found = public_holidays(org.country, org.holiday_region, start, end, language=language)
    return HolidaysOut(
        country=org.country,
        region=org.holiday_region,
        skipped=org.public_holidays,
        holidays=[HolidayOut(date=h.date, name=h.name) for h in found],
    )


class GenerateIn(BaseModel):
    until: Day | None = Field(default=None, description="The organization's horizon (4 weeks) if omitted.")


@router.post("/schedule/generate", response_model=Generation)
async def generate(body: GenerateIn, tenant: Tenant, db: DB) -> Generation:
    """Create the scheduled classes up to ``until``; running it again creates nothing new."""
    return await scheduling.generate(db, tenant, today=tenant.today(), until=body.until)


@router.get("/schedule/week", response_model=list[SessionOut], responses=EXPORTABLE)
async def week(
    tenant: Tenant, db: DB, export: Exporter, day: Day | None = None
) -> Sequence[SessionOut] | Response:
    """Monday to Sunday of the week of ``day`` (this week by default); a teacher sees their own."""
    start = (day or tenant.today()) - timedelta(days=(day or tenant.today()).weekday())
    rows = await class_sessions.list_sessions(db, tenant, start=start, end=start + timedelta(days=6))
    return await export.items([SessionOut.model_validate(r) for r in rows], SessionOut, "week")


@router.post("/closures", status_code=status.HTTP_201_CREATED, response_model=ClosureResult)
async def add_closure(body: ClosureIn, tenant: Tenant, db: DB) -> ClosureResult:
    """Close dates for the school or a venue; future classes in them are cancelled with the reason."""
    closure, cancelled = await scheduling.add_closure(db, tenant, data=body, today=tenant.today())
    return ClosureResult(closure=ClosureOut.model_validate(closure), cancelled_sessions=cancelled)


@router.get("/closures", response_model=list[ClosureOut], responses=EXPORTABLE)
async def list_closures(
    tenant: Tenant, db: DB, export: Exporter, since: Day | None = None
) -> Sequence[ClosureOut] | Response:
    rows = await scheduling.list_closures(db, tenant, since=since or tenant.today())
    return await export.items([ClosureOut.model_validate(c) for c in rows], ClosureOut, "closures")


@router.delete("/closures/{closure_id}", response_model=ClosureOut)
async def withdraw_closure(closure_id: uuid.UUID, tenant: Tenant, db: DB, now: Now) -> ClosureOut:
    return ClosureOut.model_validate(await scheduling.withdraw_closure(db, tenant, closure_id, now=now))


class SubstituteIn(BaseModel):
    teacher_id: uuid.UUID
    reason: Line | None = Field(default=None, max_length=500)


@router.post("/sessions/{session_id}/substitute", response_model=SessionOut)
async def substitute(session_id: uuid.UUID, body: SubstituteIn, tenant: Tenant, db: DB) -> SessionOut:
    """Someone else teaches this one class; the group's schedule is unchanged."""
    row = await scheduling.assign_substitute(
        db, tenant, session_id, teacher_id=body.teacher_id, reason=body.reason
    )
    return SessionOut.model_validate(row)


class FeedIn(BaseModel):
    kind: FeedKind
    target_id: uuid.UUID | None = Field(
        default=None, description="The teacher's or the group's id; none for the school's feed."
    )

    @model_validator(mode="after")
    def _target(self) -> FeedIn:
        if self.kind is not FeedKind.SCHOOL and self.target_id is None:
            raise ValueError(f"a {self.kind.value}'s feed needs target_id")
        return self


class FeedOut(BaseModel):
    id: uuid.UUID
    kind: FeedKind
    target_id: uuid.UUID
    revoked: bool


class FeedCreatedOut(FeedOut):
    url: str = Field(description="Shown once: subscribe to it in a calendar app.")


@router.post("/calendar-feeds", status_code=status.HTTP_201_CREATED, response_model=FeedCreatedOut)
async def create_feed(body: FeedIn, tenant: Tenant, db: DB, settings: AppSettings) -> FeedCreatedOut:
    feed, token = await feeds.create_feed(
        db, tenant, kind=body.kind, target_id=body.target_id or tenant.org_id
    )
    base = settings.public_base_url.rstrip("/")
    return FeedCreatedOut(
        id=feed.id,
        kind=feed.kind,
        target_id=feed.target_id,
        revoked=False,
        url=f"{base}/api/v1/public/calendar/{token}.ics",
    )


@router.get("/calendar-feeds", response_model=list[FeedOut], responses=EXPORTABLE)
async def list_feeds(tenant: Tenant, db: DB, export: Exporter) -> Sequence[FeedOut] | Response:
    out = [
        FeedOut(id=f.id, kind=f.kind, target_id=f.target_id, revoked=f.revoked_at is not None)
        for f in await feeds.list_feeds(db, tenant)
    ]
    return await export.items(out, FeedOut, "calendar-feeds")


@router.delete("/calendar-feeds/{feed_id}", response_model=FeedOut)
async def revoke_feed(feed_id: uuid.UUID, tenant: Tenant, db: DB, now: Now) -> FeedOut:
    feed = await feeds.revoke_feed(db, tenant, feed_id, now=now)
    return FeedOut(id=feed.id, kind=feed.kind, target_id=feed.target_id, revoked=True)


@public.get("/calendar/{token}.ics", response_class=Response)
async def calendar(token: str, db: DB, now: Now) -> Response:
    """The feed as iCalendar, for phone calendars (no login: the address is the secret)."""
    feed = await feeds.read_feed(db, token=token, today=now.date())
    return Response(
        render(feed, now=now),
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, max-age=900"},
    )
