"""Notification settings, opt-outs and the log of what was sent (thin over domain.notifications)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from channels.http.deps import DB, Now, Tenant
from channels.http.exports import EXPORTABLE, Exporter
from domain.notifications import service as notifications
from domain.notifications.models import Kind
from domain.notifications.schemas import RECIPIENT, NotificationOut, OptOutIn, Preferences, PreferencesPatch
from domain.orgs.permissions import require_admin

router = APIRouter(prefix="/notifications", tags=["notifications"])


@router.get("/settings", response_model=Preferences)
async def get_settings(tenant: Tenant, db: DB) -> Preferences:
    """Which kinds go out, quiet hours and the summaries' local hours (the defaults until changed).
    Admins only, like changing them: they are the settings page's, and staff and teachers have none."""
    require_admin(tenant)
    return await notifications.preferences(db, tenant)


@router.get("/kinds", response_model=list[Kind])
async def kinds(tenant: Tenant) -> list[Kind]:
    """Every kind of message the school can send, each one that ``disabled_kinds`` may name (admins: the
    settings page lists them, so a kind added to the code appears there without touching the page)."""
    require_admin(tenant)
    return list(Kind)


@router.patch("/settings", response_model=Preferences)
async def change_settings(body: PreferencesPatch, tenant: Tenant, db: DB) -> Preferences:
    """Admins only; the change is kept as a new row and audited."""
    return await notifications.update_preferences(db, tenant, patch=body)


@router.post("/opt-outs", status_code=status.HTTP_204_NO_CONTENT)
async def opt_out(body: OptOutIn, tenant: Tenant, db: DB) -> None:
    """Stop messages to a recipient (the office for anyone, a person for themselves)."""
    await notifications.opt_out(db, tenant, recipient=body.recipient, kind=body.kind)


@router.delete("/opt-outs", status_code=status.HTTP_204_NO_CONTENT)
async def opt_in(
    tenant: Tenant,
    db: DB,
    now: Now,
    recipient: Annotated[str, Query(pattern=RECIPIENT)],
    kind: Kind | None = None,
) -> None:
    """Withdraw an opt-out (``?recipient=…&kind=…``); the record of it stays."""
    await notifications.opt_in(db, tenant, recipient=recipient, kind=kind, now=now)


@router.get("", response_model=list[NotificationOut], responses=EXPORTABLE)
async def sent_log(
    tenant: Tenant, db: DB, export: Exporter, kind: Kind | None = None, limit: int = 200
) -> Sequence[NotificationOut] | Response:
    """The latest notifications with their status (office only)."""
    rows = await notifications.ledger(db, tenant, kind=kind, limit=min(max(limit, 1), 1000))
    out = [NotificationOut.model_validate(r) for r in rows]
    return await export.items(out, NotificationOut, "notifications")
