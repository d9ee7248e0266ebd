"""A fitted insight model per organization and kind, stored as numbers (JSON), never as a pickle."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Index
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, TenantOwned


class InsightModel(TenantOwned, Base):
    """The latest fit of one kind ("dropout", "late_payment") for the organization: the coefficients
    (``domain.insights.model.LogisticModel`` as JSON) and its back-test figures on the organization's
    own history. Refitting replaces the row."""

    __tablename__ = "insight_models"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (Index("uq_insight_models_org_kind", "organization_id", "kind", unique=True),)

    kind: Mapped[str]
    fitted_on: Mapped[date]
    model: Mapped[dict[str, Any]] = mapped_column(JSONB)
