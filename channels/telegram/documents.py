"""A spreadsheet under a copilot answer: when the answer made one ("send me that as a spreadsheet", the
``spreadsheet`` tool), the bot sends the file itself as a document just after the text.

The file is read back as its owner (``domain/exports/kept.py``: the same person, in the same organization),
so the bot can only ever send someone a file made for them. Like the chart, it is an extra: if it cannot be
read or sent, the answer has already gone as text and still says what the file holds.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Chat, InputFile
from telegram.error import TelegramError

from copilot.service import TurnResult
from domain.db import unit_of_work
from domain.errors import DomainError
from domain.exports import kept
from domain.tenancy import TenantContext

logger = logging.getLogger(__name__)


def made_file(result: TurnResult) -> uuid.UUID | None:
    """The id of the file the answer made, if its last call was the spreadsheet tool's and it made one."""
    call = result.tool_calls[-1] if result.tool_calls else None
    data = result.data if isinstance(result.data, dict) else {}
    file = data.get("file")
    if call is None or call.get("name") != "spreadsheet" or not isinstance(file, dict):
        return None
    try:
        return uuid.UUID(str(file.get("id")))
    except ValueError:
        return None


async def send_spreadsheet(
    sessions: async_sessionmaker[AsyncSession], tenant: TenantContext, chat: Chat, result: TurnResult
) -> bool:
    """Send the answer's spreadsheet as a document (Bot API sendDocument); whether one was sent."""
    file_id = made_file(result)
    if file_id is None:
        return False
    try:
        async with unit_of_work(sessions, tenant) as session:
            file, content = await kept.fetch(session, tenant, file_id, now=datetime.now(UTC))
        await chat.send_document(InputFile(content, filename=file.filename), filename=file.filename)
    except (DomainError, TelegramError):
        logger.warning("Could not send spreadsheet %s to chat %s", file_id, chat.id, exc_info=True)
        return False
    return True
