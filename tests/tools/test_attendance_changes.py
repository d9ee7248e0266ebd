"""mark_attendance over a class that already has marks: the preview names every mark it would change,
and the result after Confirm names the same ones, with the same counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.attendance import service as attendance
from domain.attendance.models import AttendanceRecord, AttendanceStatus
from domain.attendance.schemas import Mark
from domain.errors import Conflict
from domain.sessions import service as sessions
from domain.sessions.models import ClassSession
from domain.sessions.schemas import SessionIn
from domain.students.models import Student
from tests.domain.studio import Studio, build_studio
from tools import runner
from tools.base import ToolContext

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 20, tzinfo=UTC)
P, A, L, E = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.ABSENT,
    AttendanceStatus.LATE,
    AttendanceStatus.EXCUSED,
)


def ctx(session: AsyncSession, studio: Studio) -> ToolContext:
    return ToolContext(session=session, tenant=studio.teacher, today=TODAY, now=NOW)


async def salsa_with_marks(
    session: AsyncSession, studio: Studio, marks: dict[str, AttendanceStatus]
) -> ClassSession:
    class_session = await sessions.create_session(
        session, studio.admin, data=SessionIn(group_id=studio.salsa.id, date=TODAY, start_time=time(19))
    )
    await attendance.mark_attendance(
        session,
        studio.teacher,
        class_session.id,
        marks=[Mark(student_id=studio.students[first].id, status=s) for first, s in marks.items()],
        today=TODAY,
        now=NOW,
    )
    return class_session


async def marks_now(session: AsyncSession, class_session: ClassSession) -> dict[str, AttendanceStatus]:
    """The marks in the database, by name (read directly: no role check in the way)."""
    rows = await session.execute(
        select(Student.full_name, AttendanceRecord.status)
        .join(Student, Student.id == AttendanceRecord.student_id)
        .where(AttendanceRecord.class_session_id == class_session.id)
    )
    return {name: status for name, status in rows}


async def test_the_preview_lists_each_existing_mark_it_changes_and_the_result_says_the_same(
    session: AsyncSession,
) -> None:
    studio = await build_studio(session)
    await salsa_with_marks(session, studio, {"Ana": A, "José": L})
    proposed = await runner.call(
        ctx(session, studio), "mark_attendance", {"group": "Salsa", "absent": ["sofia"]}
    )
    assert proposed.pending is not None
    assert proposed.pending.preview == (
        "Mark attendance for Salsa Beginners on 2026-11-24: 2 present, absent: Sofía López.\n"
        "2 marks already recorded would change:\n"
        "- Ana García: absent → present\n"
        "- José Martínez: late → present\n"
        "Would record 1 new mark, correct 2, leave 0 unchanged."
    )
    done = await runner.confirm(ctx(session, studio), proposed.pending.id)
    assert done.text == (
        "Done: 1 mark recorded, 2 corrected, 0 unchanged.\n"
        "Corrected:\n"
        "- Ana García: absent → present\n"
        "- José Martínez: late → present"
    )
    corrected = [(c["full_name"], c["before"], c["after"]) for c in done.data["changes"] if c["before"]]
    assert corrected == [("Ana García", "absent", "present"), ("José Martínez", "late", "present")]


async def test_a_mark_already_recorded_with_the_same_value_is_unchanged_not_corrected(
    session: AsyncSession,
) -> None:
    studio = await build_studio(session)
    await salsa_with_marks(session, studio, {"Ana": A, "José": P})
    proposed = await runner.call(
        ctx(session, studio), "mark_attendance", {"group": "Salsa", "absent": ["ana"]}
    )
    assert proposed.pending is not None
    assert proposed.pending.preview == (
        "Mark attendance for Salsa Beginners on 2026-11-24: 2 present, absent: Ana García.\n"
        "No mark already recorded would change.\n"
        "Would record 1 new mark, correct 0, leave 2 unchanged."
    )
    done = await runner.confirm(ctx(session, studio), proposed.pending.id)
    assert done.text == "Done: 1 mark recorded, 0 corrected, 2 unchanged."


async def test_marks_that_changed_after_the_preview_are_not_overwritten_on_confirm(
    session: AsyncSession,
) -> None:
    studio = await build_studio(session)
    class_session = await salsa_with_marks(session, studio, {"Ana": A})
    proposed = await runner.call(ctx(session, studio), "mark_attendance", {"group": "Salsa"})
    assert proposed.pending is not None and "- Ana García: absent → present" in proposed.pending.preview
    # Before Confirm, the office records that José was excused: the preview never mentioned it.
    await attendance.mark_attendance(
        session,
        studio.admin,
        class_session.id,
        marks=[Mark(student_id=studio.students["José"].id, status=E)],
        today=TODAY,
        now=NOW,
    )
    with pytest.raises(Conflict) as refused:
        await runner.confirm(ctx(session, studio), proposed.pending.id)
    assert "José Martínez is now excused" in refused.value.message
    assert await marks_now(session, class_session) == {"Ana García": A, "José Martínez": E}
