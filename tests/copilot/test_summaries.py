"""Proactive summaries are built from the tools: the digest's facts are the tools' answers, and the
agenda names exactly the students who missed their last two classes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from copilot.summaries import admin_digest, teacher_agenda
from domain.attendance import service as attendance
from domain.attendance.models import AttendanceStatus
from domain.db import use_tenant
from domain.sessions import service as sessions
from domain.sessions.schemas import SessionIn
from tests.domain.studio import build_studio
from tools import runner
from tools.base import ToolContext

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 8, tzinfo=UTC)


async def test_the_agenda_names_who_missed_their_last_two_classes(session: AsyncSession) -> None:
    studio = await build_studio(session)
    ana, jose = studio.students["Ana"], studio.students["José"]
    for weeks_ago in (2, 1):
        held = await sessions.create_session(
            session,
            studio.admin,
            data=SessionIn(
                group_id=studio.salsa.id, date=TODAY - timedelta(weeks=weeks_ago), start_time=time(19)
            ),
        )
        absent = [ana.id] if weeks_ago == 2 else [ana.id, jose.id]  # Ana twice, José once
        await attendance.mark_all_except(
            session,
            studio.admin,
            held.id,
            except_student_ids=absent,
            today=TODAY,
            now=NOW,
            status=AttendanceStatus.PRESENT,
            except_status=AttendanceStatus.ABSENT,
        )
    await use_tenant(session, studio.teacher)
    agenda = await teacher_agenda(ToolContext(session=session, tenant=studio.teacher, today=TODAY, now=NOW))
    text = agenda.text()
    assert "## Absent twice in a row\n- Ana García (Salsa Beginners)\n" in text
    assert "José Martínez" not in text  # absent once: the control
    assert [h for h, _ in agenda.sections] == [
        "Today's classes",
        "Absent twice in a row",
        "Attendance still to mark",
    ]


async def test_the_digest_is_the_tools_answers(session: AsyncSession) -> None:
    studio = await build_studio(session)
    ctx = ToolContext(session=session, tenant=studio.admin, today=TODAY, now=NOW)
    digest = await admin_digest(ctx)
    unpaid = await runner.call(ctx, "unpaid_students", {})
    assert dict(digest.sections)["Tuition not paid this month"] == unpaid.output.text
    assert len(digest.sections) == 9 and digest.title == "Weekly digest, week of 2026-11-23"
