from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from domain.inputs import Line, Moment, Secret
from domain.tenancy import Role, Scope, TenantContext


class SignupIn(BaseModel):
    email: Line = Field(max_length=254, examples=["ana@studio.example"])
    password: Secret = Field(max_length=256)
    name: Line | None = Field(default=None, max_length=200)


class LoginIn(BaseModel):
    email: Line = Field(max_length=254)
    password: Secret = Field(max_length=256)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    name: str | None


class Membership(BaseModel):
    """A user's place in one organization, as listed before any tenant is chosen."""

    model_config = ConfigDict(frozen=True)

    organization_id: uuid.UUID
    role: Role
    name: str
    slug: str
    type: str
    timezone: str

    def tenant(self, user_id: uuid.UUID) -> TenantContext:
        return TenantContext(
            org_id=self.organization_id, role=self.role, user_id=user_id, timezone=self.timezone
        )


class MeOut(BaseModel):
    user: UserOut
    active_organization_id: uuid.UUID | None
    memberships: list[Membership]
    csrf_token: str | None = None


class ApiKeyIn(BaseModel):
    name: Line = Field(min_length=1, max_length=100)
    scopes: list[Scope] = Field(default_factory=lambda: [Scope.READ], min_length=1)
    expires_at: Moment | None = None


class ApiKeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreatedOut(ApiKeyOut):
    key: str = Field(description="The secret key. Shown only once: store it now.")
