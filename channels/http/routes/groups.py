"""Groups, memberships, rosters."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from fastapi import APIRouter, Query, Response, status

from channels.http.deps import DB, Tenant
from channels.http.exports import EXPORTABLE, Exporter
from channels.http.paging import Paging
from domain.errors import Invalid
from domain.groups import memberships, waitlist
from domain.groups import service as groups
from domain.groups.models import GroupStatus
from domain.groups.schemas import (
    EnrollIn,
    GroupIn,
    GroupOut,
    GroupOverview,
    GroupStatusIn,
    GroupUpdate,
    LeaveIn,
    MembershipOut,
    MoveIn,
    RosterEntry,
    WaitlistEntryOut,
    WaitlistIn,
)
from domain.inputs import Day
from domain.search import NameMatch

router = APIRouter(tags=["groups"])


@router.post("/groups", status_code=status.HTTP_201_CREATED, response_model=GroupOut)
async def create_group(body: GroupIn, tenant: Tenant, db: DB) -> GroupOut:
    return GroupOut.model_validate(await groups.create_group(db, tenant, data=body))


@router.get("/groups", response_model=list[GroupOut], responses=EXPORTABLE)
async def list_groups(
    tenant: Tenant,
    db: DB,
    export: Exporter,
    page: Paging,
    status_: GroupStatus | None = Query(None, alias="status"),
) -> Sequence[GroupOut] | Response:
    out = [GroupOut.model_validate(g) for g in await groups.list_groups(db, tenant, status=status_)]
    return await export.items(out, GroupOut, "groups") if export.wanted else page.slice(out)


@router.get("/groups/search", response_model=list[NameMatch])
async def search_groups(
    tenant: Tenant,
    db: DB,
    q: str = Query(min_length=1, max_length=200),
    limit: int = Query(default=10, ge=1, le=50),
) -> list[NameMatch]:
    matches = await groups.search_groups(db, tenant, query=q, limit=limit)
    return [NameMatch(id=m.id, name=m.name, score=round(m.score, 1)) for m in matches]


@router.get("/groups/{group_id}", response_model=GroupOut)
async def get_group(group_id: uuid.UUID, tenant: Tenant, db: DB) -> GroupOut:
    return GroupOut.model_validate(await groups.get_group(db, tenant, group_id))


@router.patch("/groups/{group_id}", response_model=GroupOut)
async def update_group(group_id: uuid.UUID, body: GroupUpdate, tenant: Tenant, db: DB) -> GroupOut:
    return GroupOut.model_validate(await groups.update_group(db, tenant, group_id, data=body))


@router.post("/groups/{group_id}/status", response_model=GroupOut)
async def change_status(group_id: uuid.UUID, body: GroupStatusIn, tenant: Tenant, db: DB) -> GroupOut:
    """active ⇄ paused, either → closed (final)."""
    group = await groups.change_group_status(db, tenant, group_id, status=body.status, reason=body.reason)
    return GroupOut.model_validate(group)


@router.get("/groups/{group_id}/roster", response_model=list[RosterEntry], responses=EXPORTABLE)
async def roster(
    group_id: uuid.UUID, tenant: Tenant, db: DB, export: Exporter, page: Paging, on: Day | None = None
) -> Sequence[RosterEntry] | Response:
    """Who is (or was, or will be) in the group on a date; today by default."""
    out = await groups.roster(db, tenant, group_id, on=on or tenant.today())
    return await export.items(out, RosterEntry, "roster") if export.wanted else page.slice(out)


@router.get("/groups/{group_id}/overview", response_model=GroupOverview)
async def overview(
    group_id: uuid.UUID, tenant: Tenant, db: DB, start: Day | None = None, end: Day | None = None
) -> GroupOverview:
    """Roster size, sessions by status and attendance rate over a period (the last 90 days by default)."""
    today = tenant.today()
    end = end or today
    start = start or end - timedelta(days=90)
    if end < start:
        raise Invalid("The period ends before it starts.", details={"field": "end"})
    return await groups.group_overview(db, tenant, group_id, start=start, end=end, today=today)


@router.post("/groups/{group_id}/members", status_code=status.HTTP_201_CREATED, response_model=MembershipOut)
async def enroll(group_id: uuid.UUID, body: EnrollIn, tenant: Tenant, db: DB) -> MembershipOut:
    membership = await memberships.enroll(
        db, tenant, student_id=body.student_id, group_id=group_id, start_date=body.start_date
    )
    return MembershipOut.model_validate(membership)


@router.post("/groups/{group_id}/members/{student_id}/leave", response_model=MembershipOut)
async def leave(
    group_id: uuid.UUID, student_id: uuid.UUID, body: LeaveIn, tenant: Tenant, db: DB
) -> MembershipOut:
    membership = await memberships.leave(
        db, tenant, student_id=student_id, group_id=group_id, end_date=body.end_date
    )
    return MembershipOut.model_validate(membership)


@router.post("/groups/{group_id}/members/{student_id}/move", response_model=list[MembershipOut])
async def move(
    group_id: uuid.UUID, student_id: uuid.UUID, body: MoveIn, tenant: Tenant, db: DB
) -> list[MembershipOut]:
    """Move to another group from a date, in one step: both memberships are kept as history."""
    ended, started = await memberships.move(
        db,
        tenant,
        student_id=student_id,
        from_group_id=group_id,
        to_group_id=body.to_group_id,
        on_date=body.on_date,
    )
    return [MembershipOut.model_validate(ended), MembershipOut.model_validate(started)]


@router.get("/groups/{group_id}/waitlist", response_model=list[WaitlistEntryOut], responses=EXPORTABLE)
async def list_waitlist(
    group_id: uuid.UUID, tenant: Tenant, db: DB, export: Exporter
) -> Sequence[WaitlistEntryOut] | Response:
    """Students waiting for a place, first in line first; teachers read their own groups' lists."""
    return await export.items(await waitlist.entries(db, tenant, group_id), WaitlistEntryOut, "waitlist")


@router.post(
    "/groups/{group_id}/waitlist", status_code=status.HTTP_201_CREATED, response_model=WaitlistEntryOut
)
async def add_to_waitlist(group_id: uuid.UUID, body: WaitlistIn, tenant: Tenant, db: DB) -> WaitlistEntryOut:
    """Office only. When a place frees up, the next student is offered it (the office is notified and
    confirms by enrolling them with ``POST /groups/{group_id}/members``, which takes them off the list)."""
    entry = await waitlist.add(db, tenant, group_id=group_id, student_id=body.student_id, note=body.note)
    return next(e for e in await waitlist.entries(db, tenant, group_id) if e.id == entry.id)


@router.delete("/groups/{group_id}/waitlist/{entry_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_from_waitlist(group_id: uuid.UUID, entry_id: uuid.UUID, tenant: Tenant, db: DB) -> Response:
    """Office only. The entry is kept as history; a place it had been offered goes to the next student."""
    await waitlist.remove(db, tenant, group_id=group_id, entry_id=entry_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/students/{student_id}/memberships", response_model=list[MembershipOut], responses=EXPORTABLE)
async def student_memberships(
    student_id: uuid.UUID, tenant: Tenant, db: DB, export: Exporter, on: Day | None = None
) -> Sequence[MembershipOut] | Response:
    """All of a student's memberships, or those on a given date (their roster status that day)."""
    rows = await memberships.memberships_of(db, tenant, student_id, on=on)
    return await export.items(
        [MembershipOut.model_validate(m) for m, _ in rows], MembershipOut, "memberships"
    )
