from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, TenantOwned


class DomainEvent(TenantOwned, Base):
    """The outbox: written in the same transaction as the change, dispatched after commit."""

    __tablename__ = "domain_events"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (
            Index(
                "ix_domain_events_undispatched",
                "organization_id",
                "created_at",
                postgresql_where=text("dispatched_at IS NULL"),
            ),
        )

    type: Mapped[str]
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    dispatched_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(server_default=text("0"))
