"""The client's id of the message a copilot turn answered, so messages sent together keep their order.

A chat client may name each message (``id``) and the one sent just before it that is still unanswered
(``after``); the turn of a message waits until the turn of its ``after`` is recorded. With several worker
processes, two messages sent milliseconds apart may otherwise take the conversation in either order.
``copilot_turns.client_message_id`` holds that id (NULL for channels that do not send one); the partial
index answers "is that message's turn recorded yet?" for one conversation.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04 10:24:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("copilot_turns", sa.Column("client_message_id", sa.Uuid(), nullable=True))
    op.create_index(
        "ix_copilot_turns_thread_message",
        "copilot_turns",
        ["thread_key", "client_message_id"],
        unique=False,
        postgresql_where=sa.text("client_message_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_copilot_turns_thread_message", table_name="copilot_turns")
    op.drop_column("copilot_turns", "client_message_id")
