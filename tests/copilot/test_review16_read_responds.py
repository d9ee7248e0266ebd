"""A read answers in its own graph step now (review of issue 16): what a read turn says and what the
conversation remembers of it are as they were when a separate ``respond`` step followed it — the
clarification a read asks and the bare answer to it, a follow-up on the last read, a refusal."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from copilot.checkpoints import TenantSaver
from copilot.service import Copilot
from domain.students import service as students
from domain.students.schemas import StudentIn
from tests.copilot.helpers import ask, studio_with_class


async def test_a_reads_clarification_its_answer_and_a_follow_up(
    session: AsyncSession, checkpointer: TenantSaver
) -> None:
    studio = await studio_with_class(session)
    await students.create_student(session, studio.admin, data=StudentIn(full_name="Ana Gómez"))
    copilot, chat = Copilot(checkpointer), str(uuid.uuid4())
    asked = await ask(copilot, session, studio.admin, "attendance of ana this month", chat)
    assert asked.outcome == "clarify"
    assert asked.answer == "Which student do you mean: Ana García or Ana Gómez?"
    # The bare answer is understood as the one the read waited for (the memory's ``awaiting``).
    answered = await ask(copilot, session, studio.admin, "Ana Gómez", chat)
    assert answered.outcome == "answered"
    assert answered.tool_calls == [
        {
            "name": "attendance_summary",
            "args": {"start": "2026-11-01", "end": "2026-11-24", "student": "Ana Gómez"},
        }
    ]
    # A follow-up reads the same thing again, changed only in what it says (``last_tool``/``last_args``).
    followed = await ask(copilot, session, studio.admin, "and last month?", chat)
    assert followed.outcome == "answered"
    assert followed.tool_calls == [
        {
            "name": "attendance_summary",
            "args": {"student": "Ana Gómez", "start": "2026-10-01", "end": "2026-10-31"},
        }
    ]
    assert followed.answer == "No attendance marked for Ana Gómez, October 2026."
    # A refusal still goes through ``respond``: said as before, nothing run.
    refused = await ask(copilot, session, studio.teacher, "delete ana", str(uuid.uuid4()))
    assert refused.outcome == "refused" and refused.tool_calls == []
    assert refused.answer.startswith("I can't delete records")
