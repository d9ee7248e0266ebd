from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ARRAY, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, HasCreatedAt, HasId, TenantOwned


class User(HasId, HasCreatedAt, Base):
    """A person who can log in. Global (not tenant-owned): one account, many organizations."""

    __tablename__ = "users"

    email: Mapped[str] = mapped_column(unique=True)  # stored normalized to lowercase
    name: Mapped[str | None]
    password_hash: Mapped[str]
    disabled_at: Mapped[datetime | None]
    # 'en' or 'es'; None: the organization's locale decides (pages, emails, Telegram).
    language: Mapped[str | None] = mapped_column(String(2))


class UserSession(HasId, HasCreatedAt, Base):
    """A server-side login session. Only the SHA-256 of the cookie token is stored."""

    __tablename__ = "user_sessions"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(unique=True)
    csrf_token: Mapped[str]
    active_organization_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organizations.id"))
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None]
    ip: Mapped[str | None]
    user_agent: Mapped[str | None]


class LoginAttempt(HasId, HasCreatedAt, Base):
    """Every login attempt; failures in a sliding window drive rate limiting per account and IP."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_created_at", "email", "created_at"),
        Index("ix_login_attempts_ip_created_at", "ip", "created_at"),
    )

    email: Mapped[str]
    ip: Mapped[str | None]
    succeeded: Mapped[bool]


class ApiKey(TenantOwned, Base):
    """An organization's key for other agents and scripts. Shown once; only its hash is stored."""

    __tablename__ = "api_keys"

    name: Mapped[str]
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(unique=True)
    scopes: Mapped[list[str]] = mapped_column(ARRAY(String), server_default=text("'{}'"))
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
