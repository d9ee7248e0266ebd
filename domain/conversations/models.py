"""Copilot conversations: who owns a thread, what each turn cost, and the retrieval index."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pgvector.sqlalchemy import Vector
from sqlalchemy import ForeignKey, Index, UniqueConstraint
from sqlalchemy import text as sql
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, HasCreatedAt, HasId, TenantOwned
from domain.embeddings import DIMENSIONS


class CopilotThread(TenantOwned, Base):
    """A conversation's checkpoint thread. LangGraph's tables carry no organization: this row does,
    so a thread id is honoured only for the organization and person it belongs to."""

    __tablename__ = "copilot_threads"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (
            UniqueConstraint("thread_key"),
            Index("ix_copilot_threads_org_last_used", "organization_id", "last_used_at"),
        )

    thread_key: Mapped[str]
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[str]
    chat: Mapped[str]
    last_used_at: Mapped[datetime] = mapped_column(server_default=sql("now()"))
    pruned_at: Mapped[datetime | None]


class CopilotTurn(TenantOwned, Base):
    """One question and how it was answered: planner, tool, tokens (LLM usage is recorded per turn)."""

    __tablename__ = "copilot_turns"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (
            Index("ix_copilot_turns_org_created", "organization_id", "created_at"),
            Index(
                "ix_copilot_turns_thread_message",
                "thread_key",
                "client_message_id",
                postgresql_where=sql("client_message_id IS NOT NULL"),
            ),
        )

    thread_key: Mapped[str]
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    planner: Mapped[str]  # offline | llm | llm->offline (fell back)
    tool: Mapped[str | None]
    outcome: Mapped[str]  # answered | pending | clarify | refused | confirmed | cancelled
    said: Mapped[str | None]  # what the person wrote (a chat's history is shown from these)
    answer: Mapped[str | None]
    pending_action_id: Mapped[uuid.UUID | None]  # the preview this turn proposed, if any
    prompt_tokens: Mapped[int] = mapped_column(server_default=sql("0"))
    completion_tokens: Mapped[int] = mapped_column(server_default=sql("0"))
    llm_calls: Mapped[int] = mapped_column(server_default=sql("0"))
    # The id a chat client gave the message (``POST /chat/messages``'s ``id``), for a message sent after it
    # to wait for this turn: messages sent together are answered in the order sent.
    client_message_id: Mapped[uuid.UUID | None]
    # The spreadsheet this turn's answer offered (``domain.exports.kept``), shown again with the history.
    file_id: Mapped[uuid.UUID | None]


class RetrievalEntry(HasId, HasCreatedAt, Base):
    """Product data, not tenant data: the planner's exemplars and the tools' descriptions, embedded,
    so the offline planner and the LLM's tool list pick the nearest ones with pgvector."""

    __tablename__ = "copilot_retrieval"
    __table_args__ = (UniqueConstraint("kind", "language", "text", "embedder"),)

    kind: Mapped[str]  # exemplar | tool
    language: Mapped[str]
    text: Mapped[str]
    tool: Mapped[str]
    args: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=sql("'{}'::jsonb"))
    embedder: Mapped[str]
    embedding: Mapped[list[float]] = mapped_column(Vector(DIMENSIONS))
