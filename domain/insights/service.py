"""Read-only insights over attendance, money and teaching: summaries a studio asks for every week.

Dropout risk and the absence streaks live in ``risk.py``, revenue in ``revenue.py``; callers still
reach them all as ``insights.<name>`` from here.

Each function checks who may see what (teachers: their own classes; money: the office) and
aggregates in SQL; pandas shapes the per-row breakdowns.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, case, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from domain.attendance.models import AttendanceRecord, AttendanceStatus
from domain.groups.models import Group, GroupStatus, StudentGroup
from domain.groups.service import active_on, require_student_visible, visible_group_ids
from domain.insights import rules
from domain.insights.revenue import revenue_summary as revenue_summary  # callers use insights.*
from domain.insights.risk import absent_in_a_row as absent_in_a_row
from domain.insights.risk import dropout_risk as dropout_risk
from domain.insights.schemas import (
    AttendanceRow,
    AttendanceSummary,
    GroupHealth,
    GroupHealthRow,
    MissingData,
    StudentOverview,
    TeacherLoad,
    TeacherLoadRow,
)
from domain.money import money
from domain.notes.service import recent_notes
from domain.orgs.permissions import is_office, require_office
from domain.orgs.service import get_organization
from domain.payments.models import Allocation, Charge, Receipt
from domain.sessions.models import ClassSession, SessionStatus
from domain.sessions.narrowing import groups_meeting_at, narrowing
from domain.students.models import Guardian, Student, StudentStatus
from domain.students.service import get_student
from domain.teachers.models import Teacher
from domain.teachers.service import visibility
from domain.tenancy import TenantContext

CAME = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
OVERVIEW_DAYS = 90
ZERO = Decimal("0.00")


def _came() -> ColumnElement[bool]:
    return AttendanceRecord.status.in_(CAME)


def _classes_narrowed_to(
    *, group_id: uuid.UUID | None, teacher_id: uuid.UUID | None, venue_id: uuid.UUID | None
) -> list[ColumnElement[bool]]:
    """Conditions on ``ClassSession`` for the narrowing arguments given (checked by ``narrowing``)."""
    where = []
    if group_id is not None:
        where.append(ClassSession.group_id == group_id)
    if teacher_id is not None:
        where.append(ClassSession.teacher_id == teacher_id)
    if venue_id is not None:
        where.append(ClassSession.venue_id == venue_id)
    return where


async def _session_scope(session: AsyncSession, tenant: TenantContext) -> ColumnElement[bool]:
    seen = await visibility(session, tenant)
    return true() if seen.everything else ClassSession.teacher_id == seen.teacher_id


async def attendance_summary(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    start: date,
    end: date,
    student_id: uuid.UUID | None = None,
    group_id: uuid.UUID | None = None,
    teacher_id: uuid.UUID | None = None,
    venue_id: uuid.UUID | None = None,
) -> AttendanceSummary:
    """Marks in held classes of the period; a teacher sees only the classes they taught. The
    narrowing arguments combine: a student and a group is that student's marks in that group only."""
    where = [ClassSession.date.between(start, end), await _session_scope(session, tenant)]
    student_name = None
    if student_id is not None:
        await require_student_visible(session, tenant, student_id)
        student_name = (await get_student(session, tenant, student_id)).full_name
        where.append(AttendanceRecord.student_id == student_id)
    narrowed = await narrowing(session, tenant, group_id=group_id, teacher_id=teacher_id, venue_id=venue_id)
    scope = narrowed.said(student_name) or "the organization"
    where += _classes_narrowed_to(group_id=group_id, teacher_id=teacher_id, venue_id=venue_id)
    rows = (
        await session.execute(
            select(
                ClassSession.id,
                func.coalesce(Group.name, "Private").label("group_name"),
                Student.full_name,
                AttendanceRecord.status,
            )
            .select_from(AttendanceRecord)
            .join(ClassSession, ClassSession.id == AttendanceRecord.class_session_id)
            .join(Student, Student.id == AttendanceRecord.student_id)
            .outerjoin(Group, Group.id == ClassSession.group_id)
            .where(*where)
        )
    ).all()
    import pandas as pd  # here, not at import: it costs every process that loads the tools ~0.3 s

    frame = pd.DataFrame(rows, columns=["session_id", "group_name", "student", "status"])
    frame["attended"] = frame["status"].isin(CAME)
    frame["absent"] = frame["status"] == AttendanceStatus.ABSENT
    by = "group_name" if student_id is not None else "student"
    per = frame.groupby(by).agg(
        marks=("status", "size"), attended=("attended", "sum"), absent=("absent", "sum")
    )
    breakdown = [
        AttendanceRow(
            name=str(name),
            marks=int(r.marks),
            attended=int(r.attended),
            absent=int(r.absent),
            rate=rules.rate(int(r.attended), int(r.marks)),
        )
        for name, r in per.iterrows()
    ]
    breakdown.sort(key=lambda r: (r.rate if r.rate is not None else Decimal(2), r.name))
    attended = int(frame["attended"].sum())
    return AttendanceSummary(
        scope=scope,
        start=start,
        end=end,
        sessions=int(frame["session_id"].nunique()),
        marks=len(frame),
        attended=attended,
        absent=int(frame["absent"].sum()),
        excused=int((frame["status"] == AttendanceStatus.EXCUSED).sum()),
        rate=rules.rate(attended, len(frame)),
        rows=breakdown,
    )


