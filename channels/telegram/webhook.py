"""Feeding updates to the bot, once each: the webhook route and `cadence telegram poll` share this."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Update
from telegram.ext import Application

from domain.db import unit_of_work
from domain.telegram import service as telegram


async def handle(
    application: Application[Any, Any, Any, Any, Any, Any],
    sessions: async_sessionmaker[AsyncSession],
    update: Update,
) -> bool:
    """Process the update unless it was seen before; True if it was processed. The id is recorded
    first, in its own transaction: a redelivery (Telegram retries on any doubt) does nothing."""
    async with unit_of_work(sessions) as session:
        first = await telegram.first_delivery(session, update.update_id)
    if first:
        await application.process_update(update)
    return first
