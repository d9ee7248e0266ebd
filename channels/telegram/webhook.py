"""Feeding updates to the bot, once each: the webhook route and `cadence telegram poll` share this."""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Update
from telegram.ext import Application

from channels.telegram.handling import UpdateHandling, handling_scope
from domain.db import unit_of_work
from domain.telegram import service as telegram


class Outcome(enum.Enum):
    HANDLED = "handled"
    DUPLICATE = "duplicate"  # handled before (or being handled right now): nothing done
    FAILED = "failed"  # rolled back, the person was told; a redelivery is handled afresh
    FAILED_SILENTLY = "failed silently"  # rolled back and the person could not be told: ask for a retry


class _RolledBack(Exception):
    """Raised inside the update's transaction so that it rolls back, claim included."""


async def handle(
    application: Application[Any, Any, Any, Any, Any, Any],
    sessions: async_sessionmaker[AsyncSession],
    update: Update,
) -> Outcome:
    """Handle the update once. Its id is claimed in the transaction the handlers run in (their units
    of work are savepoints of it): a second delivery arriving meanwhile waits on the claim and then
    finds it taken; a failure rolls back the handlers' writes and the claim, so Telegram's redelivery
    is handled afresh; only a handling that finished is recorded as done."""
    handling: UpdateHandling | None = None
    try:
        async with unit_of_work(sessions) as session:
            if not await telegram.claim_update(session, update.update_id):
                return Outcome.DUPLICATE
            within = async_sessionmaker(
                bind=await session.connection(),
                join_transaction_mode="create_savepoint",
                expire_on_commit=False,
            )
            with handling_scope(UpdateHandling(sessions=within)) as handling:
                await application.process_update(update)
            if handling.failed:
                raise _RolledBack
    except _RolledBack:
        assert handling is not None
        return Outcome.FAILED if handling.apologised else Outcome.FAILED_SILENTLY
    return Outcome.HANDLED
