from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, TenantOwned, pg_enum


class ActionStatus(enum.StrEnum):
    PENDING = "pending"
    APPLIED = "applied"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class PendingAction(TenantOwned, Base):
    """A write the copilot proposed: shown as a preview, applied at most once after confirmation.

    Bound to the user and organization that asked for it and to the hash of exactly what will run.
    """

    __tablename__ = "pending_actions"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (
            Index("ix_pending_actions_org_user_status", "organization_id", "user_id", "status"),
            CheckConstraint("user_id IS NOT NULL OR api_key_id IS NOT NULL", name="proposed_by_someone"),
        )

    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))  # the person who asked
    api_key_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("api_keys.id"))  # or the agent
    tool: Mapped[str]
    args: Mapped[dict[str, Any]] = mapped_column(JSONB)
    action_hash: Mapped[str] = mapped_column(String(64))
    preview: Mapped[str]
    status: Mapped[ActionStatus] = mapped_column(pg_enum(ActionStatus, "action_status"))
    expires_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    channel: Mapped[str | None]
    thread_key: Mapped[str | None]  # the conversation waiting on it, resumed when it is confirmed
