"""Bank statement formats: value date, payer IBAN and the bank's transaction id on every line; saved CSV
mappings per organization.

CAMT.053, Norma 43, OFX and the banks' CSV layouts give a booking date and a value date (kept apart),
the payer's IBAN and the bank's own id for each transaction (CAMT AcctSvcrRef, OFX FITID, Revolut's ID);
the line's key is built from that id when there is one. Existing lines keep NULL in the new columns.

``bank_csv_mappings`` holds the CSV layouts a school saved by name, under the same row-level security as
every tenant table.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 10:16:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.rls import drop_tenant_rls_sql, tenant_rls_sql

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("bank_lines", sa.Column("value_date", sa.Date(), nullable=True))
    op.add_column("bank_lines", sa.Column("payer_iban", sa.String(length=34), nullable=True))
    op.add_column("bank_lines", sa.Column("bank_transaction_id", sa.String(length=120), nullable=True))
    op.create_table(
        "bank_csv_mappings",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("mapping", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("saved_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_bank_csv_mappings_organization_id")
        ),
        sa.ForeignKeyConstraint(
            ["saved_by_user_id"], ["users.id"], name=op.f("fk_bank_csv_mappings_saved_by_user_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_csv_mappings")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_bank_csv_mappings_organization_id_id")),
        sa.UniqueConstraint(
            "organization_id", "name", name=op.f("uq_bank_csv_mappings_organization_id_name")
        ),
    )
    for statement in tenant_rls_sql("bank_csv_mappings"):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_tenant_rls_sql("bank_csv_mappings"):
        op.execute(statement)
    op.drop_table("bank_csv_mappings")
    op.drop_column("bank_lines", "bank_transaction_id")
    op.drop_column("bank_lines", "payer_iban")
    op.drop_column("bank_lines", "value_date")
