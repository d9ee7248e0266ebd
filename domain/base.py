"""Declarative base and the column conventions every table follows."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    DateTime,
    Enum,
    ForeignKey,
    ForeignKeyConstraint,
    MetaData,
    Numeric,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    # Money is numeric(12,2) in SQL and Decimal in Python, never float.
    type_annotation_map = {  # noqa: RUF012
        Decimal: Numeric(12, 2),
        datetime: DateTime(timezone=True),
    }


def pg_enum(enum_cls: type[enum.Enum], name: str) -> Enum:
    """A native PostgreSQL enum storing the members' values (lowercase words)."""
    return Enum(enum_cls, name=name, values_callable=lambda members: [m.value for m in members])


class HasId:
    id: Mapped[uuid.UUID] = mapped_column(
        primary_key=True, default=uuid.uuid4, server_default=text("gen_random_uuid()"), sort_order=-3
    )


class HasCreatedAt:
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"), sort_order=90)


class TenantOwned(HasId, HasCreatedAt):
    """A row that belongs to one organization.

    RLS (see the migrations) filters on ``organization_id``; the unique ``(organization_id, id)``
    lets children reference this row with a composite foreign key, so a row can never point into
    another tenant, and doubles as the index leading with ``organization_id``.
    """

    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), sort_order=-2)

    @declared_attr.directive
    @classmethod
    def __table_args__(cls) -> tuple[Any, ...]:
        return (UniqueConstraint("organization_id", "id"), *cls.__tenant_table_args__())

    @classmethod
    def __tenant_table_args__(cls) -> tuple[Any, ...]:
        return ()


def tenant_fk(column: str, parent_table: str, *, ondelete: str | None = None) -> ForeignKeyConstraint:
    """A foreign key ``(organization_id, column)`` to ``parent_table(organization_id, id)``."""
    return ForeignKeyConstraint(
        ["organization_id", column],
        [f"{parent_table}.organization_id", f"{parent_table}.id"],
        ondelete=ondelete,
    )
