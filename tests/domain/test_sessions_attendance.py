from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.attendance import service as attendance
from domain.attendance.models import AttendanceRecord, AttendanceStatus
from domain.attendance.schemas import Mark
from domain.audit.models import AuditEntry
from domain.errors import Conflict, Forbidden, Invalid
from domain.groups import service as groups
from domain.groups.models import GroupStatus
from domain.private_lessons import service as lessons
from domain.private_lessons.models import PrivateSession
from domain.private_lessons.schemas import PrivateSessionIn
from domain.sessions import service as sessions
from domain.sessions.models import ClassSession, SessionStatus
from domain.sessions.schemas import SessionIn, SessionUpdate
from domain.students import service as students
from domain.students.models import Student
from domain.students.schemas import StudentIn
from tests.domain.studio import Studio, build_studio, count_sessions, event_types

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)
P, A, L, E = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.ABSENT,
    AttendanceStatus.LATE,
    AttendanceStatus.EXCUSED,
)


async def salsa_class(session: AsyncSession, studio: Studio, day: date = date(2026, 11, 24)) -> ClassSession:
    return await sessions.create_session(
        session,
        studio.admin,
        data=SessionIn(group_id=studio.salsa.id, date=day, start_time=time(19), end_time=time(20)),
    )


async def marks_of(session: AsyncSession, class_session: ClassSession) -> dict[str, AttendanceStatus]:
    """The marks in the database, by first name (read directly: no role check in the way)."""
    rows = await session.execute(
        select(Student.full_name, AttendanceRecord.status)
        .join(Student, Student.id == AttendanceRecord.student_id)
        .where(AttendanceRecord.class_session_id == class_session.id)
    )
    return {name.split()[0]: status for name, status in rows}


async def test_a_session_defaults_to_the_group_teacher_and_records_a_substitute(
    session: AsyncSession,
) -> None:
    studio = await build_studio(session)
    regular = await salsa_class(session, studio)
    assert (regular.teacher_id, regular.substitute_for_teacher_id, regular.venue_id) == (
        studio.lucia.id,
        None,
        studio.venue.id,
    )
    covered = await sessions.create_session(
        session,
        studio.admin,
        data=SessionIn(group_id=studio.salsa.id, teacher_id=studio.marco.id, date=date(2026, 12, 1)),
    )
    assert (covered.teacher_id, covered.substitute_for_teacher_id) == (studio.marco.id, studio.lucia.id)
    assert "session.created" in await event_types(session)


@pytest.mark.parametrize("status", [GroupStatus.PAUSED, GroupStatus.CLOSED])
async def test_no_session_for_a_paused_or_closed_group(session: AsyncSession, status: GroupStatus) -> None:
    studio = await build_studio(session)
    await groups.change_group_status(session, studio.admin, studio.salsa.id, status=status, reason=None)
    before = await count_sessions(session)
    with pytest.raises(Conflict):
        await salsa_class(session, studio)
    assert await count_sessions(session) == before


async def test_bad_times_are_refused(session: AsyncSession) -> None:
    studio = await build_studio(session)
    with pytest.raises(Invalid):
        await sessions.create_session(
            session,
            studio.admin,
            data=SessionIn(group_id=studio.salsa.id, date=TODAY, start_time=time(20), end_time=time(19)),
        )
    assert await count_sessions(session) == 0


async def test_cancelled_sessions_stay_and_cannot_be_deleted(session: AsyncSession) -> None:
    studio = await build_studio(session)
    class_session = await salsa_class(session, studio, day=date(2026, 12, 8))
    await sessions.cancel_session(session, studio.teacher, class_session.id, reason="Teacher ill")
    assert (class_session.status, class_session.cancel_reason) == (SessionStatus.CANCELLED, "Teacher ill")
    listed = await sessions.list_sessions(
        session, studio.admin, start=date(2026, 12, 1), end=date(2026, 12, 31)
    )
    assert [s.id for s in listed] == [class_session.id]
    with pytest.raises(ProgrammingError, match="permission denied"):
        async with session.begin_nested():
            await session.execute(delete(ClassSession).where(ClassSession.id == class_session.id))
    assert await count_sessions(session) == 1
    with pytest.raises(Conflict):
        await sessions.update_session(session, studio.admin, class_session.id, data=SessionUpdate(notes="x"))


async def test_editing_a_held_session_needs_a_reason_and_is_audited(session: AsyncSession) -> None:
    studio = await build_studio(session)
    class_session = await salsa_class(session, studio)
    await sessions.mark_held(session, studio.teacher, class_session.id, today=TODAY)
    with pytest.raises(Invalid):
        await sessions.update_session(
            session, studio.admin, class_session.id, data=SessionUpdate(end_time=time(20, 30))
        )
    await sessions.update_session(
        session, studio.admin, class_session.id, data=SessionUpdate(end_time=time(20, 30), reason="ran late")
    )
    entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "session.updated"))
    assert entry and entry.before and entry.after
    assert (entry.before["end_time"], entry.after["end_time"], entry.reason) == (
        "20:00:00",
        "20:30:00",
        "ran late",
    )


