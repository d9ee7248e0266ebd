"""The public registration form (no login) and the office's review of what arrived."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status
from pydantic import BaseModel

from channels.http.deps import DB, Now, Tenant
from channels.http.exports import EXPORTABLE, Exporter
from channels.http.paging import Paging
from domain.contact import clean_email
from domain.inputs import Line
from domain.notifications import transactional
from domain.registration import form as registration_form
from domain.registration import service as registration
from domain.registration.schemas import (
    DecisionIn,
    PendingRegistration,
    PublicRegistrationIn,
    RegistrationReceipt,
)
from domain.students.schemas import StudentOut

public = APIRouter(prefix="/public", tags=["public registration"])
router = APIRouter(prefix="/registrations", tags=["public registration"])
Slug = Annotated[Line, Path(min_length=1, max_length=63, description="The organization's address.")]


class RegistrationFormOut(BaseModel):
    organization: str
    language: str
    locale: str


@public.get("/orgs/{slug}/registration-form", response_model=RegistrationFormOut)
async def form(slug: Slug, db: DB) -> RegistrationFormOut:
    """What the public form (``/join/<slug>``) shows: the school's name and its language."""
    shown = await registration_form.describe(db, org_slug=slug)
    return RegistrationFormOut(organization=shown.organization, language=shown.language, locale=shown.locale)


@public.post(
    "/orgs/{slug}/registrations", status_code=status.HTTP_202_ACCEPTED, response_model=RegistrationReceipt
)
async def submit(
    slug: Slug, body: PublicRegistrationIn, request: Request, db: DB, now: Now
) -> RegistrationReceipt:
    """Ask to join an organization. Creates a pending student for the office to approve."""
    ip = request.client.host if request.client else None
    made = await registration.submit(db, org_slug=slug, data=body, ip=ip, now=now)
    if made is not None:  # a bot's filling is answered alike and told nothing
        tenant, student = made
        guardian = clean_email(body.guardian_email) if body.guardian_name else None  # checked as one
        to_email = student.email or guardian
        await transactional.registration_received(db, tenant, student, to_email=to_email, now=now)
    return RegistrationReceipt()


@router.get("", response_model=list[PendingRegistration], responses=EXPORTABLE)
async def pending(
    tenant: Tenant, db: DB, export: Exporter, page: Paging
) -> Sequence[PendingRegistration] | Response:
    rows = await registration.list_pending(db, tenant)
    return (
        await export.items(rows, PendingRegistration, "registrations") if export.wanted else page.slice(rows)
    )


@router.post("/{student_id}/approve", response_model=StudentOut)
async def approve(student_id: uuid.UUID, body: DecisionIn, tenant: Tenant, db: DB) -> StudentOut:
    return StudentOut.model_validate(
        await registration.decide(db, tenant, student_id, approve=True, reason=body.reason)
    )


@router.post("/{student_id}/reject", response_model=StudentOut)
async def reject(student_id: uuid.UUID, body: DecisionIn, tenant: Tenant, db: DB) -> StudentOut:
    return StudentOut.model_validate(
        await registration.decide(db, tenant, student_id, approve=False, reason=body.reason)
    )
