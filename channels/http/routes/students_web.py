"""What the student page needs beyond the basic student routes: family (siblings), attendance history,
notes, and a payment reminder. Thin: each calls one domain service, which checks the role."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field

from channels.http.deps import DB, Tenant
from channels.http.exports import EXPORTABLE, Exporter
from domain.attendance.history import AttendanceEntry, student_attendance
from domain.embeddings import default_embedder
from domain.inputs import Text
from domain.notes import service as notes
from domain.orgs.viewer import student_out, viewer
from domain.payments import reminders
from domain.students.browse import StudentSort, browse_students
from domain.students.family import FamilyOut, family, set_family
from domain.students.schemas import StudentOut

router = APIRouter(tags=["students"])


class FamilyIn(BaseModel):
    sibling_id: uuid.UUID | None = Field(
        description="Join this student's family (siblings get the sibling discount); null leaves any family."
    )


class NoteIn(BaseModel):
    body: Text = Field(min_length=1, max_length=2000)


class NoteOut(BaseModel):
    id: uuid.UUID
    body: str
    created_at: datetime


class ReminderOut(BaseModel):
    student_id: uuid.UUID
    to_name: str
    to_email: str | None
    to_phone: str | None
    outstanding: Decimal
    currency: str
    oldest_due: date | None


class StudentPage(BaseModel):
    total: int = Field(description="How many students the list has in all (with a query: how many matched).")
    rows: list[StudentOut]


@router.get("/students/browse", response_model=StudentPage, responses=EXPORTABLE)
async def browse(
    tenant: Tenant,
    db: DB,
    export: Exporter,
    q: Annotated[
        str | None, Query(max_length=200, description="A name or part of one; typos are fine.")
    ] = None,
    sort: StudentSort = StudentSort.NAME,
    include_archived: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 25,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> StudentPage | Response:
    """The students list page: one page of students in the chosen order, or the best matches of a search.
    A teacher sees their own students only, with contacts only if the school allows it. With ``format``,
    the same page (its sort, search and window) as a file."""
    total, rows = await browse_students(
        db, tenant, query=q, sort=sort, include_archived=include_archived, limit=limit, offset=offset
    )
    seen_by = await viewer(db, tenant)
    out = [student_out(s, seen_by) for s in rows]
    if export.wanted:
        return await export.items(out, StudentOut, "students")  # type: ignore[return-value]
    return StudentPage(total=total, rows=out)


@router.get("/students/{student_id}/family", response_model=FamilyOut)
async def get_family(student_id: uuid.UUID, tenant: Tenant, db: DB) -> FamilyOut:
    return await family(db, tenant, student_id)


@router.put("/students/{student_id}/family", response_model=FamilyOut)
async def put_family(student_id: uuid.UUID, body: FamilyIn, tenant: Tenant, db: DB) -> FamilyOut:
    """Admins and staff; audited."""
    return await set_family(db, tenant, student_id, sibling_id=body.sibling_id)


@router.get("/students/{student_id}/attendance", response_model=list[AttendanceEntry], responses=EXPORTABLE)
async def attendance_history(
    student_id: uuid.UUID,
    tenant: Tenant,
    db: DB,
    export: Exporter,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Sequence[AttendanceEntry] | Response:
    """Newest first; a teacher sees only the marks of their own classes."""
    out = await student_attendance(db, tenant, student_id, limit=limit)
    return await export.items(out, AttendanceEntry, "attendance")


@router.get("/students/{student_id}/notes", response_model=list[NoteOut], responses=EXPORTABLE)
async def list_notes(
    student_id: uuid.UUID,
    tenant: Tenant,
    db: DB,
    export: Exporter,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Sequence[NoteOut] | Response:
    rows = await notes.recent_notes(db, tenant, student_id, limit=limit)
    out = [NoteOut(id=n.id, body=n.body, created_at=n.created_at) for n in rows]
    return await export.items(out, NoteOut, "notes")


@router.post("/students/{student_id}/notes", status_code=status.HTTP_201_CREATED, response_model=NoteOut)
async def add_note(student_id: uuid.UUID, body: NoteIn, tenant: Tenant, db: DB) -> NoteOut:
    """Anyone who sees the student (a teacher their own students); notes are appended, never edited."""
    note = await notes.add_note(
        db, tenant, student_id=student_id, body=body.body, embedder=default_embedder()
    )
    return NoteOut(id=note.id, body=note.body, created_at=note.created_at)


@router.post(
    "/students/{student_id}/reminders", status_code=status.HTTP_202_ACCEPTED, response_model=ReminderOut
)
async def send_reminder(student_id: uuid.UUID, tenant: Tenant, db: DB) -> ReminderOut:
    """Admins and staff: queue a payment reminder to the first guardian with a contact (or the student);
    409 when nothing is owed or nobody can be reached."""
    sent = await reminders.send_reminder(db, tenant, student_id, today=tenant.today())
    return ReminderOut(
        student_id=sent.student_id,
        to_name=sent.to_name,
        to_email=sent.to_email,
        to_phone=sent.to_phone,
        outstanding=sent.outstanding,
        currency=sent.currency,
        oldest_due=sent.oldest_due,
    )
