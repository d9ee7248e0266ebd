"""The unpaid list narrowed to one group ("who in Salsa hasn't paid?"), and saying whose list it is."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from domain.groups import memberships
from domain.payments import service as payments
from domain.students import service as students
from domain.students.schemas import StudentIn
from tests.domain.studio import START, build_studio
from tools import money as money_tools
from tools import runner
from tools.base import ToolContext


async def three_owing(session: AsyncSession) -> ToolContext:
    """Ana and José in Salsa Beginners, Lola in Bachata Improvers, none of them paid this month."""
    studio = await build_studio(session, names=("Ana García", "José Martínez"))
    admin, today = studio.admin, studio.admin.today()
    lola = await students.create_student(session, admin, data=StudentIn(full_name="Lola Bachatera"))
    await memberships.enroll(session, admin, student_id=lola.id, group_id=studio.bachata.id, start_date=START)
    await payments.generate_tuition(session, admin, month=today, today=today)
    return ToolContext(session=session, tenant=admin, today=today, now=datetime.now(UTC))


async def test_the_unpaid_list_can_be_narrowed_to_a_group(session: AsyncSession) -> None:
    ctx = await three_owing(session)

    everyone = (await runner.execute(ctx, "unpaid_students", {})).output.text
    assert all(name in everyone for name in ("Ana García", "José Martínez", "Lola Bachatera"))
    salsa = (await runner.execute(ctx, "unpaid_students", {"group": "salsa"})).output.text
    assert "in Salsa Beginners" in salsa and "Ana García" in salsa and "Lola Bachatera" not in salsa
    bachata = (await runner.execute(ctx, "unpaid_students", {"group": "Bachata Improvers"})).output.text
    assert "Lola Bachatera" in bachata and "Ana García" not in bachata


async def test_a_long_unpaid_list_names_the_first_ones_and_says_how_to_get_them_all(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = await three_owing(session)
    whole = (await runner.execute(ctx, "unpaid_students", {})).output
    assert "more" not in whole.text  # as long as the chat lists: every name

    monkeypatch.setattr(money_tools, "LISTED_IN_CHAT", 2)  # a school with more than a chat lists
    output = (await runner.execute(ctx, "unpaid_students", {})).output
    lines = output.text.splitlines()
    assert lines[0].startswith("3 students") and [line.split(":")[0] for line in lines[1:3]] == [
        "- Ana García",
        "- José Martínez",
    ]
    # The whole list is asked for by name: Telegram's /unpaid answers outside the conversation
    assert lines[3] == '… and 1 more (say "the unpaid list as a spreadsheet" for the whole list)'
    assert "Lola Bachatera" not in output.text
    listed = [s["full_name"] for s in output.data["students"]]  # the data keeps every one
    assert listed == [s["full_name"] for s in whole.data["students"]] and "Lola Bachatera" in listed
    spanish = (await runner.execute(replace(ctx, language="es"), "unpaid_students", {})).output.text
    assert spanish.splitlines()[-1] == '… y 1 más (di "la lista de impagos en Excel" para la lista entera)'
    # A narrowed list is sent again from the conversation, which remembers how it was narrowed.
    monkeypatch.setattr(money_tools, "LISTED_IN_CHAT", 1)
    salsa = (await runner.execute(ctx, "unpaid_students", {"group": "salsa"})).output.text
    assert salsa.splitlines()[-1] == '… and 1 more (say "send it as a spreadsheet" for the whole list)'
