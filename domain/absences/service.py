"""A sick day: a teacher reports they can't teach on a date; the office covers or cancels each class.

The teacher's report records the absence and tells the office (the existing notifications: Telegram
when linked, else email). Nothing reaches the students' families then: only the office's decision on
each class — a substitute, or the class cancelled — is news for them, and it is queued with that
decision, in the same transaction. The substitute learns of the class from the session's change (the
outbox's "schedule changed" message goes to whoever teaches it now).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.absences.models import TeacherAbsence
from domain.attendance.service import enrolled_on
from domain.errors import Forbidden, Invalid
from domain.events import service as events
from domain.groups.models import Group
from domain.notifications import emails, recipients
from domain.notifications import service as notifications
from domain.notifications.models import Kind
from domain.notifications.words import Words, words_for
from domain.orgs.permissions import require_office
from domain.orgs.service import get_organization
from domain.scheduling.service import assign_substitute
from domain.sessions.models import ClassSession, SessionStatus
from domain.sessions.service import cancel_session, get_session, list_sessions
from domain.students.models import Student
from domain.teachers.models import Teacher
from domain.teachers.service import get_teacher, teacher_for_user
from domain.tenancy import TenantContext


@dataclass(frozen=True)
class MissedClass:
    session_id: uuid.UUID
    day: date
    start: time | None
    group: str

    def said(self, words: Words | None = None) -> str:
        """'Salsa Beginners, Tuesday 1 December, 19:00' in the reader's language (English by default)."""
        words = words or words_for("en", None)
        when = words.weekday(self.day) + (f", {words.clock(self.start)}" if self.start else "")
        return words("{group}, {when}", group=self.group or words("A class"), when=when)


@dataclass(frozen=True)
class Absence:
    teacher_id: uuid.UUID
    teacher_name: str
    day: date
    classes: list[MissedClass]
    reported_now: bool  # False when this day was already reported: nobody is told twice


async def _own_teacher(session: AsyncSession, tenant: TenantContext) -> Teacher:
    own = await teacher_for_user(session, tenant, tenant.user_id) if tenant.user_id else None
    if own is None:
        raise Forbidden("Only a teacher reports their own sick day; the office covers classes instead.")
    return own


async def missed_classes(session: AsyncSession, rows: list[ClassSession]) -> list[MissedClass]:
    ids = {r.group_id for r in rows if r.group_id}
    names = dict((await session.execute(select(Group.id, Group.name).where(Group.id.in_(ids)))).all())
    return [
        MissedClass(r.id, r.date, r.start_time, names.get(r.group_id, "") if r.group_id else "") for r in rows
    ]


async def classes_missed(
    session: AsyncSession, tenant: TenantContext, *, day: date, today: date
) -> tuple[Teacher, list[MissedClass]]:
    """The asking teacher's classes still to happen on ``day`` (what a sick day would affect)."""
    if day < today:
        raise Invalid("A sick day is reported for today or a day to come.", details={"field": "date"})
    teacher = await _own_teacher(session, tenant)
    rows = [
        r
        for r in await list_sessions(session, tenant, start=day, end=day, teacher_id=teacher.id)
        if r.status is SessionStatus.SCHEDULED
    ]
    if not rows:
        raise Invalid(
            "You have no class to miss on {day:%a %d %b}.",
            values={"day": day},
            details={"field": "date", "reason": "no_class", "date": day.isoformat()},
        )
    return teacher, await missed_classes(session, rows)


async def report_absence(
    session: AsyncSession, tenant: TenantContext, *, day: date, today: date, now: datetime, reason: str | None
) -> Absence:
    """Record the sick day (once per teacher and day) and tell the office's admins which classes need a
    substitute or a cancellation. Reported again, it changes nothing and tells nobody again."""
    teacher, missed = await classes_missed(session, tenant, day=day, today=today)
    created = await session.scalar(
        insert(TeacherAbsence)
        .values(
            organization_id=tenant.org_id,
            teacher_id=teacher.id,
            date=day,
            reason=(reason or "").strip() or None,
            reported_by_user_id=tenant.user_id,
        )
        .on_conflict_do_nothing(index_elements=["organization_id", "teacher_id", "date"])
        .returning(TeacherAbsence.id)
    )
    if created is not None:
        prefs = await notifications.preferences(session, tenant)
        org_locale = (await get_organization(session, tenant)).locale
        for admin in await recipients.admins(session, tenant, telegram=True):
            words = words_for(admin.language, org_locale)  # each admin reads it in their own language
            lines = "\n".join(f"- {m.said(words)}" for m in missed)
            why = f" ({reason.strip()})" if reason and reason.strip() else ""
            body = words(
                "{teacher} can't teach on {day}{why}. Classes to cover or cancel:\n{lines}\n\n"
                "In the Cadence bot, /cover assigns a substitute or cancels each one; the families are told "
                "only once you decide.",
                teacher=teacher.full_name,
                day=words.weekday(day),
                why=why,
                lines=lines,
            )
            subject = words("{teacher} is off sick", teacher=teacher.full_name)
            message = notifications.Message(admin, Kind.SCHEDULE_CHANGED, f"absence:{created}", subject, body)
            await notifications.queue(session, tenant, message, prefs=prefs, now=now)
        await events.emit(
            session,
            tenant,
            "teacher.absence_reported",
            {
                "teacher_id": str(teacher.id),
                "date": day.isoformat(),
                "session_ids": [str(m.session_id) for m in missed],
            },
        )
    return Absence(teacher.id, teacher.full_name, day, missed, reported_now=created is not None)


