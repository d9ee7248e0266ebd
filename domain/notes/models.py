from __future__ import annotations

import uuid

from pgvector.sqlalchemy import Vector
from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, TenantOwned, tenant_fk
from domain.embeddings import DIMENSIONS


class StudentNote(TenantOwned, Base):
    """A dated free-text note about a student, embedded for semantic search. Notes are never edited."""

    __tablename__ = "student_notes"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (
            tenant_fk("student_id", "students"),
            Index("ix_student_notes_org_student", "organization_id", "student_id"),
        )

    student_id: Mapped[uuid.UUID]
    body: Mapped[str]
    author_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    embedding: Mapped[list[float]] = mapped_column(Vector(DIMENSIONS))
