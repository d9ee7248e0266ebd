"""A write the asker's role may not make is refused when it is asked for: no question about it, no
preview to confirm, nothing pending — and the office, asking the same, gets the preview (the control)."""

from __future__ import annotations

import uuid

import pytest
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from copilot.service import Copilot
from domain.actions.models import PendingAction
from domain.db import use_tenant
from domain.errors import Forbidden
from tests.copilot.helpers import NOW, TODAY, ask, studio_with_class
from tools import runner
from tools.base import ToolContext


async def pending(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(PendingAction)) or 0)


@pytest.mark.parametrize(
    ("said", "what"),
    [
        ("close the school on Monday 30 November for a wedding", "close the school"),
        ("Ana García paid 45 euros by transfer", "record payments"),
        ("enrol Ana García in Bachata Improvers", "enrol students"),
        ("cierra la escuela el lunes 30 de noviembre por una boda", "cerrar la escuela"),
    ],
)
async def test_a_teacher_is_told_at_once_that_an_office_write_is_not_theirs(
    session: AsyncSession, checkpointer: AsyncPostgresSaver, said: str, what: str
) -> None:
    studio = await studio_with_class(session)
    copilot = Copilot(checkpointer)
    refused = await ask(copilot, session, studio.teacher, said, str(uuid.uuid4()))
    assert refused.pending_action is None and refused.outcome == "refused", refused
    assert what in refused.answer
    assert await pending(session) == 0

    proposed = await ask(copilot, session, studio.staff, said, str(uuid.uuid4()))
    assert proposed.pending_action is not None, proposed.answer  # the office is asked to confirm
    assert await pending(session) == 1


async def test_the_runner_refuses_a_tool_the_role_is_not_offered_before_planning(
    session: AsyncSession,
) -> None:
    studio = await studio_with_class(session)
    # Closing the school plans without checking who asks (applying it would refuse a teacher): the
    # runner must refuse before the preview is made and proposed.
    args = {"start": "2026-11-30", "end": "2026-11-30", "reason": "a wedding"}
    await use_tenant(session, studio.teacher)
    teacher = ToolContext(session=session, tenant=studio.teacher, today=TODAY, now=NOW)
    with pytest.raises(Forbidden):
        await runner.execute(teacher, "close_dates", args)
    assert await pending(session) == 0

    await use_tenant(session, studio.staff)
    office = ToolContext(session=session, tenant=studio.staff, today=TODAY, now=NOW)
    outcome = await runner.execute(office, "close_dates", args)
    assert outcome.pending is not None and await pending(session) == 1
