"""Global tables (a person, not an organization): link codes and the updates already processed."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, HasCreatedAt, HasId


class TelegramLinkCode(HasId, HasCreatedAt, Base):
    """A one-time code a logged-in user sends the bot (``/start CODE``); only its hash is stored."""

    __tablename__ = "telegram_link_codes"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class TelegramUpdate(HasCreatedAt, Base):
    """Each update handled: inserted in the transaction that handles it, so it exists once that
    handling committed (a redelivery then does nothing) and not after one that failed."""

    __tablename__ = "telegram_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
