"""What a tool is: a name, a one-line description, a pydantic argument model, a kind, the roles it
is offered to, and functions that call domain services. Tools add no business logic: services
check permissions and rules; a tool resolves names, calls the service and renders the result.

Every result renders deterministically to concise text (facts come from the database, not from a
model) and also carries structured data.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from domain.embeddings import Embedder, default_embedder
from domain.payments.storage import ReceiptStorage
from domain.tenancy import Role, TenantContext
from tools.speech import ENGLISH, Speech

EVERYONE = frozenset(Role)
OFFICE = frozenset({Role.ADMIN, Role.STAFF})
ADMINS = frozenset({Role.ADMIN})


class ToolKind(enum.StrEnum):
    READ = "read"
    WRITE = "write"


@dataclass(frozen=True)
class Attachment:
    """A file that came with the message (a photo or PDF sent to the bot), checked and staged in
    receipt storage; nothing in the database refers to it until a write that uses it is confirmed."""

    staged_key: str
    filename: str
    size: int


@dataclass(frozen=True)
class ToolContext:
    session: AsyncSession
    tenant: TenantContext
    today: date
    now: datetime
    embedder: Embedder = field(default_factory=default_embedder)
    attachment: Attachment | None = None
    receipts: ReceiptStorage | None = None  # where receipts are kept (for writes that attach one)
    receipt_max_bytes: int = 10 * 1024 * 1024
    # The language the answer is said in (the copilot: the one the message was written in; REST, MCP
    # and the CLI: English), and the organization's locale, for how its money and dates look.
    language: str = ENGLISH
    locale: str | None = None
    # The organization's names version as this turn's transaction read it with the organization's row
    # (the copilot reads that row anyway): the name directory is keyed by it without asking again.
    names_version: int | None = None

    @property
    def speech(self) -> Speech:
        return Speech(self.language, self.locale)

    @property
    def school_now(self) -> datetime:
        """The school's wall-clock time on ``today`` (what "the next class" is counted from). When a
        caller pins ``today`` to another day (evals, a replay), the time of day is kept on that day."""
        local = self.now.astimezone(ZoneInfo(self.tenant.timezone))
        return datetime.combine(self.today, local.time().replace(tzinfo=None))


@dataclass(frozen=True)
class ToolOutput:
    text: str
    data: Any = None


@dataclass(frozen=True)
class Plan:
    """A write, fully resolved to ids, and the sentence that says exactly what it will change."""

    args: dict[str, Any]
    preview: str


class NeedsClarification(Exception):
    """The request is ambiguous or incomplete; the message is the question to ask."""

    def __init__(
        self,
        question: str,
        options: list[str] | None = None,
        *,
        kind: str | None = None,
        said: str | None = None,
    ) -> None:
        super().__init__(question)
        self.question = question
        self.options = options or []
        self.kind = kind  # what kind of name was unclear, and the words said: the answer completes it
        self.said = said


@dataclass(frozen=True)
class ReadTool:
    name: str
    description: str
    args: type[BaseModel]
    roles: frozenset[Role]
    run: Callable[[ToolContext, Any], Awaitable[ToolOutput]]
    kind: ToolKind = ToolKind.READ


@dataclass(frozen=True)
class WriteTool:
    name: str
    description: str
    args: type[BaseModel]
    roles: frozenset[Role]
    plan: Callable[[ToolContext, Any], Awaitable[Plan]]  # reads only: what exactly would change
    apply: Callable[
        [ToolContext, dict[str, Any]], Awaitable[ToolOutput]
    ]  # the planned args, after confirmation
    kind: ToolKind = ToolKind.WRITE


Tool = ReadTool | WriteTool
