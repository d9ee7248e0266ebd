from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, Index
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, TenantOwned


class AuditEntry(TenantOwned, Base):
    """Append-only: the app role may only SELECT and INSERT, and a trigger refuses changes."""

    __tablename__ = "audit_log"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (Index("ix_audit_log_org_entity", "organization_id", "entity_type", "entity_id"),)

    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    actor_api_key_id: Mapped[uuid.UUID | None]
    action: Mapped[str]
    entity_type: Mapped[str]
    entity_id: Mapped[uuid.UUID | None]
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    reason: Mapped[str | None]
