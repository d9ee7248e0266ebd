"""Students, teachers and venues."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from channels.http.deps import DB, Now, Tenant
from channels.http.exports import EXPORTABLE, Exporter
from channels.http.paging import TOTAL_HEADER, Paging
from domain.exports.students import count_students, student_rows
from domain.orgs.viewer import guardian_out, student_out, teacher_out, viewer
from domain.search import Match, NameMatch
from domain.students import service as students
from domain.students.models import StudentStatus
from domain.students.schemas import (
    GuardianIn,
    GuardianOut,
    StudentIn,
    StudentOut,
    StudentUpdate,
)
from domain.teachers import service as teachers
from domain.teachers.schemas import TeacherIn, TeacherOut, TeacherUpdate
from domain.venues import service as venues
from domain.venues.schemas import VenueIn, VenueOut, VenueUpdate

router = APIRouter()


SearchQuery = Annotated[str, Query(min_length=1, max_length=200, description="A name, or part of one.")]
SearchLimit = Annotated[int, Query(ge=1, le=50)]


def _match(m: Match) -> NameMatch:
    return NameMatch(id=m.id, name=m.name, score=round(m.score, 1))


@router.post("/students", status_code=status.HTTP_201_CREATED, response_model=StudentOut, tags=["students"])
async def create_student(body: StudentIn, tenant: Tenant, db: DB) -> StudentOut:
    return StudentOut.model_validate(await students.create_student(db, tenant, data=body))


@router.get("/students", response_model=list[StudentOut], tags=["students"], responses=EXPORTABLE)
async def list_students(
    tenant: Tenant,
    db: DB,
    export: Exporter,
    response: Response,
    status_: StudentStatus | None = Query(default=StudentStatus.ACTIVE, alias="status"),
    include_archived: bool = False,
    limit: int = Query(default=200, ge=1, le=1000),
    offset: int = Query(default=0, ge=0, le=1_000_000),  # PostgreSQL refuses a huge OFFSET (was a 500)
) -> list[StudentOut] | Response:
    """The office sees every student; a teacher their own students, with contact details only if the
    school allows it. As CSV/xlsx: every student (no paging) with guardians, family and groups — the
    format the spreadsheet import reads."""
    if export.wanted:
        table, cells = await student_rows(
            db,
            tenant,
            today=tenant.today(),
            language=export.language,
            status=status_,
            include_archived=include_archived,
        )
        return export.download(table, cells)
    total = await count_students(db, tenant, status=status_, include_archived=include_archived)
    response.headers[TOTAL_HEADER] = str(total)
    rows = await students.list_students(
        db, tenant, status=status_, include_archived=include_archived, limit=limit, offset=offset
    )
    seen_by = await viewer(db, tenant)
    return [student_out(s, seen_by) for s in rows]


@router.get("/students/search", response_model=list[NameMatch], tags=["students"])
async def search_students(tenant: Tenant, db: DB, q: SearchQuery, limit: SearchLimit = 10) -> list[NameMatch]:
    """Fuzzy, accent-insensitive search by name ("Jose" finds "José")."""
    return [_match(m) for m in await students.search_students(db, tenant, query=q, limit=limit)]


@router.get("/students/{student_id}", response_model=StudentOut, tags=["students"])
async def get_student(student_id: uuid.UUID, tenant: Tenant, db: DB) -> StudentOut:
    student = await students.read_student(db, tenant, student_id)
    return student_out(student, await viewer(db, tenant))


@router.patch("/students/{student_id}", response_model=StudentOut, tags=["students"])
async def update_student(student_id: uuid.UUID, body: StudentUpdate, tenant: Tenant, db: DB) -> StudentOut:
    return StudentOut.model_validate(await students.update_student(db, tenant, student_id, data=body))


@router.post("/students/{student_id}/archive", response_model=StudentOut, tags=["students"])
async def archive_student(student_id: uuid.UUID, tenant: Tenant, db: DB, now: Now) -> StudentOut:
    """Archive (never delete): history stays, the student leaves everyday lists."""
    return StudentOut.model_validate(await students.archive_student(db, tenant, student_id, now=now))


@router.get(
    "/students/{student_id}/guardians",
    response_model=list[GuardianOut],
    tags=["students"],
    responses=EXPORTABLE,
)
async def list_guardians(
    student_id: uuid.UUID, tenant: Tenant, db: DB, export: Exporter
) -> Sequence[GuardianOut] | Response:
    guardians = await students.list_guardians(db, tenant, student_id)
    seen_by = await viewer(db, tenant)
    out = [guardian_out(g, seen_by) for g in guardians]
    return await export.items(out, GuardianOut, "guardians")


@router.post(
    "/students/{student_id}/guardians",
    status_code=status.HTTP_201_CREATED,
    response_model=GuardianOut,
    tags=["students"],
)
async def add_guardian(student_id: uuid.UUID, body: GuardianIn, tenant: Tenant, db: DB) -> GuardianOut:
    return GuardianOut.model_validate(await students.add_guardian(db, tenant, student_id, data=body))


@router.post("/teachers", status_code=status.HTTP_201_CREATED, response_model=TeacherOut, tags=["teachers"])
async def create_teacher(body: TeacherIn, tenant: Tenant, db: DB) -> TeacherOut:
    return TeacherOut.model_validate(await teachers.create_teacher(db, tenant, data=body))


@router.get("/teachers", response_model=list[TeacherOut], tags=["teachers"], responses=EXPORTABLE)
async def list_teachers(
    tenant: Tenant, db: DB, export: Exporter, page: Paging, include_archived: bool = False
) -> Sequence[TeacherOut] | Response:
    """Everyone sees who teaches; a teacher sees no colleague's pay rate (nor contacts, unless allowed)."""
    rows = await teachers.list_teachers(db, tenant, include_archived=include_archived)
    seen_by = await viewer(db, tenant)
    out = [teacher_out(t, seen_by) for t in rows]
    return await export.items(out, TeacherOut, "teachers") if export.wanted else page.slice(out)


