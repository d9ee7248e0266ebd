"""Money: charges, payments, allocations, receipts, bank imports, teacher rates and payout lines.

Replaces the first sketch (student_payments, a month-only teacher_payouts), which held no data.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 10:23:00.309306
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.rls import drop_tenant_rls_sql, tenant_rls_sql

NEW_TENANT_TABLES = (
    "bank_imports",
    "billing_settings",
    "bank_lines",
    "charges",
    "receipt_links",
    "teacher_rates",
    "payments",
    "payment_allocations",
    "payout_lines",
    "receipts",
)
# Lookups that run before a tenant is known (see 0002): a parent's upload link, and the list of
# organizations for scheduled jobs that visit each one in turn under its own tenant context.
LOOKUP_FUNCTIONS = (
    """
    CREATE FUNCTION cadence_receipt_link_lookup(p_token_hash text)
    RETURNS TABLE (id uuid, organization_id uuid, student_id uuid, expires_at timestamptz,
                   revoked_at timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
      SELECT id, organization_id, student_id, expires_at, revoked_at
      FROM receipt_links WHERE token_hash = p_token_hash
    $$
    """,
    """
    CREATE FUNCTION cadence_active_org_ids() RETURNS SETOF uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
      SELECT id FROM organizations WHERE archived_at IS NULL ORDER BY created_at
    $$
    """,
)
FUNCTION_SIGNATURES = ("cadence_receipt_link_lookup(text)", "cadence_active_org_ids()")
payout_status = postgresql.ENUM("approved", "paid", name="payout_status")
old_payment_status = postgresql.ENUM("pending", "paid", "overdue", name="payment_status")

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bank_imports",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("filename", sa.String(), nullable=False),
        sa.Column("format", sa.String(), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("lines_total", sa.Integer(), nullable=False),
        sa.Column("lines_new", sa.Integer(), nullable=False),
        sa.Column("imported_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["imported_by_user_id"], ["users.id"], name=op.f("fk_bank_imports_imported_by_user_id")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_bank_imports_organization_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_imports")),
        sa.UniqueConstraint(
            "organization_id", "file_sha256", name=op.f("uq_bank_imports_organization_id_file_sha256")
        ),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_bank_imports_organization_id_id")),
    )
    op.create_table(
        "billing_settings",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column(
            "default_monthly_fee",
            sa.Numeric(precision=12, scale=2),
            server_default=sa.text("45.00"),
            nullable=False,
        ),
        sa.Column("due_day", sa.Integer(), server_default=sa.text("5"), nullable=False),
        sa.Column(
            "multi_group_discount_percent",
            sa.Numeric(precision=5, scale=2),
            server_default=sa.text("10"),
            nullable=False,
        ),
        sa.Column(
            "sibling_discount_percent",
            sa.Numeric(precision=5, scale=2),
            server_default=sa.text("0"),
            nullable=False,
        ),
        sa.Column("prorate_first_month", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column(
            "per_head_rule",
            sa.Enum("present_and_late", "present_only", name="per_head_rule"),
            server_default="present_and_late",
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("due_day BETWEEN 1 AND 28", name=op.f("ck_billing_settings_due_day_in_month")),
        sa.CheckConstraint(
            "multi_group_discount_percent BETWEEN 0 AND 100 AND sibling_discount_percent BETWEEN 0 AND 100",
            name=op.f("ck_billing_settings_discounts_are_percentages"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_billing_settings_organization_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_settings")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_billing_settings_organization_id_id")),
    )
    op.create_index("ix_billing_settings_org_created", "billing_settings", ["organization_id", "created_at"])
    op.create_table(
        "bank_lines",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("import_id", sa.Uuid(), nullable=False),
        sa.Column("line_key", sa.String(length=64), nullable=False),
        sa.Column("booked_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("payer_name", sa.String(), nullable=True),
        sa.Column("reference", sa.String(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("proposed", "ambiguous", "unmatched", "matched", "ignored", name="bank_line_status"),
            nullable=False,
        ),
        sa.Column("proposed_student_id", sa.Uuid(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("candidates", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("raw", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "import_id"],
            ["bank_imports.organization_id", "bank_imports.id"],
            name=op.f("fk_bank_lines_organization_id_import_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "proposed_student_id"],
            ["students.organization_id", "students.id"],
            name=op.f("fk_bank_lines_organization_id_proposed_student_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_bank_lines_organization_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_lines")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_bank_lines_organization_id_id")),
        sa.UniqueConstraint(
            "organization_id", "line_key", name=op.f("uq_bank_lines_organization_id_line_key")
        ),
    )
    op.create_index("ix_bank_lines_org_status", "bank_lines", ["organization_id", "status"], unique=False)
    op.create_table(
        "charges",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind", sa.Enum("tuition", "registration", "costume", "other", name="charge_kind"), nullable=False
        ),
        sa.Column("period_month", sa.Date(), nullable=True),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("overdue_notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("void_reason", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_charges_amount_positive")),
        sa.ForeignKeyConstraint(
            ["organization_id", "student_id"],
            ["students.organization_id", "students.id"],
            name=op.f("fk_charges_organization_id_student_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_charges_organization_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charges")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_charges_organization_id_id")),
    )
    op.create_index("ix_charges_org_due", "charges", ["organization_id", "due_date"], unique=False)
    op.create_index("ix_charges_org_student", "charges", ["organization_id", "student_id"], unique=False)
    op.create_index(
        "uq_charges_one_tuition_per_month",
        "charges",
        ["organization_id", "student_id", "period_month"],
        unique=True,
        postgresql_where=sa.text("kind = 'tuition' AND voided_at IS NULL"),
    )
    op.create_table(
        "receipt_links",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"], ["users.id"], name=op.f("fk_receipt_links_created_by_user_id")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "student_id"],
            ["students.organization_id", "students.id"],
            name=op.f("fk_receipt_links_organization_id_student_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_receipt_links_organization_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipt_links")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_receipt_links_organization_id_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_receipt_links_token_hash")),
    )
    op.create_table(
        "teacher_rates",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("teacher_id", sa.Uuid(), nullable=False),
        sa.Column(
            "payment_type",
            postgresql.ENUM(
                "fixed_monthly", "per_class", "per_head", name="teacher_payment_type", create_type=False
            ),
            nullable=False,
        ),
        sa.Column("rate", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("private_hourly_rate", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("created_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("rate >= 0", name=op.f("ck_teacher_rates_rate_not_negative")),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"], ["users.id"], name=op.f("fk_teacher_rates_created_by_user_id")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "teacher_id"],
            ["teachers.organization_id", "teachers.id"],
            name=op.f("fk_teacher_rates_organization_id_teacher_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_teacher_rates_organization_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teacher_rates")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_teacher_rates_organization_id_id")),
        sa.UniqueConstraint(
            "organization_id",
            "teacher_id",
            "effective_from",
            name=op.f("uq_teacher_rates_organization_id_teacher_id_effective_from"),
        ),
    )
    op.create_table(
        "payments",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("method", sa.Enum("bank_transfer", "cash", "other", name="payment_method"), nullable=False),
        sa.Column("payer_reference", sa.String(), nullable=True),
        sa.Column("payer_name", sa.String(), nullable=True),
        sa.Column(
            "state", sa.Enum("recorded", "unmatched", "rejected", name="payment_state"), nullable=False
        ),
        sa.Column("bank_line_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_payments_amount_positive")),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"], ["users.id"], name=op.f("fk_payments_decided_by_user_id")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "bank_line_id"],
            ["bank_lines.organization_id", "bank_lines.id"],
            name=op.f("fk_payments_organization_id_bank_line_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "student_id"],
            ["students.organization_id", "students.id"],
            name=op.f("fk_payments_organization_id_student_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_payments_organization_id")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"], ["users.id"], name=op.f("fk_payments_recorded_by_user_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_payments_organization_id_id")),
    )
    op.create_index("ix_payments_org_received", "payments", ["organization_id", "received_on"], unique=False)
    op.create_index("ix_payments_org_student", "payments", ["organization_id", "student_id"], unique=False)
    op.create_table(
        "payment_allocations",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("charge_id", sa.Uuid(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("created_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_payment_allocations_amount_positive")),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"], ["users.id"], name=op.f("fk_payment_allocations_created_by_user_id")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "charge_id"],
            ["charges.organization_id", "charges.id"],
            name=op.f("fk_payment_allocations_organization_id_charge_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "payment_id"],
            ["payments.organization_id", "payments.id"],
            name=op.f("fk_payment_allocations_organization_id_payment_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_payment_allocations_organization_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_allocations")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_payment_allocations_organization_id_id")),
    )
    op.create_index(
        "ix_payment_allocations_org_charge",
        "payment_allocations",
        ["organization_id", "charge_id"],
        unique=False,
    )
    op.create_index(
        "ix_payment_allocations_org_payment",
        "payment_allocations",
        ["organization_id", "payment_id"],
        unique=False,
    )
    op.create_table(
        "payout_lines",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("payout_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("class_session_id", sa.Uuid(), nullable=True),
        sa.Column("private_session_id", sa.Uuid(), nullable=True),
        sa.Column("quantity", sa.Numeric(precision=12, scale=4), nullable=False),
        sa.Column("rate", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("adjusts_payout_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "class_session_id"],
            ["class_sessions.organization_id", "class_sessions.id"],
            name=op.f("fk_payout_lines_organization_id_class_session_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "payout_id"],
            ["teacher_payouts.organization_id", "teacher_payouts.id"],
            name=op.f("fk_payout_lines_organization_id_payout_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "private_session_id"],
            ["private_sessions.organization_id", "private_sessions.id"],
            name=op.f("fk_payout_lines_organization_id_private_session_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_payout_lines_organization_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payout_lines")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_payout_lines_organization_id_id")),
    )
    op.create_index(
        "ix_payout_lines_org_payout", "payout_lines", ["organization_id", "payout_id"], unique=False
    )
    op.create_table(
        "receipts",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("charge_id", sa.Uuid(), nullable=True),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("original_filename", sa.String(), nullable=False),
        sa.Column("content_type", sa.String(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending_verification", "verified", "rejected", name="receipt_status"),
            nullable=False,
        ),
        sa.Column("uploaded_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("via_public_link", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"], ["users.id"], name=op.f("fk_receipts_decided_by_user_id")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "charge_id"],
            ["charges.organization_id", "charges.id"],
            name=op.f("fk_receipts_organization_id_charge_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "payment_id"],
            ["payments.organization_id", "payments.id"],
            name=op.f("fk_receipts_organization_id_payment_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "student_id"],
            ["students.organization_id", "students.id"],
            name=op.f("fk_receipts_organization_id_student_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_receipts_organization_id")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_user_id"], ["users.id"], name=op.f("fk_receipts_uploaded_by_user_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipts")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_receipts_organization_id_id")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_receipts_storage_key")),
    )
    op.create_index("ix_receipts_org_status", "receipts", ["organization_id", "status"], unique=False)
    op.drop_index(op.f("ix_student_payments_org_month"), table_name="student_payments")
    op.drop_index(op.f("ix_student_payments_org_student"), table_name="student_payments")
    op.drop_table("student_payments")
    op.add_column("groups", sa.Column("monthly_fee", sa.Numeric(precision=12, scale=2), nullable=True))
    op.add_column("students", sa.Column("family_id", sa.Uuid(), nullable=True))
    op.add_column("teacher_payouts", sa.Column("period_start", sa.Date(), nullable=False))
    op.add_column("teacher_payouts", sa.Column("period_end", sa.Date(), nullable=False))
    op.add_column("teacher_payouts", sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False))
    op.add_column("teacher_payouts", sa.Column("approved_by_user_id", sa.Uuid(), nullable=True))
    op.add_column("teacher_payouts", sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("teacher_payouts", sa.Column("paid_by_user_id", sa.Uuid(), nullable=True))
    payout_status.create(op.get_bind(), checkfirst=True)
    op.execute(
        "ALTER TABLE teacher_payouts ALTER COLUMN status TYPE payout_status USING status::text::payout_status"
    )
    old_payment_status.drop(op.get_bind(), checkfirst=True)
    op.drop_index(op.f("ix_teacher_payouts_org_month"), table_name="teacher_payouts")
    op.create_index(
        "ix_teacher_payouts_org_period", "teacher_payouts", ["organization_id", "period_start"], unique=False
    )
    op.create_unique_constraint(
        op.f("uq_teacher_payouts_organization_id_teacher_id_period_start"),
        "teacher_payouts",
        ["organization_id", "teacher_id", "period_start"],
    )
    op.create_foreign_key(
        op.f("fk_teacher_payouts_approved_by_user_id"),
        "teacher_payouts",
        "users",
        ["approved_by_user_id"],
        ["id"],
    )
    op.create_foreign_key(
        op.f("fk_teacher_payouts_paid_by_user_id"), "teacher_payouts", "users", ["paid_by_user_id"], ["id"]
    )
    op.drop_column("teacher_payouts", "month")
    for table in NEW_TENANT_TABLES:
        for statement in tenant_rls_sql(table):
            op.execute(statement)
    for statement in LOOKUP_FUNCTIONS:
        op.execute(statement)
    for signature in FUNCTION_SIGNATURES:
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")


def downgrade() -> None:
    for signature in FUNCTION_SIGNATURES:
        op.execute(f"DROP FUNCTION IF EXISTS {signature}")
    for table in NEW_TENANT_TABLES:
        for statement in drop_tenant_rls_sql(table):
            op.execute(statement)
    old_payment_status.create(op.get_bind(), checkfirst=True)
    op.add_column("teacher_payouts", sa.Column("month", sa.DATE(), autoincrement=False, nullable=False))
    op.drop_constraint(op.f("fk_teacher_payouts_paid_by_user_id"), "teacher_payouts", type_="foreignkey")
    op.drop_constraint(op.f("fk_teacher_payouts_approved_by_user_id"), "teacher_payouts", type_="foreignkey")
    op.drop_constraint(
        op.f("uq_teacher_payouts_organization_id_teacher_id_period_start"), "teacher_payouts", type_="unique"
    )
    op.drop_index("ix_teacher_payouts_org_period", table_name="teacher_payouts")
    op.create_index(
        op.f("ix_teacher_payouts_org_month"), "teacher_payouts", ["organization_id", "month"], unique=False
    )
    op.execute(
        "ALTER TABLE teacher_payouts ALTER COLUMN status TYPE payment_status USING status::text::payment_status"
    )
    payout_status.drop(op.get_bind(), checkfirst=True)
    op.drop_column("teacher_payouts", "paid_by_user_id")
    op.drop_column("teacher_payouts", "paid_at")
    op.drop_column("teacher_payouts", "approved_by_user_id")
    op.drop_column("teacher_payouts", "approved_at")
    op.drop_column("teacher_payouts", "period_end")
    op.drop_column("teacher_payouts", "period_start")
    op.drop_column("students", "family_id")
    op.drop_column("groups", "monthly_fee")
    op.create_table(
        "student_payments",
        sa.Column(
            "id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), autoincrement=False, nullable=False
        ),
        sa.Column("organization_id", sa.UUID(), autoincrement=False, nullable=False),
        sa.Column("student_id", sa.UUID(), autoincrement=False, nullable=False),
        sa.Column("month", sa.DATE(), autoincrement=False, nullable=False),
        sa.Column("amount", sa.NUMERIC(precision=12, scale=2), autoincrement=False, nullable=False),
        sa.Column("receipt_url", sa.VARCHAR(), autoincrement=False, nullable=True),
        sa.Column(
            "status",
            postgresql.ENUM("pending", "paid", "overdue", name="payment_status", create_type=False),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            autoincrement=False,
            nullable=False,
        ),
        sa.CheckConstraint(
            "EXTRACT(day FROM month) = 1::numeric", name=op.f("ck_student_payments_month_is_first_day")
        ),
        sa.CheckConstraint("amount >= 0::numeric", name=op.f("ck_student_payments_amount_not_negative")),
        sa.ForeignKeyConstraint(
            ["organization_id", "student_id"],
            ["students.organization_id", "students.id"],
            name=op.f("fk_student_payments_organization_id_student_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_student_payments_organization_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_student_payments")),
        sa.UniqueConstraint(
            "organization_id",
            "id",
            name=op.f("uq_student_payments_organization_id_id"),
            postgresql_include=[],
            postgresql_nulls_not_distinct=False,
        ),
    )
    op.create_index(
        op.f("ix_student_payments_org_student"),
        "student_payments",
        ["organization_id", "student_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_student_payments_org_month"), "student_payments", ["organization_id", "month"], unique=False
    )
    op.drop_index("ix_receipts_org_status", table_name="receipts")
    op.drop_table("receipts")
    op.drop_index("ix_payout_lines_org_payout", table_name="payout_lines")
    op.drop_table("payout_lines")
    op.drop_index("ix_payment_allocations_org_payment", table_name="payment_allocations")
    op.drop_index("ix_payment_allocations_org_charge", table_name="payment_allocations")
    op.drop_table("payment_allocations")
    op.drop_index("ix_payments_org_student", table_name="payments")
    op.drop_index("ix_payments_org_received", table_name="payments")
    op.drop_table("payments")
    op.drop_table("teacher_rates")
    op.drop_table("receipt_links")
    op.drop_index(
        "uq_charges_one_tuition_per_month",
        table_name="charges",
        postgresql_where=sa.text("kind = 'tuition' AND voided_at IS NULL"),
    )
    op.drop_index("ix_charges_org_student", table_name="charges")
    op.drop_index("ix_charges_org_due", table_name="charges")
    op.drop_table("charges")
    op.drop_index("ix_bank_lines_org_status", table_name="bank_lines")
    op.drop_table("bank_lines")
    op.drop_table("billing_settings")
    op.drop_table("bank_imports")
    for enum_name in (
        "per_head_rule",
        "bank_line_status",
        "charge_kind",
        "payment_method",
        "payment_state",
        "receipt_status",
    ):
        op.execute(f"DROP TYPE IF EXISTS {enum_name}")
