from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, HasCreatedAt, HasId, TenantOwned, pg_enum
from domain.tenancy import Role


class OrganizationType(enum.StrEnum):
    SCHOOL = "school"
    INDEPENDENT_TEACHER = "independent_teacher"


class Organization(HasId, HasCreatedAt, Base):
    """The tenant. Its own RLS policy filters on ``id`` instead of ``organization_id``."""

    __tablename__ = "organizations"
    __table_args__ = (
        CheckConstraint("slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'", name="slug_format"),
        CheckConstraint("char_length(currency) = 3", name="currency_code"),
    )

    name: Mapped[str]
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    type: Mapped[OrganizationType] = mapped_column(pg_enum(OrganizationType, "organization_type"))
    timezone: Mapped[str] = mapped_column(server_default="UTC")
    currency: Mapped[str] = mapped_column(String(3), server_default="EUR")
    locale: Mapped[str] = mapped_column(server_default="en")
    country: Mapped[str | None] = mapped_column(String(2))  # ISO 3166-1 alpha-2: phones, holidays
    # Scheduling: skip the country's (and region's) public holidays when generating classes; opt-in.
    public_holidays: Mapped[bool] = mapped_column(server_default=text("false"))
    holiday_region: Mapped[str | None]  # the `holidays` package's subdivision code, e.g. "MD"
    schedule_horizon_weeks: Mapped[int] = mapped_column(server_default=text("4"))
    # Students' and colleagues' emails and phones reach teachers only if the school says so.
    teachers_see_contacts: Mapped[bool] = mapped_column(server_default=text("false"))
    archived_at: Mapped[datetime | None]
    # Bumped by a trigger (migration 0014) whenever a student, group, teacher or venue name is added,
    # renamed, archived or removed: the copilot's cached name directory is keyed by it.
    names_version: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))


class OrganizationMember(TenantOwned, Base):
    """A user's role in one organization. Removal sets ``removed_at``; the row stays as history."""

    __tablename__ = "organization_members"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[Index, ...]:
        return (
            Index(
                "uq_organization_members_active",
                "organization_id",
                "user_id",
                unique=True,
                postgresql_where=text("removed_at IS NULL"),
            ),
        )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[Role] = mapped_column(pg_enum(Role, "member_role"))
    removed_at: Mapped[datetime | None]
    removed_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class Invitation(TenantOwned, Base):
    """An emailed invitation to join with a role; only the token's hash is stored."""

    __tablename__ = "invitations"

    email: Mapped[str]
    role: Mapped[Role] = mapped_column(pg_enum(Role, "member_role"))
    token_hash: Mapped[str] = mapped_column(unique=True)
    invited_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None]
