"""A calendar feed for the whole school: every class of the organization, for the office's calendar
(the schedule page's "school" link beside the per-teacher and per-group ones).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 10:21:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TYPE calendar_feed_kind ADD VALUE IF NOT EXISTS 'school'")


def downgrade() -> None:
    # PostgreSQL cannot drop an enum value; 'school' stays in calendar_feed_kind, its feeds go.
    op.execute("DELETE FROM calendar_feeds WHERE kind = 'school'")
