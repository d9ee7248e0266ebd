"""Review of issue 20's cause features: "the group's regular teacher changed recently" (``new_teacher``)
means within ``NEW_TEACHER_DAYS``, not up to half as long again; a substitute is not a change of teacher."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.attendance import service as attendance
from domain.attendance.models import AttendanceStatus
from domain.groups import service as groups
from domain.groups.schemas import GroupUpdate
from domain.insights.features import NEW_TEACHER_DAYS, dropout_features
from domain.insights.history import OPEN, History, load_history
from domain.sessions import service as sessions
from domain.sessions.models import ClassSession
from domain.sessions.schemas import SessionIn
from tests.domain.studio import Studio, build_studio

AS_OF = date(2026, 5, 14).toordinal()
SALSA, ANA = 1, 10
OLD_TEACHER, NEW_TEACHER = 20, 21


def _history(changed_days_ago: int) -> History:
    """Ana in Salsa, weekly classes over 32 weeks; the regular teacher changed ``changed_days_ago``.
    ``teacher_id`` is each class's regular teacher, as ``load_history`` reads it."""
    marks = []
    for week in range(1, 33):
        day = AS_OF - 7 * week + 3
        teacher = NEW_TEACHER if AS_OF - day <= changed_days_ago else OLD_TEACHER
        marks.append((ANA, SALSA, day, True, False, teacher))
    return History(
        marks=pd.DataFrame(marks, columns=["student_id", "group_id", "day", "came", "absent", "teacher_id"]),
        members=pd.DataFrame(
            [(ANA, SALSA, AS_OF - 400, OPEN)], columns=["student_id", "group_id", "start", "end"]
        ),
        charges=pd.DataFrame(columns=["charge_id", "student_id", "due", "month", "amount"]),
        paid=pd.DataFrame(columns=["charge_id", "received", "amount"]),
    )


@pytest.mark.parametrize("days_ago", [14, 60, NEW_TEACHER_DAYS - 10])
def test_a_teacher_change_within_the_window_is_read(days_ago: int) -> None:
    assert float(dropout_features(_history(days_ago), AS_OF)["new_teacher"][ANA]) == 1.0


@pytest.mark.parametrize("days_ago", [NEW_TEACHER_DAYS + 10, 140, 160])
def test_a_teacher_change_older_than_the_window_is_not_recent(days_ago: int) -> None:
    # Before the review: the "usual" teacher was the most frequent one in the 16 weeks before the window,
    # so a change up to ~168 days ago still read (and was said) as "changed recently".
    assert float(dropout_features(_history(days_ago), AS_OF)["new_teacher"][ANA]) == 0.0


def test_no_change_reads_nothing() -> None:
    assert float(dropout_features(_history(-1), AS_OF)["new_teacher"][ANA]) == 0.0


async def _held_class(session: AsyncSession, studio: Studio, day: date, teacher_id: uuid.UUID | None) -> None:
    held = await sessions.create_session(
        session,
        studio.admin,
        data=SessionIn(group_id=studio.salsa.id, date=day, start_time=time(19), teacher_id=teacher_id),
    )
    await attendance.mark_all_except(
        session,
        studio.admin,
        held.id,
        except_student_ids=[],
        today=day,
        now=datetime.combine(day, time(21), tzinfo=UTC),
        status=AttendanceStatus.PRESENT,
    )


async def test_a_substitute_is_not_a_new_teacher_and_a_new_regular_teacher_is(session: AsyncSession) -> None:
    studio = await build_studio(session)
    ana = studio.students["Ana"].id
    today = date(2027, 1, 19)
    for week in range(19, 1, -1):  # Lucía's Salsa every Tuesday from September
        await _held_class(session, studio, today - timedelta(weeks=week), None)
    await _held_class(session, studio, today - timedelta(weeks=1), studio.marco.id)  # Marco stands in
    substituted = await session.scalar(
        select(ClassSession).where(ClassSession.date == today - timedelta(weeks=1))
    )
    assert substituted is not None and substituted.substitute_for_teacher_id == studio.lucia.id

    history = await load_history(session, studio.admin)
    code = history.code_of()
    assert float(dropout_features(history, today.toordinal())["new_teacher"][code[ana]]) == 0.0

    # Positive control: Marco becomes the group's regular teacher and takes today's class.
    regular = GroupUpdate(teacher_id=studio.marco.id)
    await groups.update_group(session, studio.admin, studio.salsa.id, data=regular)
    await _held_class(session, studio, today, None)
    history = await load_history(session, studio.admin)
    code = history.code_of()
    assert float(dropout_features(history, today.toordinal())["new_teacher"][code[ana]]) == 1.0
