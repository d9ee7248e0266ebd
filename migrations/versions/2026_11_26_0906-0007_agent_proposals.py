"""Pending actions proposed by other agents (API keys with the `propose` scope), confirmed by a person.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 13:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("pending_actions", sa.Column("api_key_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f("fk_pending_actions_api_key_id"), "pending_actions", "api_keys", ["api_key_id"], ["id"]
    )
    op.alter_column("pending_actions", "user_id", nullable=True)
    op.create_check_constraint(
        op.f("ck_pending_actions_proposed_by_someone"),
        "pending_actions",
        "user_id IS NOT NULL OR api_key_id IS NOT NULL",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_pending_actions_proposed_by_someone"), "pending_actions", type_="check")
    op.execute("DELETE FROM pending_actions WHERE user_id IS NULL")
    op.alter_column("pending_actions", "user_id", nullable=False)
    op.drop_constraint(op.f("fk_pending_actions_api_key_id"), "pending_actions", type_="foreignkey")
    op.drop_column("pending_actions", "api_key_id")
