"""Notifications through the bot, the morning agenda with a button per class that opens its roll.

The agenda is queued as text by ``copilot.proactive`` (the ledger sends it once); its buttons are made
here, when it is sent: the teacher's classes of the agenda's day, each button the same signed ``/roll``
open as ``/today``'s (``roll.class_buttons``: bound to that person's Telegram account, within 64 bytes),
so a tap opens that class's roster and anybody else's tap does nothing. A class added after the agenda
was queued still gets its button; one cancelled meanwhile has none.

``BotSender`` replaces the plain Telegram sender in the delivery job (``with_roll_buttons``) and
speaks to the Bot API server the bot uses (``CADENCE_TELEGRAM_API_URL``: a self-hosted one, or the
fake server of the tests and the demo).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.error import TelegramError

from channels.notify.senders import Sender, TelegramSender, chart_for
from channels.telegram import roll
from copilot.summaries import language_of_person
from domain.db import unit_of_work
from domain.notifications.models import Channel, Kind, Notification, TelegramAccount
from domain.settings import get_settings
from domain.telegram.roll import classes_on
from domain.tenancy import Role, TenantContext

MESSAGE_LIMIT = 4096
logger = logging.getLogger(__name__)


async def roll_buttons(
    sessions: async_sessionmaker[AsyncSession], notification: Notification, signer: roll.Signer
) -> InlineKeyboardMarkup | None:
    """A button per class of the agenda's day, for the teacher it is addressed to; None for any other
    notification, or a teacher with no class that day or no Telegram account any more."""
    if notification.kind != Kind.TEACHER_AGENDA.value or not notification.recipient.startswith("user:"):
        return None
    user_id = uuid.UUID(notification.recipient.removeprefix("user:"))
    tenant = TenantContext(org_id=notification.organization_id, role=Role.TEACHER, user_id=user_id)
    async with unit_of_work(sessions, tenant) as session:
        account = await session.get(TelegramAccount, user_id)
        if account is None:
            return None
        found = await classes_on(session, tenant, date.fromisoformat(notification.period))
        language = await language_of_person(session, tenant)
    if not found:
        return None
    return roll.class_buttons(signer, account.telegram_user_id, language, found)


def as_chat(subject: str, body: str) -> str:
    """A summary's text for a chat, where Markdown headings show as written: the title the body repeats
    ("# Your day, …") goes, and each "## Heading" reads "Heading:"."""
    lines = body.splitlines()
    if lines and lines[0] == f"# {subject}":
        lines = lines[1:]
    said = [f"{line[3:]}:" if line.startswith("## ") else line for line in lines]
    return f"{subject}\n\n" + "\n".join(said).strip("\n")


class BotSender:
    """Sends a notification as the bot: its text (and an agenda's roll buttons), then the summary's
    chart as a photo when it left one."""

    def __init__(
        self,
        token: str,
        sessions: async_sessionmaker[AsyncSession],
        *,
        api_url: str | None = None,
        charts: Path | None = None,
    ) -> None:
        self.token, self.sessions, self.api_url, self.charts = token, sessions, api_url, charts

    def _bot(self) -> Bot:
        if not self.api_url:
            return Bot(self.token)
        root = self.api_url.rstrip("/")
        return Bot(self.token, base_url=f"{root}/bot", base_file_url=f"{root}/file/bot")

    async def send(self, notification: Notification) -> None:
        markup = await roll_buttons(self.sessions, notification, roll.Signer(self.token))
        chat_id = int(notification.address or 0)
        text = as_chat(notification.subject, notification.body)[:MESSAGE_LIMIT]
        async with self._bot() as bot:
            await bot.send_message(
                chat_id=chat_id,
                text=text,
                reply_markup=markup,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
            chart = chart_for(notification, self.charts)
            if chart is not None:
                try:
                    await bot.send_photo(chat_id=chat_id, photo=chart)
                except TelegramError:  # the text is out: a missing picture is not worth sending it twice
                    logger.warning(
                        "Could not send the chart of notification %s", notification.id, exc_info=True
                    )


def with_roll_buttons(
    senders: Mapping[Channel, Sender], sessions: async_sessionmaker[AsyncSession]
) -> Mapping[Channel, Sender]:
    """The delivery job's senders, the plain Telegram one replaced by ``BotSender`` (same token and
    charts), so agendas carry their roll buttons; any other sender is kept as given."""
    plain = senders.get(Channel.TELEGRAM)
    if not isinstance(plain, TelegramSender):
        return senders
    bot = BotSender(plain.token, sessions, api_url=get_settings().telegram_api_url, charts=plain.charts)
    return {**senders, Channel.TELEGRAM: bot}
