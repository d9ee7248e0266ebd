"""Attendance: one mark per student per session, bulk marking, audited corrections, missing-mark detection."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import and_, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from domain.attendance.models import AttendanceRecord, AttendanceStatus
from domain.attendance.rules import UNMARKED, MarkPlan, changes_of, refuse_stale
from domain.attendance.schemas import (
    AttendanceOut,
    Mark,
    MarkResult,
    MissingAttendance,
    MissingByTeacher,
    MissingReport,
)
from domain.audit import service as audit
from domain.errors import Conflict, Invalid, NotFound
from domain.events import service as events
from domain.groups.models import Group, StudentGroup
from domain.groups.service import active_on
from domain.orgs.permissions import require_admin
from domain.sessions.models import ClassSession, SessionStatus
from domain.sessions.narrowing import narrowing
from domain.sessions.service import get_session, require_class_visible, require_session_teacher_or_office
from domain.students.models import Student
from domain.teachers.models import Teacher
from domain.teachers.service import teacher_for_user
from domain.tenancy import Role, TenantContext

MISSING_LOOKBACK_DAYS = 90  # the default window of the missing-attendance report at the entry points


async def enrolled_on(session: AsyncSession, class_session: ClassSession) -> set[uuid.UUID]:
    if class_session.group_id is None:
        return set()
    query = select(StudentGroup.student_id).where(
        StudentGroup.group_id == class_session.group_id, active_on(class_session.date)
    )
    return set((await session.execute(query)).scalars())


async def _checked(
    session: AsyncSession, tenant: TenantContext, session_id: uuid.UUID, marks: list[Mark], today: date
) -> tuple[ClassSession, set[uuid.UUID], dict[uuid.UUID, tuple[str, str]]]:
    """The session, who is enrolled that day, and (name, sort key) per marked student; refuses bad marks."""
    class_session = await get_session(session, tenant, session_id)
    await require_session_teacher_or_office(session, tenant, class_session, "mark attendance")
    if class_session.status is SessionStatus.CANCELLED:
        raise Conflict("This session was cancelled; it has no attendance.")
    if class_session.date > today:
        raise Invalid(
            "Attendance can only be marked on or after the session's date.", details={"field": "date"}
        )
    ids = [m.student_id for m in marks]
    if len(set(ids)) != len(ids):
        raise Invalid("Each student can be marked once per request.", details={"field": "marks"})
    rows = await session.execute(
        select(Student.id, Student.full_name, Student.search_name).where(Student.id.in_(ids))
    )
    students = {i: (name, key) for i, name, key in rows}
    if unknown := [str(i) for i in ids if i not in students]:
        raise NotFound("No such student.", details={"student_ids": unknown})
    enrolled = await enrolled_on(session, class_session)
    if strangers := [str(m.student_id) for m in marks if m.student_id not in enrolled and not m.guest]:
        raise Invalid(
            "Not enrolled in this group on the session's date; mark them as a guest (drop-in) if they came.",
            details={"student_ids": strangers},
        )
    return class_session, enrolled, students


async def _lock_class(session: AsyncSession, session_id: uuid.UUID) -> None:
    """One save per class at a time. The class row is the lock, since a first mark has no row of its own
    to lock yet (two first marks of one student would both insert). Taken before anything is checked, so
    a save that waited sees the class (cancelled?) and its marks as the other save left them."""
    await session.execute(
        select(ClassSession)
        .where(ClassSession.id == session_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def _recorded(
    session: AsyncSession, session_id: uuid.UUID, *, lock: bool
) -> dict[uuid.UUID, AttendanceRecord]:
    query = select(AttendanceRecord).where(AttendanceRecord.class_session_id == session_id)
    if lock:  # see _lock_class: the marks as they are now, not the identity map's copy
        query = query.with_for_update().execution_options(populate_existing=True)
    return {r.student_id: r for r in (await session.execute(query)).scalars()}


async def mark_attendance(
    session: AsyncSession,
    tenant: TenantContext,
    session_id: uuid.UUID,
    *,
    marks: list[Mark],
    today: date,
    now: datetime,
    reason: str | None = None,
    action: str = "attendance.corrected",
) -> MarkResult:
    """Record only the marks given; marking again with the same status changes nothing (idempotent).

    Everything is validated before anything is written, including each mark's ``expected`` (what the
    person saw). A changed mark is a correction: it keeps the earlier status in the audit log with who,
    when and why. The result names every mark recorded or corrected.
    """
    await _lock_class(session, session_id)
    class_session, enrolled, students = await _checked(session, tenant, session_id, marks, today)
    existing = await _recorded(session, session_id, lock=True)
    refuse_stale(marks, {i: r.status for i, r in existing.items()}, students)
    changes, unchanged = changes_of(marks, {i: r.status for i, r in existing.items()}, students)
    guests = {m.student_id for m in marks if m.student_id not in enrolled}
    created = corrected = 0
    for change in changes:
        record = existing.get(change.student_id)
        if record is None:
            session.add(
                AttendanceRecord(
                    organization_id=tenant.org_id,
                    class_session_id=session_id,
                    student_id=change.student_id,
                    status=change.after,
                    is_guest=change.student_id in guests,
                    marked_by_user_id=tenant.user_id,
                    marked_at=now,
                )
            )
            created += 1
            continue
        before = record.status
        record.status, record.marked_at, record.marked_by_user_id = change.after, now, tenant.user_id
        corrected += 1
        await audit.record(
            session,
            tenant,
            action=action,
            entity_type="attendance_record",
            entity_id=record.id,
            before={"status": before.value, "student_id": str(change.student_id)},
            after={"status": change.after.value, "student_id": str(change.student_id)},
            reason=reason,
        )
        await events.emit(
            session,
            tenant,
            "attendance.corrected",
            {
                "session_id": str(session_id),
                "student_id": str(change.student_id),
                "from": before.value,
                "to": change.after.value,
            },
        )
    held_now = class_session.status is SessionStatus.SCHEDULED
    if held_now:  # attendance means the class happened
        class_session.status = SessionStatus.HELD
        await events.emit(session, tenant, "session.held", {"session_id": str(session_id)})
    await session.flush()
    if created:
        await events.emit(
            session, tenant, "attendance.marked", {"session_id": str(session_id), "marks": created}
        )
    return MarkResult(
        session_id=session_id,
        created=created,
        corrected=corrected,
        unchanged=unchanged,
        session_marked_held=held_now,
        changes=changes,
    )


async def preview_all_except(
    session: AsyncSession,
    tenant: TenantContext,
    session_id: uuid.UUID,
    *,
    except_student_ids: list[uuid.UUID],
    today: date,
    status: AttendanceStatus = AttendanceStatus.PRESENT,
    except_status: AttendanceStatus = AttendanceStatus.ABSENT,
) -> MarkPlan:
    """What 'everyone present except …' would record and correct, by name; writes nothing."""
    class_session = await get_session(session, tenant, session_id)
    await require_session_teacher_or_office(session, tenant, class_session, "mark attendance")
    enrolled = await enrolled_on(session, class_session)
    if outsiders := [str(i) for i in except_student_ids if i not in enrolled]:
        raise Invalid("Not enrolled in this group on the session's date.", details={"student_ids": outsiders})
    if not enrolled:
        raise Conflict("Nobody is enrolled in this session's group on that date.")
    excepted = set(except_student_ids)
    marks = [Mark(student_id=s, status=except_status if s in excepted else status) for s in sorted(enrolled)]
    _, _, students = await _checked(session, tenant, session_id, marks, today)
    recorded = await _recorded(session, session_id, lock=False)
    changes, unchanged = changes_of(marks, {i: r.status for i, r in recorded.items()}, students)
    seen = [
        m.model_copy(update={"expected": r.status if (r := recorded.get(m.student_id)) else UNMARKED})
        for m in marks
    ]
    return MarkPlan(session_id=session_id, marks=seen, changes=changes, unchanged=unchanged)


async def mark_all_except(
    session: AsyncSession,
    tenant: TenantContext,
    session_id: uuid.UUID,
    *,
    except_student_ids: list[uuid.UUID],
    today: date,
    now: datetime,
    status: AttendanceStatus = AttendanceStatus.PRESENT,
    except_status: AttendanceStatus = AttendanceStatus.ABSENT,
) -> MarkResult:
    """'Everyone present except Ana': the roster on the session's date, the exceptions marked otherwise.
    The result names the marks it corrected, so nothing is overwritten without a word."""
    plan = await preview_all_except(
        session,
        tenant,
        session_id,
        except_student_ids=except_student_ids,
        today=today,
        status=status,
        except_status=except_status,
    )
    return await mark_attendance(session, tenant, session_id, marks=plan.marks, today=today, now=now)


async def override_attendance(
    session: AsyncSession,
    tenant: TenantContext,
    session_id: uuid.UUID,
    *,
    student_id: uuid.UUID,
    status: AttendanceStatus,
    reason: str,
    today: date,
    now: datetime,
) -> MarkResult:
    """An admin's correction of any mark, guests included; the reason is required and audited."""
    require_admin(tenant)
    if not reason.strip():
        raise Invalid("An override needs a reason.", details={"field": "reason"})
    existing = await session.scalar(
        select(AttendanceRecord).where(
            AttendanceRecord.class_session_id == session_id, AttendanceRecord.student_id == student_id
        )
    )
    guest = existing.is_guest if existing is not None else False
    return await mark_attendance(
        session,
        tenant,
        session_id,
        marks=[Mark(student_id=student_id, status=status, guest=guest)],
        today=today,
        now=now,
        reason=reason.strip(),
        action="attendance.overridden",
    )


