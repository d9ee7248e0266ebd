"""The copilot: student notes with embeddings, conversation threads and turns, the retrieval index.

LangGraph's own checkpoint tables are created by ``migrations.runner`` with the library's setup.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 12:10:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from pgvector.sqlalchemy import Vector
from sqlalchemy.dialects import postgresql

from migrations.rls import drop_tenant_rls_sql, tenant_rls_sql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DIMENSIONS = 256  # domain.embeddings.DIMENSIONS when this was written
TENANT_TABLES = ("student_notes", "copilot_threads", "copilot_turns")
# `cadence confirm ACTION_ID` names no organization: this finds whose action it is (and nothing else),
# before the tenant is set; the caller must then be that organization's member and the proposer.
ACTION_LOOKUP = """
CREATE FUNCTION cadence_pending_action_owner(p_action_id uuid)
RETURNS TABLE (organization_id uuid, user_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT organization_id, user_id FROM pending_actions WHERE id = p_action_id
$$
"""


def _tenant_columns(table: str) -> list[Any]:
    return [
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f(f"fk_{table}_organization_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.UniqueConstraint("organization_id", "id", name=op.f(f"uq_{table}_organization_id_id")),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    ]


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.create_table(
        "student_notes",
        *_tenant_columns("student_notes"),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("author_user_id", sa.Uuid(), nullable=True),
        sa.Column("embedding", Vector(DIMENSIONS), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "student_id"],
            ["students.organization_id", "students.id"],
            name=op.f("fk_student_notes_organization_id_student_id"),
        ),
        sa.ForeignKeyConstraint(
            ["author_user_id"], ["users.id"], name=op.f("fk_student_notes_author_user_id")
        ),
    )
    op.create_index("ix_student_notes_org_student", "student_notes", ["organization_id", "student_id"])
    op.create_table(
        "copilot_threads",
        *_tenant_columns("copilot_threads"),
        sa.Column("thread_key", sa.String(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("chat", sa.String(), nullable=False),
        sa.Column(
            "last_used_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("pruned_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_copilot_threads_user_id")),
        sa.UniqueConstraint("thread_key", name=op.f("uq_copilot_threads_thread_key")),
    )
    op.create_index(
        "ix_copilot_threads_org_last_used", "copilot_threads", ["organization_id", "last_used_at"]
    )
    op.create_table(
        "copilot_turns",
        *_tenant_columns("copilot_turns"),
        sa.Column("thread_key", sa.String(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("planner", sa.String(), nullable=False),
        sa.Column("tool", sa.String(), nullable=True),
        sa.Column("outcome", sa.String(), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("llm_calls", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_copilot_turns_user_id")),
    )
    op.create_index("ix_copilot_turns_org_created", "copilot_turns", ["organization_id", "created_at"])
    op.create_table(
        "copilot_retrieval",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("language", sa.String(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("tool", sa.String(), nullable=False),
        sa.Column(
            "args",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("embedder", sa.String(), nullable=False),
        sa.Column("embedding", Vector(DIMENSIONS), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_copilot_retrieval")),
        sa.UniqueConstraint(
            "kind",
            "language",
            "text",
            "embedder",
            name=op.f("uq_copilot_retrieval_kind_language_text_embedder"),
        ),
    )
    for table in TENANT_TABLES:
        for statement in tenant_rls_sql(table):
            op.execute(statement)
    op.add_column("pending_actions", sa.Column("thread_key", sa.String(), nullable=True))
    op.execute(ACTION_LOOKUP)
    op.execute("REVOKE ALL ON FUNCTION cadence_pending_action_owner(uuid) FROM PUBLIC")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS cadence_pending_action_owner(uuid)")
    op.drop_column("pending_actions", "thread_key")
    for table in TENANT_TABLES:
        for statement in drop_tenant_rls_sql(table):
            op.execute(statement)
    op.drop_table("copilot_retrieval")
    op.drop_table("copilot_turns")
    op.drop_table("copilot_threads")
    op.drop_table("student_notes")
