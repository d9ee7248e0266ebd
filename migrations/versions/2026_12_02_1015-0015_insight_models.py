"""Fitted insight models per organization (dropout risk, late payment) with their back-test figures.

One row per (organization, kind): the coefficients and standardisation of a logistic model as JSON
(never a pickle: nothing a tenant could write is ever executed), the day it was fitted and its
figures. A tenant table like any other: RLS forced, a policy per command.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 10:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.rls import drop_tenant_rls_sql, tenant_rls_sql

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "insight_models",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("fitted_on", sa.Date(), nullable=False),
        sa.Column("model", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_insight_models_organization_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insight_models")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_insight_models_organization_id_id")),
    )
    op.create_index("uq_insight_models_org_kind", "insight_models", ["organization_id", "kind"], unique=True)
    for statement in tenant_rls_sql("insight_models"):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_tenant_rls_sql("insight_models"):
        op.execute(statement)
    op.drop_index("uq_insight_models_org_kind", table_name="insight_models")
    op.drop_table("insight_models")
