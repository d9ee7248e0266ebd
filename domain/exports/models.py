from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, TenantOwned


class ExportedFile(TenantOwned, Base):
    """A spreadsheet the copilot made for one person (or one API key), kept for a day so the web chat can
    offer it as a download and an agent can fetch it by its link. Only its owner in its organization may
    read it back (RLS for the organization, the service for the owner); expired files are deleted."""

    __tablename__ = "exported_files"

    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    api_key_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"))
    filename: Mapped[str]
    media_type: Mapped[str]
    content: Mapped[bytes] = mapped_column(LargeBinary)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
