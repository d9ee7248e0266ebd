"""Who is acting, for which organization. Built by channels from authentication, never by a model."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo


class Role(enum.StrEnum):
    ADMIN = "admin"
    TEACHER = "teacher"
    STAFF = "staff"


class Scope(enum.StrEnum):
    """What an API key may do. Users get their permissions from their role instead."""

    READ = "read"
    PROPOSE = "propose"  # writes become pending actions that a person of the organization confirms
    WRITE = "write"
    ADMIN = "admin"


@dataclass(frozen=True)
class TenantContext:
    org_id: uuid.UUID
    role: Role
    user_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None
    scopes: frozenset[Scope] = field(default_factory=frozenset)
    timezone: str = "UTC"

    @property
    def is_admin(self) -> bool:
        if self.api_key_id is not None:
            return Scope.ADMIN in self.scopes
        return self.role is Role.ADMIN

    @classmethod
    def anonymous(cls, org_id: uuid.UUID, timezone: str = "UTC") -> TenantContext:
        """A public entry point (registration form, parent's upload link): one organization, no user,
        no scopes. Services that accept it check for themselves what an anonymous caller may do."""
        return cls(org_id=org_id, role=Role.STAFF, timezone=timezone)

    def now(self) -> datetime:
        return datetime.now(ZoneInfo(self.timezone))

    def today(self) -> date:
        """Today in the organization's timezone; call at the entry point and pass it down."""
        return self.now().date()