async def test_marking_is_idempotent_and_makes_the_session_held(session: AsyncSession) -> None:
    studio = await build_studio(session)
    class_session = await salsa_class(session, studio)
    ana, jose = studio.students["Ana"], studio.students["José"]
    marks = [Mark(student_id=ana.id, status=P), Mark(student_id=jose.id, status=L)]
    first = await attendance.mark_attendance(
        session, studio.teacher, class_session.id, marks=marks, today=TODAY, now=NOW
    )
    again = await attendance.mark_attendance(
        session, studio.teacher, class_session.id, marks=marks, today=TODAY, now=NOW
    )
    assert (first.created, first.session_marked_held) == (2, True)
    assert (again.created, again.corrected, again.unchanged) == (0, 0, 2)
    assert class_session.status is SessionStatus.HELD
    assert await session.scalar(select(func.count()).select_from(AttendanceRecord)) == 2


async def test_everyone_present_except(session: AsyncSession) -> None:
    studio = await build_studio(session)
    class_session = await salsa_class(session, studio)
    ana = studio.students["Ana"]
    await attendance.mark_all_except(
        session, studio.teacher, class_session.id, except_student_ids=[ana.id], today=TODAY, now=NOW
    )
    assert await marks_of(session, class_session) == {"Ana": A, "José": P, "Sofía": P}


async def test_a_student_not_enrolled_that_day_needs_the_guest_flag(session: AsyncSession) -> None:
    studio = await build_studio(session)
    class_session = await salsa_class(session, studio)
    visitor = await students.create_student(session, studio.admin, data=StudentIn(full_name="Carmen Vidal"))
    with pytest.raises(Invalid) as err:
        await attendance.mark_attendance(
            session,
            studio.teacher,
            class_session.id,
            marks=[
                Mark(student_id=studio.students["Ana"].id, status=P),
                Mark(student_id=visitor.id, status=P),
            ],
            today=TODAY,
            now=NOW,
        )
    assert err.value.details == {"student_ids": [str(visitor.id)]}
    assert (
        await session.scalar(select(func.count()).select_from(AttendanceRecord)) == 0
    )  # nothing, not even Ana
    await attendance.mark_attendance(
        session,
        studio.teacher,
        class_session.id,
        marks=[Mark(student_id=visitor.id, status=P, guest=True)],
        today=TODAY,
        now=NOW,
    )
    [record] = (await session.execute(select(AttendanceRecord))).scalars()
    assert record.is_guest


async def test_cancelled_and_future_sessions_take_no_marks(session: AsyncSession) -> None:
    studio = await build_studio(session)
    ana = studio.students["Ana"]
    cancelled = await salsa_class(session, studio, day=date(2026, 11, 17))
    await sessions.cancel_session(session, studio.admin, cancelled.id, reason="holiday")
    with pytest.raises(Conflict):
        await attendance.mark_attendance(
            session,
            studio.admin,
            cancelled.id,
            marks=[Mark(student_id=ana.id, status=P)],
            today=TODAY,
            now=NOW,
        )
    future = await salsa_class(session, studio, day=date(2026, 12, 1))
    with pytest.raises(Invalid):
        await attendance.mark_attendance(
            session, studio.admin, future.id, marks=[Mark(student_id=ana.id, status=P)], today=TODAY, now=NOW
        )
    assert await session.scalar(select(func.count()).select_from(AttendanceRecord)) == 0


async def test_a_teacher_marks_only_their_own_sessions(session: AsyncSession) -> None:
    studio = await build_studio(session)
    marcos = await sessions.create_session(
        session, studio.admin, data=SessionIn(group_id=studio.bachata.id, date=TODAY)
    )
    with pytest.raises(Forbidden):
        await attendance.mark_all_except(
            session, studio.teacher, marcos.id, except_student_ids=[], today=TODAY, now=NOW
        )
    with pytest.raises(Forbidden):
        await sessions.cancel_session(session, studio.teacher, marcos.id, reason="not mine")
    own = await salsa_class(session, studio)
    result = await attendance.mark_all_except(
        session, studio.teacher, own.id, except_student_ids=[], today=TODAY, now=NOW
    )
    assert result.created == 3  # control


