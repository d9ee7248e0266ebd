"""Pending actions: the copilot's writes waiting for confirmation, applied at most once.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 11:18:16.555865
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.rls import drop_tenant_rls_sql, tenant_rls_sql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pending_actions",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("tool", sa.String(), nullable=False),
        sa.Column("args", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("action_hash", sa.String(length=64), nullable=False),
        sa.Column("preview", sa.String(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "applied", "cancelled", "expired", name="action_status"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("channel", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_pending_actions_organization_id")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_pending_actions_user_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_actions")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_pending_actions_organization_id_id")),
    )
    op.create_index(
        "ix_pending_actions_org_user_status",
        "pending_actions",
        ["organization_id", "user_id", "status"],
        unique=False,
    )
    for statement in tenant_rls_sql("pending_actions"):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_tenant_rls_sql("pending_actions"):
        op.execute(statement)
    op.drop_index("ix_pending_actions_org_user_status", table_name="pending_actions")
    op.drop_table("pending_actions")
    op.execute("DROP TYPE IF EXISTS action_status")
