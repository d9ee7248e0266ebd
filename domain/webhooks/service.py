"""Webhook endpoints: created, listed and disabled by admins; matched to events by the outbox."""

from __future__ import annotations

import uuid
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.archive import end_once
from domain.audit import service as audit
from domain.errors import Invalid, NotFound
from domain.orgs.permissions import require_admin
from domain.tenancy import TenantContext
from domain.webhooks.addresses import local_host
from domain.webhooks.models import WebhookEndpoint
from domain.webhooks.schemas import WebhookIn


def _check_url(url: str, *, private_addresses: bool) -> str:
    """HTTPS only, with a host and no credentials in the URL (they would be logged and shown). A broken
    bracketed host or a port past 65535 makes ``urlsplit``/``port`` raise; a space is in no host. A host
    inside the network is refused unless ``private_addresses`` (``domain.webhooks.addresses``)."""
    refused = Invalid(
        "A webhook URL must be https://host/… without a user or password.", details={"field": "url"}
    )
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - read for its check of the port
    except ValueError as exc:
        raise refused from exc
    if parts.scheme != "https" or not parts.hostname or parts.username or parts.password:
        raise refused
    if any(char.isspace() for char in parts.netloc):
        raise refused
    if not private_addresses and local_host(parts.hostname):
        raise Invalid(
            "A webhook must go to an address on the internet, not inside the server's network.",
            details={"field": "url"},
        )
    return url.strip()


async def create_endpoint(
    session: AsyncSession, tenant: TenantContext, *, data: WebhookIn, private_addresses: bool = False
) -> WebhookEndpoint:
    require_admin(tenant)
    endpoint = WebhookEndpoint(
        organization_id=tenant.org_id,
        url=_check_url(data.url, private_addresses=private_addresses),
        description=data.description,
        event_types=sorted(set(data.event_types)),
        created_by_user_id=tenant.user_id,
    )
    session.add(endpoint)
    await session.flush()
    await audit.record(
        session,
        tenant,
        action="webhook.created",
        entity_type="webhook_endpoint",
        entity_id=endpoint.id,
        after={"url": endpoint.url, "event_types": endpoint.event_types},
    )
    return endpoint


async def list_endpoints(session: AsyncSession, tenant: TenantContext) -> list[WebhookEndpoint]:
    require_admin(tenant)
    return list((await session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.created_at))).all())


async def disable_endpoint(
    session: AsyncSession, tenant: TenantContext, endpoint_id: uuid.UUID, *, now: datetime
) -> WebhookEndpoint:
    require_admin(tenant)
    endpoint = await session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFound("No such webhook.")
    await end_once(
        session,
        tenant,
        endpoint,
        "disabled_at",
        now=now,
        action="webhook.disabled",
        entity_type="webhook_endpoint",
    )
    return endpoint


async def active_endpoints(session: AsyncSession) -> list[WebhookEndpoint]:
    """The current organization's endpoints that still receive events (for the outbox)."""
    return list(
        (await session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.disabled_at.is_(None)))).all()
    )


def wants(endpoint: WebhookEndpoint, event_type: str) -> bool:
    return not endpoint.event_types or event_type in endpoint.event_types
