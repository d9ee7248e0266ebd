"""The channels a queued notification leaves through. Each sender takes one ledger row and either
sends it or raises; the ledger (domain.notifications) decides what to send, when, and only once."""

from __future__ import annotations

import asyncio
import mailbox
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol

from channels.notify.webhooks import WebhookSender, server_key
from domain.notifications.models import Channel, Notification
from domain.settings import Settings


class Sender(Protocol):
    async def send(self, notification: Notification) -> None: ...


def email_message(notification: Notification, *, sender: str) -> EmailMessage:
    """A plain-text email whose Message-ID is derived from the ledger row, so a relay that sees the
    same message twice can tell."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = notification.address or ""
    message["Subject"] = notification.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(idstring=str(notification.id), domain="cadence.invalid")
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    message.set_content(notification.body)
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
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password, self.starttls, self.timeout = username, password, starttls, timeout

    def _send(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username and self.password:
                smtp.login(self.username, self.password)
            smtp.send_message(message)

    async def send(self, notification: Notification) -> None:
        await asyncio.to_thread(self._send, email_message(notification, sender=self.sender))


class MaildirSender:
    """For a machine with no mail server (``make run``): every email lands in a Maildir that any
    mail client or ``python -m mailbox`` can read."""

    def __init__(self, directory: Path, *, sender: str) -> None:
        self.directory, self.sender = directory, sender

    def _store(self, message: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        mailbox.Maildir(self.directory, create=True).add(message)

    async def send(self, notification: Notification) -> None:
        await asyncio.to_thread(self._store, email_message(notification, sender=self.sender))


class TelegramSender:
    """Through the Bot API (python-telegram-bot); plain text, no link previews."""

    def __init__(self, token: str) -> None:
        self.token = token

    async def send(self, notification: Notification) -> None:
        from telegram import Bot, LinkPreviewOptions

        text = f"{notification.subject}\n\n{notification.body}"[:4096]  # Telegram's message limit
        async with Bot(self.token) as bot:
            await bot.send_message(
                chat_id=int(notification.address or 0),
                text=text,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )


def senders_from(settings: Settings) -> dict[Channel, Sender]:
    email: Sender = (
        SmtpSender(
            settings.smtp_host,
            settings.smtp_port,
            sender=settings.mail_from,
            username=settings.smtp_username,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
        )
        if settings.smtp_host
        else MaildirSender(settings.data_dir / "mail", sender=settings.mail_from)
    )
    senders: dict[Channel, Sender] = {
        Channel.EMAIL: email,
        Channel.WEBHOOK: WebhookSender(server_key(settings)),
    }
    if settings.telegram_token:
        senders[Channel.TELEGRAM] = TelegramSender(settings.telegram_token)
    return senders
