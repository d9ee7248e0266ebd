"""Outgoing webhooks: admins register endpoints; the secret to check signatures is shown once."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from fastapi import APIRouter, Response, status

from channels.http.deps import DB, AppSettings, Now, Tenant
from channels.http.exports import EXPORTABLE, Exporter
from channels.notify.webhooks import endpoint_secret, server_key
from domain.webhooks import service as webhooks
from domain.webhooks.schemas import WebhookIn, WebhookOut

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


class WebhookCreatedOut(WebhookOut):
    secret: str


@router.post("", status_code=status.HTTP_201_CREATED, response_model=WebhookCreatedOut)
async def create_webhook(body: WebhookIn, tenant: Tenant, db: DB, settings: AppSettings) -> WebhookCreatedOut:
    """Events are POSTed as JSON, signed ``Cadence-Signature: t=…,v1=HMAC-SHA256(secret, "t.body")``."""
    endpoint = await webhooks.create_endpoint(
        db, tenant, data=body, private_addresses=settings.webhook_private_addresses
    )
    return WebhookCreatedOut(
        **WebhookOut.model_validate(endpoint).model_dump(),
        secret=endpoint_secret(server_key(settings), endpoint.id),
    )


@router.get("", response_model=list[WebhookOut], responses=EXPORTABLE)
async def list_webhooks(tenant: Tenant, db: DB, export: Exporter) -> Sequence[WebhookOut] | Response:
    out = [WebhookOut.model_validate(e) for e in await webhooks.list_endpoints(db, tenant)]
    return await export.items(out, WebhookOut, "webhooks")


@router.delete("/{endpoint_id}", response_model=WebhookOut)
async def disable_webhook(endpoint_id: uuid.UUID, tenant: Tenant, db: DB, now: Now) -> WebhookOut:
    """Stop sending to it (the endpoint and what it was sent stay on record)."""
    return WebhookOut.model_validate(await webhooks.disable_endpoint(db, tenant, endpoint_id, now=now))
