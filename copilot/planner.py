"""What a planner decides for one utterance, and the interface both planners implement."""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from typing import Any, Protocol

from tools.base import ToolContext


class DecisionKind(enum.StrEnum):
    TOOL = "tool"  # call a tool with these arguments
    CLARIFY = "clarify"  # ask the person a short question
    REFUSE = "refuse"  # outside what Cadence can do
    CONFIRM = "confirm"  # "yes" to the pending action
    CANCEL = "cancel"  # "no" to the pending action


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    llm_calls: int = 0
    prompt_bytes: int = 0  # system prompt + messages + tool schemas sent, per the last call
    model_ms: float = 0.0  # time spent waiting for the model (turn latency is reported without it)


@dataclass(frozen=True)
class Decision:
    kind: DecisionKind
    tool: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    text: str = ""  # the question or refusal, for CLARIFY and REFUSE
    options: list[str] = field(default_factory=list)
    planner: str = "offline"
    usage: Usage = field(default_factory=Usage)
    note: str = ""  # said before the answer, e.g. that the LLM was unreachable
    awaiting: dict[str, Any] | None = None  # a half-built call waiting for a missing argument
    # The language the message was read in ("es"): the answer is said in it. None: the graph detects it.
    language: str | None = None


SUBJECT_KINDS = ("student", "group", "teacher", "venue")


@dataclass(frozen=True)
class Memory:
    """What a follow-up needs from earlier turns: the last call, or one waiting for an answer."""

    last_tool: str | None = None
    last_args: dict[str, Any] = field(default_factory=dict)
    awaiting: dict[str, Any] | None = None  # {"tool", "args", "missing"}
    # The conversation's subjects: the last student, group, teacher and venue named in any call, so
    # "and her balance?" or "who's in it?" two turns later still knows whom they mean.
    subjects: dict[str, str] = field(default_factory=dict)
    history: list[dict[str, str]] = field(default_factory=list)  # recent {"role", "content"}

    @classmethod
    def from_state(cls, raw: dict[str, Any] | None) -> Memory:
        raw = raw or {}
        return cls(
            last_tool=raw.get("last_tool"),
            last_args=dict(raw.get("last_args") or {}),
            awaiting=raw.get("awaiting"),
            history=list(raw.get("history") or []),
            subjects=dict(raw.get("subjects") or {}),
        )

    def to_state(self) -> dict[str, Any]:
        return {
            "last_tool": self.last_tool,
            "last_args": self.last_args,
            "awaiting": self.awaiting,
            "history": self.history[-8:],
            "subjects": self.subjects,
        }

    def with_subjects(self, args: dict[str, Any]) -> Memory:
        """The subjects after a call with these arguments: each name said replaces the last of its kind."""
        named = {kind: str(args[kind]) for kind in SUBJECT_KINDS if isinstance(args.get(kind), str)}
        absent = args.get("absent")
        if "student" not in named and isinstance(absent, list) and len(absent) == 1:
            named["student"] = str(absent[0])  # "all came except Lucía": "how has she been attending?"
        if not named:
            return self
        kept = {kind: name for kind, name in self.subjects.items() if kind not in named}
        return dataclasses.replace(self, subjects={**kept, **named})  # in the order they were named


class Planner(Protocol):
    name: str

    async def plan(self, ctx: ToolContext, utterance: str, memory: Memory, *, pending: bool) -> Decision: ...