async def teacher_load(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    start: date,
    end: date,
    teacher_id: uuid.UUID | None = None,
    venue_id: uuid.UUID | None = None,
) -> TeacherLoad:
    """Classes and hours per teacher in the period; a teacher sees their own line. With a teacher,
    only that teacher's line (a teacher asking about another is refused); with a venue, only the
    classes held there."""
    await narrowing(session, tenant, teacher_id=teacher_id, venue_id=venue_id)
    seconds = func.extract("epoch", ClassSession.end_time - ClassSession.start_time)
    status = ClassSession.status
    rows = await session.execute(
        select(
            Teacher.id,
            Teacher.full_name,
            func.count().filter(status == SessionStatus.HELD),
            func.count().filter(status == SessionStatus.SCHEDULED),
            func.count().filter(status == SessionStatus.CANCELLED),
            func.coalesce(func.sum(case((status != SessionStatus.CANCELLED, seconds), else_=0)), 0),
            func.count(func.distinct(ClassSession.group_id)),
            func.count().filter(
                ClassSession.substitute_for_teacher_id.is_not(None), status != SessionStatus.CANCELLED
            ),
        )
        .join(ClassSession, ClassSession.teacher_id == Teacher.id)
        .where(
            ClassSession.date.between(start, end),
            await _session_scope(session, tenant),
            *_classes_narrowed_to(group_id=None, teacher_id=teacher_id, venue_id=venue_id),
        )
        .group_by(Teacher.id)
        .order_by(Teacher.search_name)
    )
    return TeacherLoad(
        start=start,
        end=end,
        teachers=[
            TeacherLoadRow(
                teacher_id=tid,
                teacher_name=name,
                held=held,
                scheduled=scheduled,
                cancelled=cancelled,
                hours=(Decimal(str(secs)) / 3600).quantize(Decimal("0.1")),
                groups=groups,
                substitutions=subs,
            )
            for tid, name, held, scheduled, cancelled, secs, groups, subs in rows
        ],
    )


async def _rates(session: AsyncSession, start: date, end: date) -> dict[uuid.UUID | None, Decimal | None]:
    rows = await session.execute(
        select(ClassSession.group_id, func.count(), func.count().filter(_came()))
        .join(AttendanceRecord, AttendanceRecord.class_session_id == ClassSession.id)
        .where(ClassSession.date.between(start, end), ClassSession.group_id.is_not(None))
        .group_by(ClassSession.group_id)
    )
    return {gid: rules.rate(came, marks) for gid, marks, came in rows}


async def group_health(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    start: date,
    end: date,
    group_id: uuid.UUID | None = None,
    venue_id: uuid.UUID | None = None,
    teacher_id: uuid.UUID | None = None,
) -> GroupHealth:
    """Size, fill, attendance against the previous period of the same length, joins and leaves.
    With a venue, the groups that meet there: their own venue, or a weekly slot there in the period;
    with a teacher, the groups they teach."""
    visible = await visible_group_ids(session, tenant)
    await narrowing(session, tenant, venue_id=venue_id, teacher_id=teacher_id)
    query = select(Group).where(Group.status != GroupStatus.CLOSED).order_by(Group.search_name)
    if group_id is not None:
        query = query.where(Group.id == group_id)
    if teacher_id is not None:
        query = query.where(Group.teacher_id == teacher_id)
    if venue_id is not None:
        query = query.where(Group.id.in_(groups_meeting_at(venue_id, start=start, end=end)))
    if visible is not None:
        query = query.where(Group.id.in_(visible))
    groups = list((await session.execute(query)).scalars())
    length = end - start
    now_rates = await _rates(session, start, end)
    then_rates = await _rates(session, start - length - timedelta(days=1), start - timedelta(days=1))
    counts: dict[uuid.UUID | None, tuple[int, int, int]] = {
        gid: (size, joined, left)
        for gid, size, joined, left in await session.execute(
            select(
                StudentGroup.group_id,
                func.count().filter(active_on(end)),
                func.count().filter(StudentGroup.start_date.between(start, end)),
                func.count().filter(StudentGroup.end_date.between(start, end)),
            ).group_by(StudentGroup.group_id)
        )
    }
    out = []
    for group in groups:
        size, joined, left = counts.get(group.id, (0, 0, 0))
        rate, before = now_rates.get(group.id), then_rates.get(group.id)
        flags, codes = [], []  # each warning in English and as data (a code and its numbers)
        if rate is not None and rate < Decimal("0.6"):
            flags.append(f"low attendance ({rules.percent(rate)})")
            codes.append(rules.Reason("low_attendance", {"rate": rules.whole_percent(rate)}))
        if rate is not None and before is not None and before - rate >= Decimal("0.15"):
            flags.append(f"attendance down from {rules.percent(before)}")
            codes.append(rules.Reason("attendance_down", {"before": rules.whole_percent(before)}))
        if left > joined:
            flags.append(f"shrinking ({joined} joined, {left} left)")
            codes.append(rules.Reason("shrinking", {"joined": joined, "left": left}))
        if group.capacity and size >= group.capacity:
            flags.append("full")
            codes.append(rules.Reason("full"))
        out.append(
            GroupHealthRow(
                group_id=group.id,
                group_name=group.name,
                students=size,
                capacity=group.capacity,
                rate=rate,
                previous_rate=before,
                joined=joined,
                left=left,
                flags=flags,
                flag_codes=codes,
            )
        )
    return GroupHealth(start=start, end=end, groups=out)


