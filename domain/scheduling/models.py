"""Slots, closures and calendar feeds. Slots are never edited in place once used: a change from a
date ends the old slot the day before and starts a new one, so earlier sessions keep their source."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, TenantOwned, pg_enum, tenant_fk


class GroupSlot(TenantOwned, Base):
    """A weekly (or every-N-weeks) class time of a group, in the organization's local time."""

    __tablename__ = "group_slots"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (
            tenant_fk("group_id", "groups"),
            tenant_fk("venue_id", "venues"),
            tenant_fk("teacher_id", "teachers"),
            tenant_fk("replaces_slot_id", "group_slots"),
            CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
            CheckConstraint("interval_weeks BETWEEN 1 AND 8", name="interval_range"),
            CheckConstraint("end_time > start_time", name="times_ordered"),
            CheckConstraint("valid_until IS NULL OR valid_until >= valid_from", name="dates_ordered"),
            Index("ix_group_slots_org_group", "organization_id", "group_id"),
        )

    group_id: Mapped[uuid.UUID]
    weekday: Mapped[int]  # 0 = Monday
    start_time: Mapped[time]
    end_time: Mapped[time]
    venue_id: Mapped[uuid.UUID | None]  # None: the group's venue
    teacher_id: Mapped[uuid.UUID | None]  # None: the group's regular teacher
    interval_weeks: Mapped[int] = mapped_column(default=1)
    anchor_date: Mapped[date]  # the first occurrence: fixes which weeks an every-2-weeks slot runs
    valid_from: Mapped[date]
    valid_until: Mapped[date | None]
    replaces_slot_id: Mapped[uuid.UUID | None]  # the slot this one continues, after a change


class Closure(TenantOwned, Base):
    """Closed dates: the whole organization (``venue_id`` null) or one venue. Withdrawing keeps the row."""

    __tablename__ = "closures"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (
            tenant_fk("venue_id", "venues"),
            CheckConstraint("end_date >= start_date", name="dates_ordered"),
            Index("ix_closures_org_dates", "organization_id", "start_date", "end_date"),
        )

    start_date: Mapped[date]
    end_date: Mapped[date]
    venue_id: Mapped[uuid.UUID | None]
    reason: Mapped[str]
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None]


class FeedKind(enum.StrEnum):
    TEACHER = "teacher"
    GROUP = "group"
    SCHOOL = "school"  # every class of the organization (migration 0021); target_id is the organization's


class CalendarFeed(TenantOwned, Base):
    """A secret, revocable ICS address for one teacher's, one group's or the whole school's classes. Only
    the token's hash is stored."""

    __tablename__ = "calendar_feeds"

    kind: Mapped[FeedKind] = mapped_column(pg_enum(FeedKind, "calendar_feed_kind"))
    target_id: Mapped[uuid.UUID]
    token_hash: Mapped[str] = mapped_column(unique=True)
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None]
