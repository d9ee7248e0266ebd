"""A waitlist per group: students waiting for a place in a full group, in order.

``group_waitlist`` is a tenant table (RLS enabled and forced, the usual four policies; composite foreign
keys to the group and the student). A partial unique index keeps a student on a group's list at most once
while waiting (``removed_at IS NULL``); rows are never deleted — enrolling or removing sets ``removed_at``
and the reason, so who waited and for how long stays on record.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 10:19:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.rls import drop_tenant_rls_sql, tenant_rls_sql

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "group_waitlist",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("added_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_reason", sa.String(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "group_id"],
            ["groups.organization_id", "groups.id"],
            name=op.f("fk_group_waitlist_organization_id_group_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "student_id"],
            ["students.organization_id", "students.id"],
            name=op.f("fk_group_waitlist_organization_id_student_id"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_group_waitlist_organization_id")
        ),
        sa.ForeignKeyConstraint(
            ["added_by_user_id"], ["users.id"], name=op.f("fk_group_waitlist_added_by_user_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_waitlist")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_group_waitlist_organization_id_id")),
    )
    op.create_index(
        "ix_group_waitlist_org_group", "group_waitlist", ["organization_id", "group_id", "created_at"]
    )
    op.create_index(
        "uq_group_waitlist_waiting",
        "group_waitlist",
        ["organization_id", "group_id", "student_id"],
        unique=True,
        postgresql_where=sa.text("removed_at IS NULL"),
    )
    for statement in tenant_rls_sql("group_waitlist"):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_tenant_rls_sql("group_waitlist"):
        op.execute(statement)
    op.drop_table("group_waitlist")
