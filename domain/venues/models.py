from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, TenantOwned


class Venue(TenantOwned, Base):
    """A studio or hall; a class session always knows where it happened."""

    __tablename__ = "venues"

    name: Mapped[str]
    search_name: Mapped[str] = mapped_column(server_default="")
    address: Mapped[str | None]
    archived_at: Mapped[datetime | None]
