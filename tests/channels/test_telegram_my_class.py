"""'Who's in my next class?' for the asking teacher, with no name said (tool my_next_class, which the
bot's free text and other channels reach): her own next class from now, never another teacher's."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import Invalid
from domain.sessions import service as class_sessions
from domain.sessions.schemas import SessionIn
from tests.domain.studio import build_studio
from tools import runner
from tools.base import ToolContext


async def test_my_next_class_is_the_teachers_own_next_one_with_its_students(session: AsyncSession) -> None:
    school = await build_studio(session)
    today = school.admin.today()
    for teacher, at in ((school.lucia, time(9)), (school.marco, time(13)), (school.lucia, time(20))):
        await class_sessions.create_session(
            session,
            school.admin,
            data=SessionIn(group_id=school.salsa.id, teacher_id=teacher.id, date=today, start_time=at),
        )
    noon = datetime.combine(today, time(12), tzinfo=ZoneInfo(school.teacher.timezone))
    ctx = ToolContext(session=session, tenant=school.teacher, today=today, now=noon)
    answer = (await runner.execute(ctx, "my_next_class", {})).output
    assert (
        answer.text.startswith("Your next class: Salsa Beginners on")
        and " at 20:00, 3 students:" in answer.text
    )
    assert "- Ana García\n- José Martínez\n- Sofía López" in answer.text  # Marco's 13:00 is not hers
    spanish = ToolContext(session=session, tenant=school.teacher, today=today, now=noon, language="es")
    assert (await runner.execute(spanish, "my_next_class", {})).output.text.startswith(
        "Tu próxima clase: Salsa"
    )

    office = ToolContext(session=session, tenant=school.admin, today=today, now=noon)
    with pytest.raises(Invalid):  # the office has no "my" class: it says whose
        await runner.execute(office, "my_next_class", {})