async def test_an_admin_override_is_audited_with_who_when_before_after_and_why(session: AsyncSession) -> None:
    studio = await build_studio(session)
    class_session = await salsa_class(session, studio)
    jose = studio.students["José"]
    await attendance.mark_all_except(
        session, studio.teacher, class_session.id, except_student_ids=[jose.id], today=TODAY, now=NOW
    )
    with pytest.raises(Forbidden):
        await attendance.override_attendance(
            session,
            studio.teacher,
            class_session.id,
            student_id=jose.id,
            status=E,
            reason="doctor's note",
            today=TODAY,
            now=NOW,
        )
    with pytest.raises(Invalid):
        await attendance.override_attendance(
            session,
            studio.admin,
            class_session.id,
            student_id=jose.id,
            status=E,
            reason="  ",
            today=TODAY,
            now=NOW,
        )
    result = await attendance.override_attendance(
        session,
        studio.admin,
        class_session.id,
        student_id=jose.id,
        status=E,
        reason="doctor's note",
        today=TODAY,
        now=NOW,
    )
    assert result.corrected == 1
    entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "attendance.overridden"))
    assert entry is not None and entry.before and entry.after
    assert (entry.actor_user_id, entry.before["status"], entry.after["status"], entry.reason) == (
        studio.admin.user_id,
        "absent",
        "excused",
        "doctor's note",
    )
    assert entry.created_at is not None
    assert "attendance.corrected" in await event_types(session)
    assert (await marks_of(session, class_session))["José"] is E


async def test_missing_attendance_is_found_per_teacher(session: AsyncSession) -> None:
    studio = await build_studio(session)
    unmarked = await salsa_class(session, studio, day=date(2026, 11, 10))  # scheduled, in the past, no marks
    partial = await salsa_class(session, studio, day=date(2026, 11, 17))
    complete = await salsa_class(session, studio, day=date(2026, 11, 24))
    await salsa_class(session, studio, day=date(2026, 12, 1))  # future: not missing
    cancelled = await salsa_class(session, studio, day=date(2026, 11, 3))
    await sessions.cancel_session(session, studio.admin, cancelled.id, reason="holiday")
    await attendance.mark_attendance(
        session,
        studio.admin,
        partial.id,
        marks=[Mark(student_id=studio.students["Ana"].id, status=P)],
        today=TODAY,
        now=NOW,
    )
    await attendance.mark_all_except(
        session, studio.admin, complete.id, except_student_ids=[], today=TODAY, now=NOW
    )

    report = await attendance.missing_attendance(session, studio.admin, today=TODAY)
    assert [(s.session_id, s.expected, s.marked) for s in report.sessions] == [
        (unmarked.id, 3, 0),
        (partial.id, 3, 1),
    ]
    assert [(t.teacher_name, t.sessions, t.missing_marks) for t in report.by_teacher] == [
        ("Lucía Romero", 2, 5)
    ]
    own = await attendance.missing_attendance(session, studio.teacher, today=TODAY)
    assert len(own.sessions) == 2
    since = await attendance.missing_attendance(session, studio.admin, today=TODAY, since=date(2026, 11, 15))
    assert [s.session_id for s in since.sessions] == [partial.id]


async def test_private_lessons_are_scheduled_held_and_cancelled(session: AsyncSession) -> None:
    studio = await build_studio(session)
    ana = studio.students["Ana"]
    data = PrivateSessionIn(
        teacher_id=studio.lucia.id,
        student_id=ana.id,
        venue_id=studio.venue.id,
        date=date(2026, 11, 20),
        start_time=time(18),
        duration_minutes=60,
    )
    lesson = await lessons.create_private_session(session, studio.teacher, data=data)
    await lessons.mark_private_held(session, studio.teacher, lesson.id, today=TODAY)
    assert lesson.status is SessionStatus.HELD
    with pytest.raises(Conflict):
        await lessons.cancel_private_session(session, studio.admin, lesson.id, reason="late")
    other = await lessons.create_private_session(
        session, studio.staff, data=data.model_copy(update={"date": date(2026, 12, 2)})
    )
    with pytest.raises(Invalid):
        await lessons.mark_private_held(session, studio.admin, other.id, today=TODAY)
    await lessons.cancel_private_session(session, studio.admin, other.id, reason="student away")
    listed = await lessons.list_private_sessions(
        session, studio.admin, start=date(2026, 11, 1), end=date(2026, 12, 31)
    )
    assert [(p.status, p.cancel_reason) for p in listed] == [
        (SessionStatus.HELD, None),
        (SessionStatus.CANCELLED, "student away"),
    ]


