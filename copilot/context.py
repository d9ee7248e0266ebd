"""What a turn runs with, injected by the entry point (never checkpointed, never set by the model)."""

from __future__ import annotations

from dataclasses import dataclass, field

from copilot.planner import Planner, Usage
from tools.base import ToolContext


@dataclass
class TurnContext:
    tools: ToolContext  # session, tenant (from authentication), today, now, embedder
    planner: Planner
    channel: str
    thread_key: str
    usage: Usage = field(default_factory=Usage)
    planner_used: str = "offline"
