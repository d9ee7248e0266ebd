from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, TenantOwned


class ImportBatch(TenantOwned, Base):
    """One applied spreadsheet import. The unique key (the file's bytes and the column mapping, hashed)
    makes applying the same file twice — even twice at once — a no-op that reports the first result."""

    __tablename__ = "import_batches"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (UniqueConstraint("organization_id", "kind", "content_sha256"),)

    kind: Mapped[str]  # students (the only one so far)
    content_sha256: Mapped[str]
    filename: Mapped[str]
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    summary: Mapped[dict[str, Any]] = mapped_column(JSONB)