async def session_attendance(
    session: AsyncSession, tenant: TenantContext, session_id: uuid.UUID
) -> list[AttendanceOut]:
    await require_class_visible(session, tenant, await get_session(session, tenant, session_id))
    rows = await session.execute(
        select(AttendanceRecord, Student.full_name)
        .join(Student, Student.id == AttendanceRecord.student_id)
        .where(AttendanceRecord.class_session_id == session_id)
        .order_by(Student.search_name)
    )
    return [
        AttendanceOut(student_id=r.student_id, full_name=name, status=r.status, is_guest=r.is_guest)
        for r, name in rows
    ]


async def missing_attendance(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    today: date,
    since: date | None = None,
    teacher_id: uuid.UUID | None = None,
    group_id: uuid.UUID | None = None,
    venue_id: uuid.UUID | None = None,
) -> MissingReport:
    """Sessions that happened (held, or scheduled in the past) with fewer marks than enrolled students.

    One query for the whole organization. A teacher sees only their own sessions (narrowing to another
    teacher or to a group that is not theirs is refused, see ``narrowing``).
    """
    if teacher_id is not None or group_id is not None or venue_id is not None:
        await narrowing(session, tenant, group_id=group_id, teacher_id=teacher_id, venue_id=venue_id)
    if tenant.role is Role.TEACHER and not tenant.is_admin:
        own = await teacher_for_user(session, tenant, tenant.user_id) if tenant.user_id else None
        if own is None:
            return MissingReport(sessions=[], by_teacher=[])
        teacher_id = own.id
    # Per session (LATERAL): the memberships covering its date, left-joined to their marks. Each
    # session costs two index range scans, so a window of recent sessions stays cheap.
    per_session = (
        select(
            func.count().label("expected"),
            func.count(AttendanceRecord.id).label("marked"),
        )
        .select_from(StudentGroup)
        .outerjoin(
            AttendanceRecord,
            and_(
                AttendanceRecord.class_session_id == ClassSession.id,
                AttendanceRecord.student_id == StudentGroup.student_id,
            ),
        )
        .where(StudentGroup.group_id == ClassSession.group_id, active_on(ClassSession.date))
        .lateral("per_session")
    )
    happened = (ClassSession.status == SessionStatus.HELD) | (
        (ClassSession.status == SessionStatus.SCHEDULED) & (ClassSession.date < today)
    )
    query = (
        select(
            ClassSession.id,
            ClassSession.date,
            ClassSession.group_id,
            ClassSession.teacher_id,
            per_session.c.expected,
            per_session.c.marked,
            Group.name.label("group_name"),
            Teacher.full_name.label("teacher_name"),
        )
        .select_from(ClassSession)
        .join(per_session, true())
        .join(Group, Group.id == ClassSession.group_id)
        .join(Teacher, Teacher.id == ClassSession.teacher_id)
        .where(happened, ClassSession.date <= today, per_session.c.marked < per_session.c.expected)
        .order_by(ClassSession.date, Group.search_name)
    )
    if since is not None:
        query = query.where(ClassSession.date >= since)
    if teacher_id is not None:
        query = query.where(ClassSession.teacher_id == teacher_id)
    if group_id is not None:
        query = query.where(ClassSession.group_id == group_id)
    if venue_id is not None:
        query = query.where(ClassSession.venue_id == venue_id)
    sessions = [
        MissingAttendance(
            session_id=r.id,
            date=r.date,
            group_id=r.group_id,
            group_name=r.group_name,
            teacher_id=r.teacher_id,
            teacher_name=r.teacher_name,
            expected=r.expected,
            marked=r.marked,
        )
        for r in await session.execute(query)
    ]
    totals: dict[uuid.UUID, list[int]] = defaultdict(lambda: [0, 0])
    names: dict[uuid.UUID, str] = {}
    for s in sessions:
        totals[s.teacher_id][0] += 1
        totals[s.teacher_id][1] += s.expected - s.marked
        names[s.teacher_id] = s.teacher_name
    by_teacher = [
        MissingByTeacher(teacher_id=t, teacher_name=names[t], sessions=n, missing_marks=m)
        for t, (n, m) in sorted(totals.items(), key=lambda kv: (-kv[1][1], names[kv[0]]))
    ]
    return MissingReport(sessions=sessions, by_teacher=by_teacher)
