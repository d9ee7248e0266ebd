"""The notification tables. The ledger keeps every message ever queued; nothing is deleted."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime, time

from sqlalchemy import ARRAY, BigInteger, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, HasCreatedAt, TenantOwned, pg_enum


class Kind(enum.StrEnum):
    """What a message is about; settings and opt-outs name these."""

    PAYMENT_REMINDER = "payment_reminder"
    ATTENDANCE_REMINDER = "attendance_reminder"
    MISSING_DATA = "missing_data"
    SESSION_CANCELLED = "session_cancelled"
    SCHEDULE_CHANGED = "schedule_changed"
    PAYOUT_APPROVED = "payout_approved"
    TEACHER_AGENDA = "teacher_agenda"
    ADMIN_DIGEST = "admin_digest"
    PAYOUT_PREVIEW = "payout_preview"
    WAITLIST_OFFER = "waitlist_offer"  # a place freed in a full group: offered to the next on its waitlist
    WEBHOOK = "webhook"  # a domain event POSTed to one of the organization's endpoints
    INVITATION = "invitation"  # to the person invited to join, with the link
    REGISTRATION_RECEIVED = "registration_received"  # to whoever filled in the public registration form


class Channel(enum.StrEnum):
    EMAIL = "email"
    TELEGRAM = "telegram"
    WEBHOOK = "webhook"  # machines: not held by quiet hours


class Status(enum.StrEnum):
    PENDING = "pending"  # waiting for its time (not_before, quiet hours)
    SENDING = "sending"  # claimed by one worker; never claimed again
    SENT = "sent"
    SKIPPED = "skipped"  # opted out, kind switched off, no address: recorded, never sent
    FAILED = "failed"  # the channel refused it too many times
    UNCERTAIN = "uncertain"  # the worker died while sending: not resent, so never a duplicate


class NotificationSettings(TenantOwned, Base):
    """Which kinds go out and when, in the organization's timezone. A change adds a row; the latest
    is in force (no row: the defaults), so earlier settings stay on record."""

    __tablename__ = "notification_settings"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (Index("ix_notification_settings_org_created", "organization_id", "created_at"),)

    disabled_kinds: Mapped[list[str]] = mapped_column(ARRAY(String), server_default=text("'{}'"))
    quiet_start: Mapped[time] = mapped_column(server_default=text("'21:00'"))
    quiet_end: Mapped[time] = mapped_column(server_default=text("'07:00'"))
    agenda_hour: Mapped[int] = mapped_column(server_default=text("7"))
    attendance_reminder_hour: Mapped[int] = mapped_column(server_default=text("19"))
    digest_weekday: Mapped[int] = mapped_column(server_default=text("0"))  # Monday
    digest_hour: Mapped[int] = mapped_column(server_default=text("9"))
    payout_preview_day: Mapped[int] = mapped_column(server_default=text("25"))


class OptOut(TenantOwned, Base):
    """A recipient who wants no messages (``kind`` null) or none of one kind. Opting back in sets
    ``withdrawn_at``: the row stays as the record of what they asked for and when."""

    __tablename__ = "notification_opt_outs"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (
            Index(
                "uq_notification_opt_outs_active",
                "organization_id",
                "recipient",
                text("coalesce(kind, '*')"),
                unique=True,
                postgresql_where=text("withdrawn_at IS NULL"),
            ),
        )

    recipient: Mapped[str]  # "user:<id>" or "student:<id>" (the student's family)
    kind: Mapped[str | None]
    withdrawn_at: Mapped[datetime | None]


class Notification(TenantOwned, Base):
    """One message to one recipient. ``(recipient, kind, period)`` is unique: a job that runs twice
    finds the row already there and queues nothing."""

    __tablename__ = "notifications"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (
            UniqueConstraint("organization_id", "recipient", "kind", "period"),
            Index(
                "ix_notifications_due",
                "organization_id",
                "not_before",
                postgresql_where=text("status = 'pending'"),
            ),
        )

    recipient: Mapped[str]  # "user:<id>", "student:<id>", "teacher:<id>", "webhook:<endpoint id>"
    kind: Mapped[str]
    period: Mapped[str]  # "2026-11-26", "2026-W48", "2026-11", "session:<id>", …
    channel: Mapped[Channel] = mapped_column(pg_enum(Channel, "notification_channel"))
    address: Mapped[str | None]  # an email address or a Telegram chat id
    subject: Mapped[str]
    body: Mapped[str]
    status: Mapped[Status] = mapped_column(pg_enum(Status, "notification_status"))
    reason: Mapped[str | None]
    event_id: Mapped[uuid.UUID | None]
    not_before: Mapped[datetime] = mapped_column(server_default=text("now()"))
    attempts: Mapped[int] = mapped_column(server_default=text("0"))
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]


class TelegramAccount(HasCreatedAt, Base):
    """A user's linked Telegram account (global: one person, many organizations)."""

    __tablename__ = "telegram_accounts"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    # The organization the bot acts in for this person (/org); None until chosen or when ambiguous.
    active_organization_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organizations.id"))