async def student_overview(
    session: AsyncSession, tenant: TenantContext, student_id: uuid.UUID, *, today: date
) -> StudentOverview:
    await require_student_visible(session, tenant, student_id)
    student = await get_student(session, tenant, student_id)
    current = (
        await session.execute(
            select(Group.name, StudentGroup.start_date)
            .join(Group, Group.id == StudentGroup.group_id)
            .where(StudentGroup.student_id == student_id, active_on(today))
            .order_by(Group.search_name)
        )
    ).all()
    since = today - timedelta(days=OVERVIEW_DAYS)
    marks, came, last = (
        await session.execute(
            select(
                func.count(),
                func.count().filter(_came()),
                func.max(case((_came(), ClassSession.date))),
            )
            .select_from(AttendanceRecord)
            .join(ClassSession, ClassSession.id == AttendanceRecord.class_session_id)
            .where(AttendanceRecord.student_id == student_id, ClassSession.date.between(since, today))
        )
    ).one()
    outstanding, receipts = None, []
    if is_office(tenant):
        receipts = [
            f"{name} ({status.value.replace('_', ' ')}, {created.date().isoformat()})"
            for name, status, created in await session.execute(
                select(Receipt.original_filename, Receipt.status, Receipt.created_at)
                .where(Receipt.student_id == student_id)
                .order_by(Receipt.created_at.desc())
                .limit(3)
            )
        ]
        paid = select(func.coalesce(func.sum(Allocation.amount), 0)).where(Allocation.charge_id == Charge.id)
        owed = await session.scalar(
            select(func.coalesce(func.sum(Charge.amount - paid.scalar_subquery()), 0)).where(
                Charge.student_id == student_id, Charge.voided_at.is_(None), Charge.due_date <= today
            )
        )
        outstanding = money(owed or 0)
    org = await get_organization(session, tenant)
    notes = await recent_notes(session, tenant, student_id)
    return StudentOverview(
        student_id=student.id,
        full_name=student.full_name,
        groups=[name for name, _ in current],
        since=min((start for _, start in current), default=None),
        attendance_rate=rules.rate(came, marks),
        last_attended=last,
        outstanding=outstanding,
        currency=org.currency,
        notes=[f"{n.created_at.date().isoformat()}: {n.body}" for n in notes],
        receipts=receipts,
    )


async def missing_data(session: AsyncSession, tenant: TenantContext) -> MissingData:
    """Active students with no email or phone of their own or of a guardian; active groups with no
    regular teacher. Office only (it lists contact gaps)."""
    require_office(tenant, "see missing records")
    reachable_guardian = (
        select(Guardian.id)
        .where(
            Guardian.student_id == Student.id,
            (Guardian.email.is_not(None)) | (Guardian.phone.is_not(None)),
        )
        .exists()
    )
    students = await session.scalars(
        select(Student.full_name)
        .where(
            Student.status == StudentStatus.ACTIVE,
            Student.archived_at.is_(None),
            Student.email.is_(None),
            Student.phone.is_(None),
            ~reachable_guardian,
        )
        .order_by(Student.search_name)
    )
    groups = await session.scalars(
        select(Group.name)
        .where(Group.status == GroupStatus.ACTIVE, Group.teacher_id.is_(None))
        .order_by(Group.search_name)
    )
    return MissingData(students_without_contact=list(students), groups_without_teacher=list(groups))
