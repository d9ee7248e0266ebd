"""Webhook signing: each endpoint's secret is derived from the server key and the endpoint id, so the
database holds no secret; receivers check ``Cadence-Signature: t=<unix time>,v1=<hex HMAC-SHA256>``
over ``"<t>.<body>"`` with the secret they were shown once, and dedupe on ``Cadence-Event-Id``."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
import uuid
from pathlib import Path

import httpx

from domain.notifications.models import Notification
from domain.settings import Settings


def server_key(settings: Settings) -> bytes:
    """CADENCE_SECRET_KEY, or a key generated once under the data directory (readable by us only)."""
    if settings.secret_key:
        return settings.secret_key.encode()
    path = Path(settings.data_dir) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    for _ in range(50):  # another process may be writing it this instant
        key = path.read_text().strip()
        if key:
            return key.encode()
        time.sleep(0.01)
    raise RuntimeError(f"{path} is empty")


def endpoint_secret(key: bytes, endpoint_id: uuid.UUID) -> str:
    return "whsec_" + hmac.new(key, f"webhook:{endpoint_id}".encode(), hashlib.sha256).hexdigest()


def signature(secret: str, timestamp: int, body: str) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


class WebhookSender:
    """POSTs the event JSON; any answer but 2xx is an error (retried by the ledger). No redirects."""

    def __init__(self, key: bytes, *, timeout: float = 10.0) -> None:
        self.key, self.timeout = key, timeout

    async def send(self, notification: Notification) -> None:
        endpoint_id = uuid.UUID(notification.recipient.removeprefix("webhook:"))
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Cadence-Webhooks/1",
            "Cadence-Event-Id": notification.period.removeprefix("event:"),
            "Cadence-Event-Type": notification.subject,
            "Cadence-Signature": signature(
                endpoint_secret(self.key, endpoint_id), timestamp, notification.body
            ),
        }
        async with httpx.AsyncClient(timeout=self.timeout, follow_redirects=False) as client:
            response = await client.post(
                notification.address or "", content=notification.body, headers=headers
            )
        if not response.is_success:
            raise RuntimeError(f"the endpoint answered HTTP {response.status_code}")
