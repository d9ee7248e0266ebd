"""A spreadsheet the copilot made reaches Telegram as a document: the bot uploads it (sendDocument) to the
fake Bot API server on localhost, read back as its owner. An answer that made no file, and a file made
for someone else, send nothing (each beside the control that does)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, time
from typing import Any

import openpyxl
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot, Chat

from channels.telegram.documents import send_spreadsheet
from channels.telegram.fake_api import FakeBotApi, serving
from copilot.service import TurnResult
from domain.db import unit_of_work
from domain.payments import service as payments
from domain.sessions import service as class_sessions
from domain.sessions.schemas import SessionIn
from tests.domain.studio import build_studio
from tools import runner
from tools.base import ToolContext

TOKEN = "777:FAKE-API-TOKEN"
CHAT = 7101


async def test_the_file_goes_as_a_document_to_its_owner_only(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    now = datetime.now(UTC)
    async with unit_of_work(sessions) as session:
        school = await build_studio(session)
    today = school.admin.today()
    async with unit_of_work(sessions, school.admin) as session:
        group = SessionIn(group_id=school.salsa.id, date=today, start_time=time(18))
        await class_sessions.create_session(session, school.admin, data=group)
        await payments.generate_tuition(session, school.admin, month=today, today=today)
        ctx = ToolContext(session=session, tenant=school.admin, today=today, now=now)
        asked: dict[str, Any] = {"tool": "unpaid_students"}
        call = {"name": "spreadsheet", "args": asked}
        made = await runner.call(ctx, "spreadsheet", asked)
    assert made.output.data["file"] is not None, made.output.text
    result = TurnResult(made.output.text, [call], None, made.output.data)
    nothing = TurnResult("Nobody owes anything.", [{"name": "unpaid_students", "args": {}}], None, {})

    api = FakeBotApi(TOKEN)
    async with serving(api) as url:
        bot = Bot(TOKEN, base_url=f"{url}/bot")
        async with bot:
            chat = Chat(CHAT, Chat.PRIVATE)
            chat.set_bot(bot)
            assert not await send_spreadsheet(sessions, school.admin, chat, nothing)
            assert not await send_spreadsheet(sessions, school.staff, chat, result)  # made for the admin
            assert "sendDocument" not in [c.method for c in api.calls]
            assert await send_spreadsheet(sessions, school.admin, chat, result)  # the control
    uploads = [c for c in api.calls if c.method == "sendDocument"]
    assert len(uploads) == 1 and int(uploads[0].params["chat_id"]) == CHAT
    document = uploads[0].params["document"]
    sheet = openpyxl.load_workbook(io.BytesIO(document)).active
    assert sheet is not None
    assert "José Martínez" in {cell for row in sheet.iter_rows(values_only=True) for cell in row}
