"""Class sessions, attendance and private lessons."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from channels.http.deps import DB, Now, Tenant
from channels.http.exports import EXPORTABLE, Exporter
from channels.http.paging import Paging
from domain.attendance import service as attendance
from domain.attendance.schemas import (
    AttendanceOut,
    MarkAllExceptIn,
    MarkIn,
    MarkResult,
    MissingAttendance,
    MissingReport,
    OverrideIn,
)
from domain.exports import attendance as attendance_export
from domain.exports.attendance import AttendanceRow
from domain.inputs import Day
from domain.private_lessons import service as lessons
from domain.private_lessons.schemas import PrivateSessionIn, PrivateSessionOut
from domain.sessions import service as sessions
from domain.sessions.models import SessionStatus
from domain.sessions.schemas import CancelIn, SessionIn, SessionOut, SessionUpdate

router = APIRouter()


@router.post("/sessions", status_code=status.HTTP_201_CREATED, response_model=SessionOut, tags=["sessions"])
async def create_session(body: SessionIn, tenant: Tenant, db: DB) -> SessionOut:
    return SessionOut.model_validate(await sessions.create_session(db, tenant, data=body))


@router.get("/sessions", response_model=list[SessionOut], tags=["sessions"], responses=EXPORTABLE)
async def list_sessions(
    tenant: Tenant,
    db: DB,
    export: Exporter,
    page: Paging,
    start: Day | None = None,
    end: Day | None = None,
    group_id: uuid.UUID | None = None,
    teacher_id: uuid.UUID | None = None,
    venue_id: uuid.UUID | None = None,
    status_: SessionStatus | None = None,
) -> Sequence[SessionOut] | Response:
    """Sessions in a period (this week by default)."""
    today = tenant.today()
    start = start or today - timedelta(days=today.weekday())
    end = end or start + timedelta(days=6)
    rows = await sessions.list_sessions(
        db,
        tenant,
        start=start,
        end=end,
        group_id=group_id,
        teacher_id=teacher_id,
        venue_id=venue_id,
        status=status_,
    )
    out = [SessionOut.model_validate(s) for s in rows]
    return await export.items(out, SessionOut, "sessions") if export.wanted else page.slice(out)


@router.get("/attendance", response_model=list[AttendanceRow], tags=["attendance"], responses=EXPORTABLE)
async def list_attendance(
    request: Request,
    tenant: Tenant,
    db: DB,
    export: Exporter,
    page: Paging,
    start: Day | None = None,
    end: Day | None = None,
    group_id: uuid.UUID | None = None,
    student_id: uuid.UUID | None = None,
) -> list[AttendanceRow] | Response:
    """Every attendance mark the caller may see (a teacher: their classes), oldest first. As CSV/xlsx the
    whole period streams off a cursor; as JSON, a page (``limit``, 100 by default) and the total."""
    query = await attendance_export.attendance_query(
        db, tenant, start=start, end=end, group_id=group_id, student_id=student_id
    )
    if export.wanted:
        return export.download(
            attendance_export.ATTENDANCE,
            attendance_export.stream_attendance(request.app.state.sessions, tenant, query),
        )
    page.total(await attendance_export.count(db, query))
    rows = await db.execute(query.limit(page.limit or 100).offset(page.offset))
    return [AttendanceRow.of(attendance_export.attendance_cells(r)) for r in rows]


@router.get(
    "/sessions/missing-attendance", response_model=MissingReport, tags=["attendance"], responses=EXPORTABLE
)
async def missing_attendance(
    tenant: Tenant,
    db: DB,
    export: Exporter,
    since: Day | None = None,
    teacher_id: uuid.UUID | None = None,
    group_id: Annotated[uuid.UUID | None, Query(description="Only this group's classes.")] = None,
    venue_id: Annotated[uuid.UUID | None, Query(description="Only the classes held at this venue.")] = None,
) -> MissingReport | Sequence[MissingAttendance] | Response:
    """Held or past sessions whose enrolled students are not all marked, with totals per teacher. An
    unknown group, teacher or venue is a 404; a teacher naming a colleague or their group, a 403. As
    CSV/xlsx: one row per session."""
    report = await attendance.missing_attendance(
        db,
        tenant,
        today=tenant.today(),
        since=since,
        teacher_id=teacher_id,
        group_id=group_id,
        venue_id=venue_id,
    )
    return (
        await export.items(report.sessions, MissingAttendance, "missing-attendance")
        if export.wanted
        else report
    )


@router.get("/sessions/{session_id}", response_model=SessionOut, tags=["sessions"])
async def get_session(session_id: uuid.UUID, tenant: Tenant, db: DB) -> SessionOut:
    return SessionOut.model_validate(await sessions.get_session(db, tenant, session_id))


@router.patch("/sessions/{session_id}", response_model=SessionOut, tags=["sessions"])
async def update_session(session_id: uuid.UUID, body: SessionUpdate, tenant: Tenant, db: DB) -> SessionOut:
    """Edit a session; a held session needs a reason and the change is audited."""
    return SessionOut.model_validate(await sessions.update_session(db, tenant, session_id, data=body))


@router.post("/sessions/{session_id}/held", response_model=SessionOut, tags=["sessions"])
async def mark_held(session_id: uuid.UUID, tenant: Tenant, db: DB) -> SessionOut:
    return SessionOut.model_validate(await sessions.mark_held(db, tenant, session_id, today=tenant.today()))


@router.post("/sessions/{session_id}/cancel", response_model=SessionOut, tags=["sessions"])
async def cancel(session_id: uuid.UUID, body: CancelIn, tenant: Tenant, db: DB) -> SessionOut:
    """Cancel with a reason; the session is kept."""
    return SessionOut.model_validate(
        await sessions.cancel_session(db, tenant, session_id, reason=body.reason)
    )


@router.get(
    "/sessions/{session_id}/attendance",
    response_model=list[AttendanceOut],
    tags=["attendance"],
    responses=EXPORTABLE,
)
async def get_attendance(
    session_id: uuid.UUID, tenant: Tenant, db: DB, export: Exporter
) -> Sequence[AttendanceOut] | Response:
    out = await attendance.session_attendance(db, tenant, session_id)
    return await export.items(out, AttendanceOut, "attendance")


@router.post("/sessions/{session_id}/attendance", response_model=MarkResult, tags=["attendance"])
async def mark(session_id: uuid.UUID, body: MarkIn, tenant: Tenant, db: DB, now: Now) -> MarkResult:
    """Mark students; re-marking with the same status changes nothing. Guests must be flagged."""
    return await attendance.mark_attendance(
        db, tenant, session_id, marks=body.marks, today=tenant.today(), now=now, reason=body.reason
    )


@router.post("/sessions/{session_id}/attendance/all-except", response_model=MarkResult, tags=["attendance"])
async def mark_all_except(
    session_id: uuid.UUID, body: MarkAllExceptIn, tenant: Tenant, db: DB, now: Now
) -> MarkResult:
    """Everyone enrolled that day gets ``status``, the listed students ``except_status``."""
    return await attendance.mark_all_except(
        db,
        tenant,
        session_id,
        except_student_ids=body.except_student_ids,
        today=tenant.today(),
        now=now,
        status=body.status,
        except_status=body.except_status,
    )


@router.post("/sessions/{session_id}/attendance/override", response_model=MarkResult, tags=["attendance"])
async def override(session_id: uuid.UUID, body: OverrideIn, tenant: Tenant, db: DB, now: Now) -> MarkResult:
    """An admin's correction, with a reason kept in the audit log."""
    return await attendance.override_attendance(
        db,
        tenant,
        session_id,
        student_id=body.student_id,
        status=body.status,
        reason=body.reason,
        today=tenant.today(),
        now=now,
    )


