"""A capped unpaid list, then what its last line says to say (review of issue 16): the spreadsheet asked
for next holds every student owing, not the names the chat listed; in English and in Spanish."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from copilot.checkpoints import TenantSaver
from copilot.service import Copilot
from domain.db import use_tenant
from domain.groups import memberships
from domain.payments import service as payments
from domain.students import service as students
from domain.students.schemas import StudentIn
from domain.tenancy import TenantContext
from tests.domain.studio import START, build_studio
from tools import money as money_tools
from tools import runner
from tools.base import ToolContext


async def three_owing(session: AsyncSession) -> TenantContext:
    studio = await build_studio(session, names=("Ana García", "José Martínez"))
    admin, today = studio.admin, studio.admin.today()
    lola = await students.create_student(session, admin, data=StudentIn(full_name="Lola Bachatera"))
    await memberships.enroll(session, admin, student_id=lola.id, group_id=studio.bachata.id, start_date=START)
    await payments.generate_tuition(session, admin, month=today, today=today)
    return admin


@pytest.mark.parametrize(
    ("asked", "then", "more"),
    [
        ("who hasn't paid?", "send it as a spreadsheet", "… and 1 more"),
        ("¿quién no ha pagado?", "mándamela en Excel", "… y 1 más"),
    ],
    ids=["en", "es"],
)
async def test_the_spreadsheet_after_a_capped_unpaid_list_has_every_student(
    session: AsyncSession,
    checkpointer: TenantSaver,
    monkeypatch: pytest.MonkeyPatch,
    asked: str,
    then: str,
    more: str,
) -> None:
    admin = await three_owing(session)
    monkeypatch.setattr(money_tools, "LISTED_IN_CHAT", 2)  # a school owing more than a chat lists
    copilot, chat, now = Copilot(checkpointer), "capped-unpaid", datetime.now(UTC)

    async def say(text: str) -> tuple[str, list[dict[str, Any]], Any]:
        await use_tenant(session, admin)
        r = await copilot.ask(session, admin, text, channel="test", chat=chat, today=admin.today(), now=now)
        assert r.outcome == "answered", r.answer
        return r.answer, r.tool_calls, r.data

    answer, calls, _ = await say(asked)
    assert [c["name"] for c in calls] == ["unpaid_students"]
    assert answer.splitlines()[-1].startswith(more) and "Lola Bachatera" not in answer  # the capped list
    _, calls, data = await say(then)
    assert [(c["name"], c["args"]["tool"]) for c in calls] == [("spreadsheet", "unpaid_students")]
    assert isinstance(data, dict) and data["row_count"] == 3  # every one, Lola too


@pytest.mark.parametrize("language", ["en", "es"])
async def test_what_the_capped_unpaid_command_says_to_say_works_outside_its_conversation(
    session: AsyncSession, checkpointer: TenantSaver, monkeypatch: pytest.MonkeyPatch, language: str
) -> None:
    """Telegram's /unpaid runs the tool itself, not in the chat's conversation: the words its last line
    quotes must name the list, or the conversation's own last list (here a roster) is the one sent."""
    admin = await three_owing(session)
    monkeypatch.setattr(money_tools, "LISTED_IN_CHAT", 2)
    now = datetime.now(UTC)
    ctx = ToolContext(session=session, tenant=admin, today=admin.today(), now=now, language=language)
    capped = (await runner.call(ctx, "unpaid_students", {})).output.text  # as /unpaid does
    quoted = re.findall(r'"([^"]+)"', capped.splitlines()[-1])
    assert len(quoted) == 1, capped
    copilot, chat = Copilot(checkpointer), "capped-unpaid-command"
    await use_tenant(session, admin)
    roster = await copilot.ask(
        session, admin, "who is in salsa beginners?", channel="test", chat=chat, today=admin.today(), now=now
    )
    assert roster.tool_calls[0]["name"] == "group_roster"  # the conversation's last list is another one
    asked = await copilot.ask(
        session, admin, quoted[0], channel="test", chat=chat, today=admin.today(), now=now
    )
    assert [(c["name"], c["args"]["tool"]) for c in asked.tool_calls] == [("spreadsheet", "unpaid_students")]
    assert asked.data["row_count"] == 3
