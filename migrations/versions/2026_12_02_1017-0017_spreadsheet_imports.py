"""Spreadsheet imports of students, guardians, families and memberships: one row per applied file.

``import_batches`` is a tenant table (RLS enabled and forced, the usual four policies). Its unique key
``(organization_id, kind, content_sha256)`` — the file's bytes and the column mapping, hashed — is what
makes an import apply once: a second apply of the same file, even one racing the first, finds the row and
creates nothing.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 10:17:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.rls import drop_tenant_rls_sql, tenant_rls_sql

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_batches",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("content_sha256", sa.String(), nullable=False),
        sa.Column("filename", sa.String(), nullable=False),
        sa.Column("created_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("summary", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"], ["users.id"], name=op.f("fk_import_batches_created_by_user_id")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_import_batches_organization_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batches")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_import_batches_organization_id_id")),
        sa.UniqueConstraint(
            "organization_id",
            "kind",
            "content_sha256",
            name=op.f("uq_import_batches_organization_id_kind_content_sha256"),
        ),
    )
    for statement in tenant_rls_sql("import_batches"):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_tenant_rls_sql("import_batches"):
        op.execute(statement)
    op.drop_table("import_batches")
