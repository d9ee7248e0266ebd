"""The spreadsheet a copilot turn made, so the web chat shows its download link again after a reload.

``copilot_turns.file_id`` names the kept file ("send me that as a spreadsheet") the turn's answer offered;
NULL for every other turn. No foreign key: kept files go after a day (``domain.exports.kept``) while the
conversation's history stays, and the history shows the link only while the file is still kept.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04 10:26:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("copilot_turns", sa.Column("file_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    op.drop_column("copilot_turns", "file_id")