@router.get("/teachers/search", response_model=list[NameMatch], tags=["teachers"])
async def search_teachers(tenant: Tenant, db: DB, q: SearchQuery, limit: SearchLimit = 10) -> list[NameMatch]:
    return [_match(m) for m in await teachers.search_teachers(db, tenant, query=q, limit=limit)]


@router.get("/teachers/{teacher_id}", response_model=TeacherOut, tags=["teachers"])
async def get_teacher(teacher_id: uuid.UUID, tenant: Tenant, db: DB) -> TeacherOut:
    teacher = await teachers.get_teacher(db, tenant, teacher_id)
    return teacher_out(teacher, await viewer(db, tenant))


@router.patch("/teachers/{teacher_id}", response_model=TeacherOut, tags=["teachers"])
async def update_teacher(teacher_id: uuid.UUID, body: TeacherUpdate, tenant: Tenant, db: DB) -> TeacherOut:
    teacher = await teachers.update_teacher(db, tenant, teacher_id, data=body, today=tenant.today())
    return TeacherOut.model_validate(teacher)


@router.post("/teachers/{teacher_id}/archive", response_model=TeacherOut, tags=["teachers"])
async def archive_teacher(teacher_id: uuid.UUID, tenant: Tenant, db: DB, now: Now) -> TeacherOut:
    return TeacherOut.model_validate(await teachers.archive_teacher(db, tenant, teacher_id, now=now))


@router.post("/venues", status_code=status.HTTP_201_CREATED, response_model=VenueOut, tags=["venues"])
async def create_venue(body: VenueIn, tenant: Tenant, db: DB) -> VenueOut:
    return VenueOut.model_validate(await venues.create_venue(db, tenant, data=body))


@router.get("/venues", response_model=list[VenueOut], tags=["venues"], responses=EXPORTABLE)
async def list_venues(
    tenant: Tenant, db: DB, export: Exporter, page: Paging, include_archived: bool = False
) -> Sequence[VenueOut] | Response:
    out = [
        VenueOut.model_validate(v)
        for v in await venues.list_venues(db, tenant, include_archived=include_archived)
    ]
    return await export.items(out, VenueOut, "venues") if export.wanted else page.slice(out)


@router.get("/venues/search", response_model=list[NameMatch], tags=["venues"])
async def search_venues(tenant: Tenant, db: DB, q: SearchQuery, limit: SearchLimit = 10) -> list[NameMatch]:
    return [_match(m) for m in await venues.search_venues(db, tenant, query=q, limit=limit)]


@router.get("/venues/{venue_id}", response_model=VenueOut, tags=["venues"])
async def get_venue(venue_id: uuid.UUID, tenant: Tenant, db: DB) -> VenueOut:
    return VenueOut.model_validate(await venues.get_venue(db, tenant, venue_id))


@router.patch("/venues/{venue_id}", response_model=VenueOut, tags=["venues"])
async def update_venue(venue_id: uuid.UUID, body: VenueUpdate, tenant: Tenant, db: DB) -> VenueOut:
    return VenueOut.model_validate(await venues.update_venue(db, tenant, venue_id, data=body))


@router.post("/venues/{venue_id}/archive", response_model=VenueOut, tags=["venues"])
async def archive_venue(venue_id: uuid.UUID, tenant: Tenant, db: DB, now: Now) -> VenueOut:
    return VenueOut.model_validate(await venues.archive_venue(db, tenant, venue_id, now=now))
