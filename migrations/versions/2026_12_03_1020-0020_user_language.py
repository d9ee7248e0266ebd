"""A person's own language: ``users.language`` ('en' or 'es'; NULL means their organization's locale).

The web app, emails and the Telegram bot speak it when it is set; a check keeps it to the languages
Cadence has words for.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 10:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("language", sa.String(length=2), nullable=True))
    op.create_check_constraint("ck_users_language", "users", "language IN ('en', 'es')")


def downgrade() -> None:
    op.drop_constraint("ck_users_language", "users", type_="check")
    op.drop_column("users", "language")
