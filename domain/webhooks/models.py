from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ARRAY, ForeignKey, String, text
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, TenantOwned


class WebhookEndpoint(TenantOwned, Base):
    """Where an organization wants its events POSTed. Its signing secret is derived from the server's
    key and the endpoint id, so no secret is stored; disabling keeps the row."""

    __tablename__ = "webhook_endpoints"

    url: Mapped[str]
    description: Mapped[str | None]
    event_types: Mapped[list[str]] = mapped_column(ARRAY(String), server_default=text("'{}'"))  # {} = all
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    disabled_at: Mapped[datetime | None]
