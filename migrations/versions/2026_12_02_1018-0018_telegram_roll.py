"""A teacher's day in Telegram: reported absences (sick days) and cash reported by teachers.

``teacher_absences`` is a tenant table (RLS enabled and forced, the usual four policies; composite
foreign key to the teacher). Its unique ``(organization_id, teacher_id, date)`` makes reporting the same
day twice — a Confirm pressed twice, two chats at once — one absence and one message to the office.

``cash_reports`` (tenant table, same pattern; composite foreign keys to the student and, once verified,
the payment) holds "Ana paid 45 in cash" as a teacher said it: not a payment, so it never reduces what a
student owes, until the office verifies it and it becomes a cash payment.

The roll being taken in Telegram needs no table: it travels in the buttons' signed callback data, and
Save goes through the ``mark_attendance`` pending action (see ``channels/telegram/roll.py``).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 10:18:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.rls import drop_tenant_rls_sql, tenant_rls_sql

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "teacher_absences",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("teacher_id", sa.Uuid(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("reported_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "teacher_id"],
            ["teachers.organization_id", "teachers.id"],
            name=op.f("fk_teacher_absences_organization_id_teacher_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_teacher_absences_organization_id")
        ),
        sa.ForeignKeyConstraint(
            ["reported_by_user_id"], ["users.id"], name=op.f("fk_teacher_absences_reported_by_user_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teacher_absences")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_teacher_absences_organization_id_id")),
        sa.UniqueConstraint(
            "organization_id",
            "teacher_id",
            "date",
            name=op.f("uq_teacher_absences_organization_id_teacher_id_date"),
        ),
    )
    for statement in tenant_rls_sql("teacher_absences"):
        op.execute(statement)
    op.create_table(
        "cash_reports",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column(
            "status", sa.Enum("awaiting_verification", "verified", name="cash_report_status"), nullable=False
        ),
        sa.Column("reported_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_cash_reports_amount_positive")),
        sa.ForeignKeyConstraint(
            ["organization_id", "student_id"],
            ["students.organization_id", "students.id"],
            name=op.f("fk_cash_reports_organization_id_student_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "payment_id"],
            ["payments.organization_id", "payments.id"],
            name=op.f("fk_cash_reports_organization_id_payment_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_cash_reports_organization_id")
        ),
        sa.ForeignKeyConstraint(
            ["reported_by_user_id"], ["users.id"], name=op.f("fk_cash_reports_reported_by_user_id")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"], ["users.id"], name=op.f("fk_cash_reports_decided_by_user_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cash_reports")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_cash_reports_organization_id_id")),
    )
    op.create_index("ix_cash_reports_org_status", "cash_reports", ["organization_id", "status"])
    for statement in tenant_rls_sql("cash_reports"):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_tenant_rls_sql("cash_reports"):
        op.execute(statement)
    op.drop_table("cash_reports")
    op.execute("DROP TYPE IF EXISTS cash_report_status")
    for statement in drop_tenant_rls_sql("teacher_absences"):
        op.execute(statement)
    op.drop_table("teacher_absences")
