"""What the graph keeps per thread (checkpointed in PostgreSQL) and per turn."""

from __future__ import annotations

from typing import Any, TypedDict


class PendingView(TypedDict):
    id: str
    preview: str
    expires_at: str


class TurnState(TypedDict, total=False):
    utterance: str
    memory: dict[str, Any]  # copilot.planner.Memory, as plain data
    decision: dict[str, Any] | None
    answer: str
    tool_calls: list[dict[str, Any]]
    data: Any
    pending: PendingView | None
    outcome: str  # answered | pending | clarify | refused | confirmed | cancelled | failed
