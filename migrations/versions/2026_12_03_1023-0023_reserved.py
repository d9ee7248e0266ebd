"""Spreadsheets the copilot made ("send me that as a spreadsheet"), kept a day for their download.

``exported_files`` is a tenant table (RLS enabled and forced, the usual four policies): a file is bound to
its organization by RLS and to the person (or API key) who asked for it by the service, which answers 404 to
anyone else. The bytes live in the row: these are the small lists of copilot answers, and a row goes with
its organization's backups and deletion like every other tenant row. ``expires_at`` is indexed for the
sweep that deletes files older than a day.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 10:23:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.rls import drop_tenant_rls_sql, tenant_rls_sql

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exported_files",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("api_key_id", sa.Uuid(), nullable=True),
        sa.Column("filename", sa.String(), nullable=False),
        sa.Column("media_type", sa.String(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["api_key_id"], ["api_keys.id"], name=op.f("fk_exported_files_api_key_id"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_exported_files_organization_id")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_exported_files_user_id"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exported_files")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_exported_files_organization_id_id")),
    )
    op.create_index(op.f("ix_exported_files_expires_at"), "exported_files", ["expires_at"], unique=False)
    for statement in tenant_rls_sql("exported_files"):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_tenant_rls_sql("exported_files"):
        op.execute(statement)
    op.drop_index(op.f("ix_exported_files_expires_at"), table_name="exported_files")
    op.drop_table("exported_files")
