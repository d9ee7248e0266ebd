"""What the graph keeps per thread (checkpointed in PostgreSQL) and per turn."""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

from langgraph.channels.untracked_value import UntrackedValue


class PendingView(TypedDict):
    id: str
    preview: str
    expires_at: str


class TurnState(TypedDict, total=False):
    utterance: str
    memory: dict[str, Any]  # copilot.planner.Memory, as plain data
    decision: dict[str, Any] | None
    # What one run answers is not checkpointed: nothing in a later run reads it (a resumed run writes its
    # own), while a conversation reused turn after turn would read, copy and write back the last answer's
    # data (a whole school's unpaid list) on every turn (issue 16).
    answer: Annotated[str, UntrackedValue]
    tool_calls: list[dict[str, Any]]
    data: Annotated[Any, UntrackedValue]
    pending: PendingView | None
    outcome: str  # answered | pending | clarify | refused | confirmed | cancelled | failed
