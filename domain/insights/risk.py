"""Who may be about to drop out: the organization's fitted model when it has one, else the rules;
and the simple "absent at their last marks" list the morning agenda uses."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.attendance.models import AttendanceRecord, AttendanceStatus
from domain.groups.models import Group, StudentGroup
from domain.groups.service import active_on, visible_group_ids
from domain.insights import rules
from domain.insights.schemas import AbsentStreak, RiskReport, StudentRisk
from domain.orgs.permissions import is_office
from domain.payments.models import Allocation, Charge
from domain.sessions.models import ClassSession
from domain.sessions.narrowing import groups_meeting_at, narrowing
from domain.students.models import Student
from domain.tenancy import TenantContext

if TYPE_CHECKING:
    from domain.insights.model import LogisticModel

CAME = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
HISTORY_DAYS = 240  # the features look back at most this far (six weeks plus half a year)


async def _by_model(
    session: AsyncSession, tenant: TenantContext, model: LogisticModel, members: Select[Any], *, today: date
) -> tuple[list[StudentRisk], int]:
    """Probabilities and their reasons for the current members; a caller who may not see money gets
    a view that does not depend on it (payment features held at the organization's average)."""
    from domain.insights.explain import LISTED_FROM, explain, neutral_money  # NumPy: see dropout_risk
    from domain.insights.features import dropout_features
    from domain.insights.history import load_history

    names = dict(
        (await session.execute(select(Student.id, Student.full_name).where(Student.id.in_(members)))).all()
    )
    office = is_office(tenant)
    history = await load_history(session, tenant, since=today - timedelta(days=HISTORY_DAYS), money=office)
    features = dropout_features(history, today.toordinal())
    code = history.code_of()
    features = features[features.index.isin([code[s] for s in names if s in code])]
    if not office:
        features = neutral_money(model, features)
    features = features.set_axis([history.ids[n] for n in features.index])
    probability = model.probability(features)
    contributions = model.contributions(features)
    at_risk = []
    for i, student_id in enumerate(features.index):
        if probability[i] < LISTED_FROM:
            continue
        reasons, codes = explain(model, features.iloc[i], contributions[i], money=office)
        at_risk.append(
            StudentRisk(
                student_id=student_id,
                full_name=names[student_id],
                score=round(float(probability[i]) * 100, 1),
                probability=round(float(probability[i]), 3),
                reasons=reasons,
                reason_codes=codes,
            )
        )
    at_risk.sort(key=lambda s: (-s.score, s.full_name))
    return at_risk, len(names)


def current_members(
    today: date,
    *,
    group_id: uuid.UUID | None = None,
    teacher_id: uuid.UUID | None = None,
    venue_id: uuid.UUID | None = None,
) -> Select[uuid.UUID]:
    """The students in a group today, narrowed to one group, to one teacher's groups, or to the groups
    meeting at a venue these two weeks (an insight's list of the school narrowed to what was said)."""
    members = select(StudentGroup.student_id).where(active_on(today))
    if group_id is not None:
        members = members.where(StudentGroup.group_id == group_id)
    if teacher_id is not None:
        members = members.where(
            StudentGroup.group_id.in_(select(Group.id).where(Group.teacher_id == teacher_id))
        )
    if venue_id is not None:
        meeting = groups_meeting_at(venue_id, start=today - timedelta(days=13), end=today)
        members = members.where(StudentGroup.group_id.in_(meeting))
    return members


async def dropout_risk(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    today: date,
    limit: int = 20,
    group_id: uuid.UUID | None = None,
    teacher_id: uuid.UUID | None = None,
    venue_id: uuid.UUID | None = None,
) -> RiskReport:
    """Active students of the groups the caller may see, scored and explained: by the organization's
    fitted model when it has one (``insights fit``), else by ``rules.assess``. With a group, only its
    current members; with a teacher, the current members of the groups they teach. A student's risk is
    still read from all their classes: narrowing chooses who is listed."""
    group_ids = await visible_group_ids(session, tenant)
    narrowed = await narrowing(session, tenant, group_id=group_id, teacher_id=teacher_id, venue_id=venue_id)
    members = current_members(today, group_id=group_id, teacher_id=teacher_id, venue_id=venue_id)
    if group_ids is not None:
        members = members.where(StudentGroup.group_id.in_(group_ids))
    # The fitted model and its features bring NumPy (and pandas): imported when risk is asked for, not
    # by every turn and every one-shot `cadence ask` that loads the tool catalogue.
    from domain.insights.store import DROPOUT, stored_model

    model = await stored_model(session, DROPOUT)
    if model is not None:
        at_risk, checked = await _by_model(session, tenant, model, members, today=today)
        return RiskReport(
            as_of=today, students_checked=checked, at_risk=at_risk[:limit], scope=narrowed.said()
        )
    recent_from = today - timedelta(days=rules.RECENT_DAYS)
    since = today - timedelta(days=rules.BASELINE_DAYS)
    ranked = (
        select(
            AttendanceRecord.student_id,
            ClassSession.date,
            AttendanceRecord.status,
            func.row_number()
            .over(partition_by=AttendanceRecord.student_id, order_by=ClassSession.date.desc())
            .label("rn"),
        )
        .join(ClassSession, ClassSession.id == AttendanceRecord.class_session_id)
        .where(
            ClassSession.date.between(since, today),
            AttendanceRecord.student_id.in_(members),
            AttendanceRecord.is_guest.is_(False),
        )
        .subquery()
    )
    is_recent = ranked.c.date > recent_from
    came = ranked.c.status.in_(CAME)
    marks = (
        await session.execute(
            select(
                ranked.c.student_id,
                func.count().filter(is_recent),
                func.count().filter(is_recent, came),
                func.count().filter(~is_recent),
                func.count().filter(~is_recent, came),
                func.coalesce(
                    func.min(ranked.c.rn).filter(ranked.c.status != AttendanceStatus.ABSENT), func.count() + 1
                )
                - 1,
            ).group_by(ranked.c.student_id)
        )
    ).all()
    tenure = dict(
        (
            await session.execute(
                select(StudentGroup.student_id, func.min(StudentGroup.start_date))
                .where(StudentGroup.student_id.in_(members))
                .group_by(StudentGroup.student_id)
            )
        ).all()
    )
    overdue: dict[uuid.UUID, int] = {}
    if is_office(tenant):
        paid = select(func.coalesce(func.sum(Allocation.amount), 0)).where(Allocation.charge_id == Charge.id)
        oldest = await session.execute(
            select(Charge.student_id, func.min(Charge.due_date))
            .where(
                Charge.voided_at.is_(None),
                Charge.due_date < today,
                Charge.student_id.in_(members),
                paid.scalar_subquery() < Charge.amount,
            )
            .group_by(Charge.student_id)
        )
        overdue = {sid: (today - due).days for sid, due in oldest}
    names = dict(
        (await session.execute(select(Student.id, Student.full_name).where(Student.id.in_(members)))).all()
    )
    at_risk = []
    for student_id, r_marks, r_came, b_marks, b_came, streak in marks:
        risk = rules.assess(
            rules.RiskFeatures(
                recent_marks=r_marks,
                recent_attended=r_came,
                before_marks=b_marks,
                before_attended=b_came,
                absent_streak=streak,
                days_overdue=overdue.get(student_id, 0) if is_office(tenant) else None,
                tenure_days=(today - tenure[student_id]).days if student_id in tenure else 0,
            )
        )
        if risk.listed:
            at_risk.append(
                StudentRisk(
                    student_id=student_id,
                    full_name=names[student_id],
                    score=risk.score,
                    reasons=risk.reasons,
                    reason_codes=risk.codes,
                )
            )
    at_risk.sort(key=lambda s: (-s.score, s.full_name))
    return RiskReport(
        as_of=today, students_checked=len(names), at_risk=at_risk[:limit], scope=narrowed.said()
    )


async def absent_in_a_row(
    session: AsyncSession, tenant: TenantContext, *, today: date, times: int = 2
) -> list[AbsentStreak]:
    """Current members whose last ``times`` marks in a group (last 8 weeks) are all absences,
    among the groups the caller may see (a teacher: their own)."""
    group_ids = await visible_group_ids(session, tenant)
    ranked = (
        select(
            AttendanceRecord.student_id,
            ClassSession.group_id,
            AttendanceRecord.status,
            func.row_number()
            .over(
                partition_by=(AttendanceRecord.student_id, ClassSession.group_id),
                order_by=ClassSession.date.desc(),
            )
            .label("rn"),
        )
        .join(ClassSession, ClassSession.id == AttendanceRecord.class_session_id)
        .where(
            ClassSession.date.between(today - timedelta(days=56), today),
            ClassSession.group_id.is_not(None),
            AttendanceRecord.is_guest.is_(False),
        )
    )
    if group_ids is not None:
        ranked = ranked.where(ClassSession.group_id.in_(group_ids))
    last = ranked.subquery()
    absences = func.count().filter(last.c.status == AttendanceStatus.ABSENT)
    rows = await session.execute(
        select(Student.full_name, Group.name)
        .select_from(last)
        .join(Student, Student.id == last.c.student_id)
        .join(Group, Group.id == last.c.group_id)
        .join(
            StudentGroup,
            (StudentGroup.student_id == last.c.student_id)
            & (StudentGroup.group_id == last.c.group_id)
            & active_on(today),
        )
        .where(last.c.rn <= times)
        .group_by(Student.full_name, Group.name)
        .having(absences == times)
        .order_by(Group.name, Student.full_name)
    )
    return [AbsentStreak(full_name=name, group_name=group) for name, group in rows]
