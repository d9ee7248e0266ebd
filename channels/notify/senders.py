"""The channels a queued notification leaves through. Each sender takes one ledger row and either
sends it or raises; the ledger (domain.notifications) decides what to send, when, and only once.

An email whose summary left a chart (the weekly digest: ``copilot/summaries.py``) carries it inline:
the plain text unchanged first, then an HTML alternative with the same text and the PNG as a ``cid:``
image (multipart/related), so a client without images still reads everything."""

from __future__ import annotations

import asyncio
import html
import logging
import mailbox
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol

from channels.notify.webhooks import WebhookSender, server_key
from domain.notifications.models import Channel, Notification
from domain.reports.charts import stored_chart
from domain.settings import Settings

logger = logging.getLogger(__name__)


class Sender(Protocol):
    async def send(self, notification: Notification) -> None: ...


def chart_for(notification: Notification, charts: Path | None) -> bytes | None:
    """The chart its summary left for this notification, if any (read from disk: no database here)."""
    if charts is None:
        return None
    path = stored_chart(charts, notification.organization_id, notification.kind, notification.period)
    return path.read_bytes() if path.is_file() else None


def _with_chart(message: EmailMessage, text: str, png: bytes) -> None:
    image = make_msgid(domain="cadence.invalid")
    shown = (
        '<html><body><pre style="font-family: sans-serif; white-space: pre-wrap">'
        f"{html.escape(text)}</pre>"
        f'<p><img src="cid:{image[1:-1]}" alt="Chart / Gráfico" width="560"></p></body></html>'
    )
    message.add_alternative(shown, subtype="html")
    rich = message.get_body(preferencelist=("html",))
    assert rich is not None  # just added
    rich.add_related(png, "image", "png", cid=image, filename="chart.png", disposition="inline")


def email_message(notification: Notification, *, sender: str, chart: bytes | None = None) -> EmailMessage:
    """A plain-text email (with ``chart`` inline after it, when given) whose Message-ID is derived from
    the ledger row, so a relay that sees the same message twice can tell."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = notification.address or ""
    message["Subject"] = notification.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(idstring=str(notification.id), domain="cadence.invalid")
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    message.set_content(notification.body)
    if chart is not None:
        _with_chart(message, notification.body, chart)
    return message


class SmtpSender:
    def __init__(
        self,
        host: str,
        port: int,
        *,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 20.0,
        charts: Path | None = None,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password, self.starttls, self.timeout = username, password, starttls, timeout
        self.charts = charts

    def _send(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username and self.password:
                smtp.login(self.username, self.password)
            smtp.send_message(message)

    async def send(self, notification: Notification) -> None:
        chart = chart_for(notification, self.charts)
        await asyncio.to_thread(self._send, email_message(notification, sender=self.sender, chart=chart))


class MaildirSender:
    """For a machine with no mail server (``make run``): every email lands in a Maildir that any
    mail client or ``python -m mailbox`` can read."""

    def __init__(self, directory: Path, *, sender: str, charts: Path | None = None) -> None:
        self.directory, self.sender, self.charts = directory, sender, charts

    def _store(self, message: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        mailbox.Maildir(self.directory, create=True).add(message)

    async def send(self, notification: Notification) -> None:
        chart = chart_for(notification, self.charts)
        await asyncio.to_thread(self._store, email_message(notification, sender=self.sender, chart=chart))


class TelegramSender:
    """Through the Bot API (python-telegram-bot); plain text, no link previews, then the summary's chart
    as a photo when it left one."""

    def __init__(self, token: str, *, charts: Path | None = None) -> None:
        self.token, self.charts = token, charts

    async def send(self, notification: Notification) -> None:
        from telegram import Bot, LinkPreviewOptions
        from telegram.error import TelegramError

        text = f"{notification.subject}\n\n{notification.body}"[:4096]  # Telegram's message limit
        async with Bot(self.token) as bot:
            await bot.send_message(
                chat_id=int(notification.address or 0),
                text=text,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
            chart = chart_for(notification, self.charts)
            if chart is not None:
                try:
                    await bot.send_photo(chat_id=int(notification.address or 0), photo=chart)
                except TelegramError:  # the text is out: a missing picture is not worth sending it twice
                    logger.warning(
                        "Could not send the chart of notification %s", notification.id, exc_info=True
                    )


def senders_from(settings: Settings) -> dict[Channel, Sender]:
    charts = settings.data_dir / "charts"  # where summaries leave their charts (copilot/summaries.py)
    email: Sender = (
        SmtpSender(
            settings.smtp_host,
            settings.smtp_port,
            sender=settings.mail_from,
            username=settings.smtp_username,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
            charts=charts,
        )
        if settings.smtp_host
        else MaildirSender(settings.data_dir / "mail", sender=settings.mail_from, charts=charts)
    )
    senders: dict[Channel, Sender] = {
        Channel.EMAIL: email,
        Channel.WEBHOOK: WebhookSender(
            server_key(settings), private_addresses=settings.webhook_private_addresses
        ),
    }
    if settings.telegram_token:
        senders[Channel.TELEGRAM] = TelegramSender(settings.telegram_token, charts=charts)
    return senders
