"""Webhook signing: each endpoint's secret is derived from the server key and the endpoint id, so the
database holds no secret; receivers check ``Cadence-Signature: t=<unix time>,v1=<hex HMAC-SHA256>``
over ``"<t>.<body>"`` with the secret they were shown once, and dedupe on ``Cadence-Event-Id``."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import secrets
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from domain.notifications.models import Notification
from domain.settings import Settings
from domain.webhooks.addresses import inside_network, local_host


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


Resolver = Callable[[str, int], Awaitable[list[str]]]


async def resolve(host: str, port: int) -> list[str]:
    """The addresses a host name resolves to now (what the connection is about to use)."""
    found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(address[4][0]) for address in found]


class WebhookSender:
    """POSTs the event JSON; any answer but 2xx is an error (retried by the ledger). No redirects. Sends
    nowhere inside the server's network unless ``private_addresses`` (``domain.webhooks.addresses``)."""

    def __init__(
        self,
        key: bytes,
        *,
        timeout: float = 10.0,
        private_addresses: bool = False,
        resolver: Resolver = resolve,
    ) -> None:
        self.key, self.timeout = key, timeout
        self.private_addresses, self.resolver = private_addresses, resolver

    async def _refuse_inside_network(self, url: str) -> None:
        """The address is checked again when sent: its name may point inside the network by now."""
        if self.private_addresses:
            return
        parts = urlsplit(url)
        host = parts.hostname or ""
        if local_host(host) or inside_network(await self.resolver(host, parts.port or 443)):
            raise RuntimeError(f"refused: {host} is inside the server's network, not on the internet")

    async def send(self, notification: Notification) -> None:
        await self._refuse_inside_network(notification.address or "")
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