async def uncovered(
    session: AsyncSession, tenant: TenantContext, *, today: date
) -> list[tuple[str, MissedClass]]:
    """For the office: classes from today on whose teacher reported a sick day and that are still
    theirs and scheduled — (teacher's name, class), in date order."""
    require_office(tenant, "see the classes to cover")
    rows = await session.execute(
        select(ClassSession, Teacher.full_name)
        .join(
            TeacherAbsence,
            (TeacherAbsence.teacher_id == ClassSession.teacher_id)
            & (TeacherAbsence.date == ClassSession.date),
        )
        .join(Teacher, Teacher.id == ClassSession.teacher_id)
        .where(ClassSession.date >= today, ClassSession.status == SessionStatus.SCHEDULED)
        .order_by(ClassSession.date, ClassSession.start_time.nulls_last(), ClassSession.id)
    )
    found = rows.all()
    missed = await missed_classes(session, [r for r, _ in found])
    return [(name, m) for (_, name), m in zip(found, missed, strict=True)]


async def _tell_families(
    session: AsyncSession,
    tenant: TenantContext,
    row: ClassSession,
    *,
    text: Callable[[Words, str], emails.Text],
    now: datetime,
) -> int:
    """One email per enrolled student's family about this class's change, in the organization's language
    (families have no account); the period keeps it once."""
    enrolled = await enrolled_on(session, row)
    if not enrolled:
        return 0
    w = words_for(None, (await get_organization(session, tenant)).locale)
    missed = (await missed_classes(session, [row]))[0]
    said = text(w, emails.class_line(w, group=missed.group or None, day=missed.day, start=missed.start))
    students = (await session.execute(select(Student).where(Student.id.in_(enrolled)))).scalars().all()
    prefs = await notifications.preferences(session, tenant)
    for student in students:
        message = notifications.Message(
            recipients.family(student.id, student.full_name, student.email),
            Kind.SESSION_CANCELLED if row.status is SessionStatus.CANCELLED else Kind.SCHEDULE_CHANGED,
            f"cover:{row.id}",
            said.subject,
            said.body,
        )
        await notifications.queue(session, tenant, message, prefs=prefs, now=now)
    return len(students)


async def cover_with(
    session: AsyncSession,
    tenant: TenantContext,
    session_id: uuid.UUID,
    *,
    teacher_id: uuid.UUID,
    now: datetime,
) -> tuple[ClassSession, int]:
    """The office's decision: another teacher takes this class (who is then told, through the outbox);
    the families learn who teaches it. Returns the class and how many families were told."""
    require_office(tenant, "assign a substitute")
    substitute = await get_teacher(session, tenant, teacher_id)
    row = await assign_substitute(session, tenant, session_id, teacher_id=teacher_id, reason="sick day cover")
    told = await _tell_families(
        session,
        tenant,
        row,
        text=lambda w, line: emails.substitute(w, line=line, teacher=substitute.full_name),
        now=now,
    )
    return row, told


async def cancel_for_absence(
    session: AsyncSession, tenant: TenantContext, session_id: uuid.UUID, *, now: datetime
) -> tuple[ClassSession, int]:
    """The office's decision: the class is cancelled (its teacher is told through the outbox), and so
    are the families. Returns the class and how many families were told."""
    require_office(tenant, "cancel a class for a sick day")
    row = await get_session(session, tenant, session_id)
    row = await cancel_session(session, tenant, row.id, reason="The teacher is ill")
    told = await _tell_families(
        session, tenant, row, text=lambda w, line: emails.cancelled_for_absence(w, line=line), now=now
    )
    return row, told
