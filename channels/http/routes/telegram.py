"""Telegram: the webhook Telegram calls, and the link code a logged-in person sends the bot."""

from __future__ import annotations

import asyncio
import hmac
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, Field
from telegram import Update
from telegram.ext import Application

from channels.http.deps import DB, AppSettings, Now, Person
from channels.http.qr import qr_svg
from channels.telegram.bot import BotDeps, build_application, register_commands
from channels.telegram.webhook import Outcome, handle
from domain.telegram import service as telegram

webhook_router = APIRouter(tags=["telegram"])
router = APIRouter(prefix="/telegram", tags=["telegram"])


async def bot_of(request: Request, token: str) -> Application[Any, Any, Any, Any, Any, Any]:
    """The app's bot, built, initialised and its command menu published on first use (these calls
    need the network); once per app, also when the first updates arrive together."""
    state = request.app.state
    if getattr(state, "telegram_lock", None) is None:
        state.telegram_lock = asyncio.Lock()  # no await since the check: no other task got here first
    async with state.telegram_lock:
        if getattr(state, "telegram", None) is None:
            deps = BotDeps(sessions=state.sessions, copilot=state.copilot)
            application = build_application(token, deps, api_url=state.settings.telegram_api_url)
            await application.initialize()
            await register_commands(application)
            state.telegram = application
    bot: Application[Any, Any, Any, Any, Any, Any] = state.telegram
    return bot


@webhook_router.post("/telegram/webhook", include_in_schema=False)
async def webhook(request: Request, settings: AppSettings) -> dict[str, bool]:
    if not settings.telegram_token:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Telegram is not configured.")
    expected = (settings.telegram_webhook_secret or "").encode()
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "").encode()
    # Constant time; refused as well when no secret is configured (an open webhook is anyone's bot).
    if not expected or not hmac.compare_digest(given, expected):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Wrong or missing secret token.")
    try:
        data = await request.json()
        int(data["update_id"])  # every update has one; anything else is not from Telegram
    except (ValueError, KeyError, TypeError) as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "Not a Telegram update.") from exc
    application = await bot_of(request, settings.telegram_token)
    outcome = await handle(application, request.app.state.sessions, Update.de_json(data, application.bot))
    if outcome is Outcome.FAILED_SILENTLY:  # rolled back and nobody was told: Telegram delivers it again
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, "The update failed; please deliver it again."
        )
    return {"ok": True, "processed": outcome is Outcome.HANDLED}


class LinkCodeOut(BaseModel):
    code: str
    command: str
    link: str | None
    qr_svg: str | None = Field(
        default=None, description="The link as a QR code (inline SVG, drawn here: no image service) to scan."
    )


@router.post("/link-code", response_model=LinkCodeOut, status_code=status.HTTP_201_CREATED)
async def link_code(person: Person, db: DB, now: Now, settings: AppSettings) -> LinkCodeOut:
    """A one-time code (30 minutes) to connect your Telegram account: send the bot ``/start CODE``."""
    code = await telegram.new_link_code(db, user_id=person.user.id, now=now)
    bot = settings.telegram_bot_username
    link = f"https://t.me/{bot}?start={code}" if bot else None
    return LinkCodeOut(code=code, command=f"/start {code}", link=link, qr_svg=qr_svg(link) if link else None)
