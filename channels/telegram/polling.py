"""Fetching updates instead of receiving a webhook (`cadence telegram poll`, `simulate`, the tests):
each update goes through ``webhook.handle``, once, like a webhook delivery."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.ext import Application

from channels.telegram.webhook import Outcome, handle


async def poll(
    application: Application[Any, Any, Any, Any, Any, Any],
    sessions: async_sessionmaker[AsyncSession],
    *,
    once: bool = False,
    until_idle: bool = False,
    long_poll_seconds: int = 30,
    failed: Callable[[int], None] | None = None,
) -> int:
    """Fetch and handle updates; returns how many were handled. ``once``: one fetch of what is
    waiting, without confirming it (a second run fetches it again and finds it done); ``until_idle``:
    fetch (and confirm) until nothing is waiting; otherwise long-poll until cancelled.

    A failure was rolled back and apologised for (or reported through ``failed`` when even that
    failed); moving on keeps one bad update from blocking every later one."""
    offset: int | None = None
    handled = 0
    while True:
        waiting = 0 if once or until_idle else long_poll_seconds
        updates = await application.bot.get_updates(offset=offset, timeout=waiting)
        for update in updates:
            if await handle(application, sessions, update) is Outcome.FAILED_SILENTLY and failed:
                failed(update.update_id)
            offset = update.update_id + 1
        handled += len(updates)
        if once or (until_idle and not updates):
            return handled
