"""Imported bank statements: each file once, each transaction line once, matches proposed not applied."""

from __future__ import annotations

import enum
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, TenantOwned, pg_enum, tenant_fk


class BankImport(TenantOwned, Base):
    __tablename__ = "bank_imports"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (UniqueConstraint("organization_id", "file_sha256"),)

    filename: Mapped[str]
    format: Mapped[str]  # camt | norma43 | ofx | mt940 | csv:<preset> | csv:custom
    file_sha256: Mapped[str] = mapped_column(String(64))
    lines_total: Mapped[int]
    lines_new: Mapped[int]
    imported_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class LineStatus(enum.StrEnum):
    PROPOSED = "proposed"  # a confident match waits for a human
    AMBIGUOUS = "ambiguous"  # several candidates or a weak one: a human decides
    UNMATCHED = "unmatched"  # no candidate
    MATCHED = "matched"  # confirmed: a payment exists
    IGNORED = "ignored"  # not tuition (outgoing, fees, …)


class BankLine(TenantOwned, Base):
    __tablename__ = "bank_lines"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (
            tenant_fk("import_id", "bank_imports"),
            tenant_fk("proposed_student_id", "students"),
            UniqueConstraint("organization_id", "line_key"),
            Index("ix_bank_lines_org_status", "organization_id", "status"),
        )

    import_id: Mapped[uuid.UUID]
    line_key: Mapped[str] = mapped_column(String(64))  # hash of date, amount, reference, payer and occurrence
    booked_on: Mapped[date]
    value_date: Mapped[date | None]  # when the money counts; kept apart from the booking date
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    payer_name: Mapped[str | None]
    payer_iban: Mapped[str | None] = mapped_column(String(34))
    reference: Mapped[str | None]
    bank_transaction_id: Mapped[str | None] = mapped_column(String(120))  # CAMT AcctSvcrRef, OFX FITID, …
    status: Mapped[LineStatus] = mapped_column(pg_enum(LineStatus, "bank_line_status"))
    proposed_student_id: Mapped[uuid.UUID | None]
    confidence: Mapped[float | None] = mapped_column(Float)
    candidates: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    raw: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")


class BankCsvMapping(TenantOwned, Base):
    """A CSV layout an organization named and saved, to import its bank's files without mapping again."""

    __tablename__ = "bank_csv_mappings"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (UniqueConstraint("organization_id", "name"),)

    name: Mapped[str] = mapped_column(String(60))
    mapping: Mapped[dict[str, Any]] = mapped_column(JSONB)
    saved_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
