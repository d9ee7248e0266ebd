"""Core domain: guardians, public registrations, substitutes, guests, search names, simulated traits.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 09:53:23.999546
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from domain.text import fold
from migrations.rls import drop_tenant_rls_sql, tenant_rls_sql

NEW_TENANT_TABLES = ("guardians", "registration_submissions", "simulated_traits")
SEARCHABLE = {"students": "full_name", "teachers": "full_name", "groups": "name", "venues": "name"}
student_status = sa.Enum("pending", "active", "rejected", name="student_status")


revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    student_status.create(op.get_bind(), checkfirst=True)
    op.create_table(
        "guardians",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("full_name", sa.String(), nullable=False),
        sa.Column("relationship", sa.String(), nullable=True),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("phone", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "student_id"],
            ["students.organization_id", "students.id"],
            name=op.f("fk_guardians_organization_id_student_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_guardians_organization_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guardians")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_guardians_organization_id_id")),
    )
    op.create_index("ix_guardians_org_student", "guardians", ["organization_id", "student_id"], unique=False)
    op.create_table(
        "registration_submissions",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("ip", sa.String(), nullable=True),
        sa.Column("student_id", sa.Uuid(), nullable=True),
        sa.Column("outcome", sa.String(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("decision", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "student_id"],
            ["students.organization_id", "students.id"],
            name=op.f("fk_registration_submissions_organization_id_student_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_registration_submissions_organization_id"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration_submissions")),
        sa.UniqueConstraint(
            "organization_id", "id", name=op.f("uq_registration_submissions_organization_id_id")
        ),
    )
    op.create_index(
        "ix_registration_submissions_org_ip",
        "registration_submissions",
        ["organization_id", "ip", "created_at"],
        unique=False,
    )
    op.create_table(
        "simulated_traits",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("joined_on", sa.Date(), nullable=False),
        sa.Column("will_drop_out", sa.Boolean(), nullable=False),
        sa.Column("dropout_on", sa.Date(), nullable=True),
        sa.Column("late_payer", sa.Boolean(), nullable=False),
        sa.Column("attendance_propensity", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "student_id"],
            ["students.organization_id", "students.id"],
            name=op.f("fk_simulated_traits_organization_id_student_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_simulated_traits_organization_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_simulated_traits")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_simulated_traits_organization_id_id")),
    )
    op.create_index(
        "ix_simulated_traits_org_student", "simulated_traits", ["organization_id", "student_id"], unique=True
    )
    op.add_column("organizations", sa.Column("country", sa.String(length=2), nullable=True))
    op.add_column(
        "attendance_records",
        sa.Column("is_guest", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.add_column("class_sessions", sa.Column("substitute_for_teacher_id", sa.Uuid(), nullable=True))
    op.add_column("class_sessions", sa.Column("notes", sa.String(), nullable=True))
    op.create_foreign_key(
        op.f("fk_class_sessions_organization_id_substitute_for_teacher_id"),
        "class_sessions",
        "teachers",
        ["organization_id", "substitute_for_teacher_id"],
        ["organization_id", "id"],
    )
    op.add_column("groups", sa.Column("search_name", sa.String(), server_default="", nullable=False))
    op.add_column("groups", sa.Column("capacity", sa.Integer(), nullable=True))
    op.add_column("private_sessions", sa.Column("cancel_reason", sa.String(), nullable=True))
    op.add_column("private_sessions", sa.Column("notes", sa.String(), nullable=True))
    op.add_column("students", sa.Column("search_name", sa.String(), server_default="", nullable=False))
    op.add_column("students", sa.Column("date_of_birth", sa.Date(), nullable=True))
    op.add_column("students", sa.Column("status", student_status, server_default="active", nullable=False))
    op.add_column("students", sa.Column("source", sa.String(), server_default="admin", nullable=False))
    op.add_column("students", sa.Column("duplicate_of_student_id", sa.Uuid(), nullable=True))
    op.create_index(
        "ix_students_org_search_name", "students", ["organization_id", "search_name"], unique=False
    )
    op.create_foreign_key(
        op.f("fk_students_organization_id_duplicate_of_student_id"),
        "students",
        "students",
        ["organization_id", "duplicate_of_student_id"],
        ["organization_id", "id"],
    )
    op.add_column("teachers", sa.Column("search_name", sa.String(), server_default="", nullable=False))
    op.add_column("teachers", sa.Column("email", sa.String(), nullable=True))
    op.add_column("teachers", sa.Column("phone", sa.String(), nullable=True))
    op.add_column("venues", sa.Column("search_name", sa.String(), server_default="", nullable=False))
    for table in NEW_TENANT_TABLES:
        for statement in tenant_rls_sql(table):
            op.execute(statement)
    _backfill_search_names()


def _backfill_search_names() -> None:
    """Search is accent-insensitive: fold existing names the way the services fold new ones."""
    bind = op.get_bind()
    for table, column in SEARCHABLE.items():
        rows = bind.execute(sa.text(f"SELECT id, {column} FROM {table}")).all()
        if rows:
            bind.execute(
                sa.text(f"UPDATE {table} SET search_name = :folded WHERE id = :id"),
                [{"id": row[0], "folded": fold(row[1])} for row in rows],
            )


def downgrade() -> None:
    for table in NEW_TENANT_TABLES:
        for statement in drop_tenant_rls_sql(table):
            op.execute(statement)
    op.drop_column("organizations", "country")
    op.drop_column("venues", "search_name")
    op.drop_column("teachers", "phone")
    op.drop_column("teachers", "email")
    op.drop_column("teachers", "search_name")
    op.drop_constraint(
        op.f("fk_students_organization_id_duplicate_of_student_id"), "students", type_="foreignkey"
    )
    op.drop_index("ix_students_org_search_name", table_name="students")
    op.drop_column("students", "duplicate_of_student_id")
    op.drop_column("students", "source")
    op.drop_column("students", "status")
    op.drop_column("students", "date_of_birth")
    op.drop_column("students", "search_name")
    op.drop_column("private_sessions", "notes")
    op.drop_column("private_sessions", "cancel_reason")
    op.drop_column("groups", "capacity")
    op.drop_column("groups", "search_name")
    op.drop_constraint(
        op.f("fk_class_sessions_organization_id_substitute_for_teacher_id"),
        "class_sessions",
        type_="foreignkey",
    )
    op.drop_column("class_sessions", "notes")
    op.drop_column("class_sessions", "substitute_for_teacher_id")
    op.drop_column("attendance_records", "is_guest")
    op.drop_index("ix_simulated_traits_org_student", table_name="simulated_traits")
    op.drop_table("simulated_traits")
    op.drop_index("ix_registration_submissions_org_ip", table_name="registration_submissions")
    op.drop_table("registration_submissions")
    op.drop_index("ix_guardians_org_student", table_name="guardians")
    op.drop_table("guardians")
    student_status.drop(op.get_bind(), checkfirst=True)
