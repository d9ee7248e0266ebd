"""Initial schema: every entity of the domain model, with tenant-scoped composite keys.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 09:36:49.607886
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("ip", sa.String(), nullable=True),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    op.create_index(
        "ix_login_attempts_email_created_at", "login_attempts", ["email", "created_at"], unique=False
    )
    op.create_index("ix_login_attempts_ip_created_at", "login_attempts", ["ip", "created_at"], unique=False)
    op.create_table(
        "organizations",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("slug", sa.String(length=63), nullable=False),
        sa.Column("type", sa.Enum("school", "independent_teacher", name="organization_type"), nullable=False),
        sa.Column("timezone", sa.String(), server_default="UTC", nullable=False),
        sa.Column("currency", sa.String(length=3), server_default="EUR", nullable=False),
        sa.Column("locale", sa.String(), server_default="en", nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'", name=op.f("ck_organizations_slug_format")),
        sa.CheckConstraint("char_length(currency) = 3", name=op.f("ck_organizations_currency_code")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
        sa.UniqueConstraint("slug", name=op.f("uq_organizations_slug")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=True),
        sa.Column("password_hash", sa.String(), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(), nullable=False),
        sa.Column("scopes", sa.ARRAY(sa.String()), server_default=sa.text("'{}'"), nullable=False),
        sa.Column("created_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"], ["users.id"], name=op.f("fk_api_keys_created_by_user_id")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_api_keys_organization_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_api_keys_organization_id_id")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("actor_user_id", sa.Uuid(), nullable=True),
        sa.Column("actor_api_key_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("entity_type", sa.String(), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=True),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["actor_user_id"], ["users.id"], name=op.f("fk_audit_log_actor_user_id")),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_audit_log_organization_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_audit_log_organization_id_id")),
    )
    op.create_index(
        "ix_audit_log_org_entity", "audit_log", ["organization_id", "entity_type", "entity_id"], unique=False
    )
    op.create_table(
        "domain_events",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(), nullable=False),
        sa.Column(
            "payload",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_domain_events_organization_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_domain_events")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_domain_events_organization_id_id")),
    )
    op.create_index(
        "ix_domain_events_undispatched",
        "domain_events",
        ["organization_id", "created_at"],
        unique=False,
        postgresql_where=sa.text("dispatched_at IS NULL"),
    )
    op.create_table(
        "invitations",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("role", sa.Enum("admin", "teacher", "staff", name="member_role"), nullable=False),
        sa.Column("token_hash", sa.String(), nullable=False),
        sa.Column("invited_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["accepted_by_user_id"], ["users.id"], name=op.f("fk_invitations_accepted_by_user_id")
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_user_id"], ["users.id"], name=op.f("fk_invitations_invited_by_user_id")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_invitations_organization_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_invitations_organization_id_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitations_token_hash")),
    )
    op.create_table(
        "organization_members",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.Enum("admin", "teacher", "staff", name="member_role"), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_organization_members_organization_id")
        ),
        sa.ForeignKeyConstraint(
            ["removed_by_user_id"], ["users.id"], name=op.f("fk_organization_members_removed_by_user_id")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_organization_members_user_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization_members")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_organization_members_organization_id_id")),
    )
    op.create_index(
        op.f("ix_organization_members_user_id"), "organization_members", ["user_id"], unique=False
    )
    op.create_index(
        "uq_organization_members_active",
        "organization_members",
        ["organization_id", "user_id"],
        unique=True,
        postgresql_where=sa.text("removed_at IS NULL"),
    )
    op.create_table(
        "students",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("full_name", sa.String(), nullable=False),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("phone", sa.String(), nullable=True),
        sa.Column("notes", sa.String(), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_students_organization_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_students")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_students_organization_id_id")),
    )
    op.create_index(
        "ix_students_organization_id_full_name", "students", ["organization_id", "full_name"], unique=False
    )
    op.create_table(
        "teachers",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("full_name", sa.String(), nullable=False),
        sa.Column(
            "payment_type",
            sa.Enum("fixed_monthly", "per_class", "per_head", name="teacher_payment_type"),
            nullable=False,
        ),
        sa.Column("monthly_rate", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("rate_per_head", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("rate_per_class", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "coalesce(monthly_rate, 0) >= 0 AND coalesce(rate_per_head, 0) >= 0 AND coalesce(rate_per_class, 0) >= 0",
            name=op.f("ck_teachers_rates_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_teachers_organization_id")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_teachers_user_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teachers")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_teachers_organization_id_id")),
    )
    op.create_index(op.f("ix_teachers_user_id"), "teachers", ["user_id"], unique=False)
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(), nullable=False),
        sa.Column("csrf_token", sa.String(), nullable=False),
        sa.Column("active_organization_id", sa.Uuid(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ip", sa.String(), nullable=True),
        sa.Column("user_agent", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["active_organization_id"],
            ["organizations.id"],
            name=op.f("fk_user_sessions_active_organization_id"),
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_sessions_token_hash")),
    )
    op.create_index(op.f("ix_user_sessions_user_id"), "user_sessions", ["user_id"], unique=False)
    op.create_table(
        "venues",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("address", sa.String(), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_venues_organization_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_venues")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_venues_organization_id_id")),
    )
    op.create_table(
        "groups",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("status", sa.Enum("active", "paused", "closed", name="group_status"), nullable=False),
        sa.Column("venue_id", sa.Uuid(), nullable=True),
        sa.Column("teacher_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "teacher_id"],
            ["teachers.organization_id", "teachers.id"],
            name=op.f("fk_groups_organization_id_teacher_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "venue_id"],
            ["venues.organization_id", "venues.id"],
            name=op.f("fk_groups_organization_id_venue_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_groups_organization_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_groups")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_groups_organization_id_id")),
    )
    op.create_table(
        "private_sessions",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("teacher_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("venue_id", sa.Uuid(), nullable=True),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column(
            "status", sa.Enum("scheduled", "held", "cancelled", name="class_session_status"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("duration_minutes > 0", name=op.f("ck_private_sessions_duration_positive")),
        sa.ForeignKeyConstraint(
            ["organization_id", "student_id"],
            ["students.organization_id", "students.id"],
            name=op.f("fk_private_sessions_organization_id_student_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "teacher_id"],
            ["teachers.organization_id", "teachers.id"],
            name=op.f("fk_private_sessions_organization_id_teacher_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "venue_id"],
            ["venues.organization_id", "venues.id"],
            name=op.f("fk_private_sessions_organization_id_venue_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_private_sessions_organization_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_private_sessions")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_private_sessions_organization_id_id")),
    )
    op.create_index(
        "ix_private_sessions_org_teacher_date",
        "private_sessions",
        ["organization_id", "teacher_id", "date"],
        unique=False,
    )
    op.create_table(
        "student_payments",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("receipt_url", sa.String(), nullable=True),
        sa.Column("status", sa.Enum("pending", "paid", "overdue", name="payment_status"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_student_payments_amount_not_negative")),
        sa.CheckConstraint(
            "extract(day from month) = 1", name=op.f("ck_student_payments_month_is_first_day")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "student_id"],
            ["students.organization_id", "students.id"],
            name=op.f("fk_student_payments_organization_id_student_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_student_payments_organization_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_student_payments")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_student_payments_organization_id_id")),
    )
    op.create_index(
        "ix_student_payments_org_month", "student_payments", ["organization_id", "month"], unique=False
    )
    op.create_index(
        "ix_student_payments_org_student", "student_payments", ["organization_id", "student_id"], unique=False
    )
    op.create_table(
        "teacher_payouts",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("teacher_id", sa.Uuid(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("total_amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("status", sa.Enum("pending", "paid", "overdue", name="payment_status"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("extract(day from month) = 1", name=op.f("ck_teacher_payouts_month_is_first_day")),
        sa.ForeignKeyConstraint(
            ["organization_id", "teacher_id"],
            ["teachers.organization_id", "teachers.id"],
            name=op.f("fk_teacher_payouts_organization_id_teacher_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_teacher_payouts_organization_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teacher_payouts")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_teacher_payouts_organization_id_id")),
    )
    op.create_index(
        "ix_teacher_payouts_org_month", "teacher_payouts", ["organization_id", "month"], unique=False
    )
    op.create_table(
        "class_sessions",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=True),
        sa.Column("venue_id", sa.Uuid(), nullable=True),
        sa.Column("teacher_id", sa.Uuid(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=True),
        sa.Column("end_time", sa.Time(), nullable=True),
        sa.Column(
            "status", sa.Enum("scheduled", "held", "cancelled", name="class_session_status"), nullable=False
        ),
        sa.Column("cancel_reason", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "end_time IS NULL OR start_time IS NULL OR end_time > start_time",
            name=op.f("ck_class_sessions_times_ordered"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "group_id"],
            ["groups.organization_id", "groups.id"],
            name=op.f("fk_class_sessions_organization_id_group_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "teacher_id"],
            ["teachers.organization_id", "teachers.id"],
            name=op.f("fk_class_sessions_organization_id_teacher_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "venue_id"],
            ["venues.organization_id", "venues.id"],
            name=op.f("fk_class_sessions_organization_id_venue_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_class_sessions_organization_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_class_sessions")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_class_sessions_organization_id_id")),
    )
    op.create_index("ix_class_sessions_org_date", "class_sessions", ["organization_id", "date"], unique=False)
    op.create_index(
        "ix_class_sessions_org_group_date",
        "class_sessions",
        ["organization_id", "group_id", "date"],
        unique=False,
    )
    op.create_index(
        "ix_class_sessions_org_teacher_date",
        "class_sessions",
        ["organization_id", "teacher_id", "date"],
        unique=False,
    )
    op.create_table(
        "student_groups",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "end_date IS NULL OR end_date >= start_date", name=op.f("ck_student_groups_dates_ordered")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "group_id"],
            ["groups.organization_id", "groups.id"],
            name=op.f("fk_student_groups_organization_id_group_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "student_id"],
            ["students.organization_id", "students.id"],
            name=op.f("fk_student_groups_organization_id_student_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_student_groups_organization_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_student_groups")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_student_groups_organization_id_id")),
    )
    op.create_index(
        "ix_student_groups_org_group",
        "student_groups",
        ["organization_id", "group_id", "start_date"],
        unique=False,
    )
    op.create_index(
        "ix_student_groups_org_student", "student_groups", ["organization_id", "student_id"], unique=False
    )
    op.create_table(
        "attendance_records",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("class_session_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("present", "absent", "excused", "late", name="attendance_status"),
            nullable=False,
        ),
        sa.Column("marked_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("marked_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["marked_by_user_id"], ["users.id"], name=op.f("fk_attendance_records_marked_by_user_id")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "class_session_id"],
            ["class_sessions.organization_id", "class_sessions.id"],
            name=op.f("fk_attendance_records_organization_id_class_session_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "student_id"],
            ["students.organization_id", "students.id"],
            name=op.f("fk_attendance_records_organization_id_student_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_attendance_records_organization_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_records")),
        sa.UniqueConstraint(
            "organization_id",
            "class_session_id",
            "student_id",
            name=op.f("uq_attendance_records_organization_id_class_session_id_student_id"),
        ),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_attendance_records_organization_id_id")),
    )
    op.create_index(
        "ix_attendance_records_org_student",
        "attendance_records",
        ["organization_id", "student_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_attendance_records_org_student", table_name="attendance_records")
    op.drop_table("attendance_records")
    op.drop_index("ix_student_groups_org_student", table_name="student_groups")
    op.drop_index("ix_student_groups_org_group", table_name="student_groups")
    op.drop_table("student_groups")
    op.drop_index("ix_class_sessions_org_teacher_date", table_name="class_sessions")
    op.drop_index("ix_class_sessions_org_group_date", table_name="class_sessions")
    op.drop_index("ix_class_sessions_org_date", table_name="class_sessions")
    op.drop_table("class_sessions")
    op.drop_index("ix_teacher_payouts_org_month", table_name="teacher_payouts")
    op.drop_table("teacher_payouts")
    op.drop_index("ix_student_payments_org_student", table_name="student_payments")
    op.drop_index("ix_student_payments_org_month", table_name="student_payments")
    op.drop_table("student_payments")
    op.drop_index("ix_private_sessions_org_teacher_date", table_name="private_sessions")
    op.drop_table("private_sessions")
    op.drop_table("groups")
    op.drop_table("venues")
    op.drop_index(op.f("ix_user_sessions_user_id"), table_name="user_sessions")
    op.drop_table("user_sessions")
    op.drop_index(op.f("ix_teachers_user_id"), table_name="teachers")
    op.drop_table("teachers")
    op.drop_index("ix_students_organization_id_full_name", table_name="students")
    op.drop_table("students")
    op.drop_index(
        "uq_organization_members_active",
        table_name="organization_members",
        postgresql_where=sa.text("removed_at IS NULL"),
    )
    op.drop_index(op.f("ix_organization_members_user_id"), table_name="organization_members")
    op.drop_table("organization_members")
    op.drop_table("invitations")
    op.drop_index(
        "ix_domain_events_undispatched",
        table_name="domain_events",
        postgresql_where=sa.text("dispatched_at IS NULL"),
    )
    op.drop_table("domain_events")
    op.drop_index("ix_audit_log_org_entity", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("api_keys")
    op.drop_table("users")
    op.drop_table("organizations")
    op.drop_index("ix_login_attempts_ip_created_at", table_name="login_attempts")
    op.drop_index("ix_login_attempts_email_created_at", table_name="login_attempts")
    op.drop_table("login_attempts")
    for enum_name in (
        "attendance_status",
        "payment_status",
        "class_session_status",
        "group_status",
        "teacher_payment_type",
        "member_role",
        "organization_type",
    ):
        op.execute(f"DROP TYPE IF EXISTS {enum_name}")
