"""What one update's handling shares with the handlers: its transaction, and whether it failed.

``webhook.handle`` claims the update inside one transaction and runs the handlers inside it (their
units of work become savepoints of it), so a failed handling rolls everything back, the claim
included, and a redelivery of the update is handled afresh. The handlers find that transaction
here, in a context variable: PTB runs blocking handlers and error handlers in the caller's task.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


@dataclass
class UpdateHandling:
    """One update being handled: sessions inside its transaction; set by the error handler. ``language``:
    the person's, once read from the database (``bot._person``), for every reply to this update."""

    sessions: async_sessionmaker[AsyncSession]
    failed: bool = False
    apologised: bool = False
    language: str | None = None


_current: ContextVar[UpdateHandling | None] = ContextVar("telegram_update_handling", default=None)


def current() -> UpdateHandling | None:
    return _current.get()


@contextmanager
def handling_scope(handling: UpdateHandling) -> Iterator[UpdateHandling]:
    token = _current.set(handling)
    try:
        yield handling
    finally:
        _current.reset(token)
