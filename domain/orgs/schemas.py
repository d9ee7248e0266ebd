from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.inputs import Count, Flag, Line, Secret
from domain.orgs.models import OrganizationType
from domain.tenancy import Role


class OrganizationIn(BaseModel):
    name: Line = Field(min_length=1, max_length=200, examples=["Salsa Sur"])
    type: OrganizationType
    slug: Line | None = Field(default=None, max_length=63, description="Made from the name when omitted.")
    timezone: Line = Field(default="UTC", max_length=64, examples=["Europe/Madrid"])
    currency: Line = Field(default="EUR", min_length=3, max_length=3)
    locale: Line = Field(default="en", max_length=35)
    country: Line | None = Field(default=None, min_length=2, max_length=2, examples=["ES"])


class OrganizationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    slug: str
    type: OrganizationType
    timezone: str
    currency: str
    locale: str
    country: str | None
    public_holidays: bool = False
    holiday_region: str | None = None
    schedule_horizon_weeks: int = 4
    teachers_see_contacts: bool = False
    created_at: datetime


class OrganizationSettingsIn(BaseModel):
    """Settings an admin changes; fields left out stay as they are (null clears only the optional ones:
    country and holiday region). The service checks each value against its source of truth (IANA zones,
    ISO 4217, ISO 3166, the ``holidays`` package's regions) and stores nothing when one is wrong."""

    model_config = ConfigDict(extra="forbid")

    name: Line | None = Field(default=None, min_length=1, max_length=200)
    timezone: Line | None = Field(default=None, max_length=64, examples=["Europe/Madrid"])
    currency: Line | None = Field(default=None, min_length=3, max_length=3, examples=["EUR"])
    locale: Line | None = Field(default=None, min_length=2, max_length=35, examples=["es_ES"])
    country: Line | None = Field(default=None, min_length=2, max_length=2, examples=["ES"])
    public_holidays: Flag | None = Field(
        default=None, description="Skip the country's (and region's) public holidays when generating classes."
    )
    holiday_region: Line | None = Field(
        default=None, max_length=20, description="A region of the country, e.g. MD (Madrid)."
    )
    schedule_horizon_weeks: Count | None = Field(default=None, ge=1, le=26)
    teachers_see_contacts: Flag | None = Field(
        default=None, description="Teachers see the emails and phones of their own students and colleagues."
    )

    @model_validator(mode="after")
    def _no_nulls(self) -> OrganizationSettingsIn:
        erasable = {"country", "holiday_region"}
        given_null = sorted(n for n in self.model_fields_set - erasable if getattr(self, n) is None)
        if given_null:
            raise ValueError(
                f"leave out what should not change; null is not a value for {', '.join(given_null)}"
            )
        return self


class SwitchIn(BaseModel):
    organization_id: uuid.UUID


class MemberOut(BaseModel):
    id: uuid.UUID
    user_id: uuid.UUID
    email: str
    name: str | None
    role: Role
    created_at: datetime


class RoleIn(BaseModel):
    role: Role


class InvitationIn(BaseModel):
    email: Line = Field(max_length=254)
    role: Role


class InvitationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    role: Role
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None


class InvitationCreatedOut(InvitationOut):
    token: str = Field(description="Shown only once; part of the link sent to the invitee.")
    accept_url: str


class AcceptInvitationIn(BaseModel):
    token: Secret = Field(min_length=10, max_length=200)