@pytest.mark.parametrize("minutes", [0, -30])
async def test_a_private_lesson_needs_a_positive_duration(session: AsyncSession, minutes: int) -> None:
    studio = await build_studio(session)
    with pytest.raises(Invalid) as err:
        await lessons.create_private_session(
            session,
            studio.admin,
            data=PrivateSessionIn(
                teacher_id=studio.lucia.id,
                student_id=studio.students["Ana"].id,
                date=TODAY,
                duration_minutes=minutes,
            ),
        )
    assert err.value.details == {"field": "duration_minutes"}
    assert await session.scalar(select(func.count()).select_from(PrivateSession)) == 0


async def test_a_teacher_cannot_book_lessons_for_someone_else(session: AsyncSession) -> None:
    studio = await build_studio(session)
    with pytest.raises(Forbidden):
        await lessons.create_private_session(
            session,
            studio.teacher,
            data=PrivateSessionIn(
                teacher_id=studio.marco.id,
                student_id=studio.students["Ana"].id,
                date=TODAY,
                duration_minutes=45,
            ),
        )


async def test_a_group_cannot_have_two_classes_at_the_same_date_and_time(session: AsyncSession) -> None:
    studio = await build_studio(session)
    day = date(2026, 12, 7)
    first = await sessions.create_session(
        session, studio.admin, data=SessionIn(group_id=studio.salsa.id, date=day, start_time=time(18))
    )
    later = await sessions.create_session(
        session, studio.admin, data=SessionIn(group_id=studio.salsa.id, date=day, start_time=time(20))
    )
    with pytest.raises(Conflict):
        await sessions.create_session(
            session, studio.admin, data=SessionIn(group_id=studio.salsa.id, date=day, start_time=time(18))
        )
    with pytest.raises(Conflict):
        await sessions.update_session(
            session, studio.admin, later.id, data=SessionUpdate(start_time=time(18))
        )
    # Another group at the same time is fine; so is moving to a free time.
    await sessions.create_session(
        session, studio.admin, data=SessionIn(group_id=studio.bachata.id, date=day, start_time=time(18))
    )
    moved = await sessions.update_session(
        session, studio.admin, later.id, data=SessionUpdate(start_time=time(19))
    )
    assert (first.start_time, moved.start_time) == (time(18), time(19))


async def test_a_result_names_every_mark_it_changed_and_counts_same_value_as_unchanged(
    session: AsyncSession,
) -> None:
    studio = await build_studio(session)
    class_session = await salsa_class(session, studio)
    ana, jose = studio.students["Ana"], studio.students["José"]
    await attendance.mark_attendance(
        session,
        studio.teacher,
        class_session.id,
        marks=[Mark(student_id=ana.id, status=A), Mark(student_id=jose.id, status=L)],
        today=TODAY,
        now=NOW,
    )
    result = await attendance.mark_all_except(
        session, studio.teacher, class_session.id, except_student_ids=[ana.id], today=TODAY, now=NOW
    )
    assert (result.created, result.corrected, result.unchanged) == (1, 1, 1)  # Ana absent again: unchanged
    assert [(c.full_name, c.before, c.after) for c in result.changes] == [
        ("José Martínez", L, P),
        ("Sofía López", None, P),
    ]
    assert result.summary == "2 changed: José Martínez late → present, Sofía López not marked → present"
    again = await attendance.mark_all_except(
        session, studio.teacher, class_session.id, except_student_ids=[ana.id], today=TODAY, now=NOW
    )
    assert (again.corrected, again.unchanged, again.changes, again.summary) == (0, 3, [], "nothing changed")


async def test_a_mark_made_from_a_stale_view_is_refused_and_nothing_is_written(session: AsyncSession) -> None:
    studio = await build_studio(session)
    class_session = await salsa_class(session, studio)
    ana, jose = studio.students["Ana"], studio.students["José"]
    await attendance.mark_attendance(
        session,
        studio.teacher,
        class_session.id,
        marks=[Mark(student_id=ana.id, status=A)],
        today=TODAY,
        now=NOW,
    )
    # Someone saw Ana unmarked and José unmarked; Ana has been marked absent since.
    stale = [
        Mark(student_id=ana.id, status=P, expected="unmarked"),
        Mark(student_id=jose.id, status=P, expected="unmarked"),
    ]
    with pytest.raises(Conflict) as err:
        await attendance.mark_attendance(
            session, studio.admin, class_session.id, marks=stale, today=TODAY, now=NOW
        )
    assert "Ana García is now absent" in err.value.message
    assert await marks_of(session, class_session) == {"Ana": A}  # José was not written either
    fresh = [
        Mark(student_id=ana.id, status=P, expected=A),
        Mark(student_id=jose.id, status=P, expected="unmarked"),
    ]
    done = await attendance.mark_attendance(
        session, studio.admin, class_session.id, marks=fresh, today=TODAY, now=NOW
    )
    assert done.summary == "2 changed: Ana García absent → present, José Martínez not marked → present"
    assert await marks_of(session, class_session) == {"Ana": P, "José": P}