@router.post(
    "/private-sessions",
    status_code=status.HTTP_201_CREATED,
    response_model=PrivateSessionOut,
    tags=["private lessons"],
)
async def create_private(body: PrivateSessionIn, tenant: Tenant, db: DB) -> PrivateSessionOut:
    return PrivateSessionOut.model_validate(await lessons.create_private_session(db, tenant, data=body))


@router.get(
    "/private-sessions",
    response_model=list[PrivateSessionOut],
    tags=["private lessons"],
    responses=EXPORTABLE,
)
async def list_private(
    tenant: Tenant,
    db: DB,
    export: Exporter,
    page: Paging,
    start: Day | None = None,
    end: Day | None = None,
    teacher_id: uuid.UUID | None = None,
    student_id: uuid.UUID | None = None,
) -> Sequence[PrivateSessionOut] | Response:
    today = tenant.today()
    start = start or today - timedelta(days=30)
    end = end or today + timedelta(days=30)
    rows = await lessons.list_private_sessions(
        db, tenant, start=start, end=end, teacher_id=teacher_id, student_id=student_id
    )
    out = [PrivateSessionOut.model_validate(p) for p in rows]
    return await export.items(out, PrivateSessionOut, "private-lessons") if export.wanted else page.slice(out)


@router.post("/private-sessions/{lesson_id}/held", response_model=PrivateSessionOut, tags=["private lessons"])
async def private_held(lesson_id: uuid.UUID, tenant: Tenant, db: DB) -> PrivateSessionOut:
    return PrivateSessionOut.model_validate(
        await lessons.mark_private_held(db, tenant, lesson_id, today=tenant.today())
    )


@router.post(
    "/private-sessions/{lesson_id}/cancel", response_model=PrivateSessionOut, tags=["private lessons"]
)
async def private_cancel(lesson_id: uuid.UUID, body: CancelIn, tenant: Tenant, db: DB) -> PrivateSessionOut:
    return PrivateSessionOut.model_validate(
        await lessons.cancel_private_session(db, tenant, lesson_id, reason=body.reason)
    )
