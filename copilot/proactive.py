"""Scheduled proactive summaries: who gets which summary now, queued once per recipient and period.

Run every few minutes by the beat. Each kind has a local hour (the organization's settings, in its
timezone) and a three-hour window after it, so a late or repeated run still sends the morning agenda
in the morning and never twice: the period key (a date, an ISO week, a month) is unique per
recipient in the notification ledger.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from copilot import summaries
from copilot.summaries import Summary
from domain.notifications import recipients
from domain.notifications.models import Kind
from domain.notifications.schemas import Preferences
from domain.notifications.service import Message, Recipient, already_queued, preferences, queue
from domain.sessions.models import ClassSession, SessionStatus
from domain.teachers.models import Teacher
from domain.tenancy import Role, TenantContext
from tools.base import ToolContext

WINDOW_HOURS = 3


@dataclass(frozen=True)
class Planned:
    kind: Kind
    queued: int


def _in_window(local: dt.datetime, hour: int) -> bool:
    return hour <= local.hour < hour + WINDOW_HOURS


async def _teacher_users(session: AsyncSession, *, on: dt.date | None = None) -> list[uuid.UUID]:
    """Teachers who log in; with ``on``, only those teaching a class that day."""
    query = select(Teacher.user_id).where(Teacher.user_id.is_not(None), Teacher.archived_at.is_(None))
    if on is not None:
        query = query.where(
            select(ClassSession.id)
            .where(
                ClassSession.teacher_id == Teacher.id,
                ClassSession.date == on,
                ClassSession.status == SessionStatus.SCHEDULED,
            )
            .exists()
        )
    return [uid for uid in (await session.scalars(query.distinct())).all() if uid is not None]


Phrase = Callable[[Summary], Awaitable[str]]


async def as_written(summary: Summary) -> str:
    return summary.text()


class _Run:
    def __init__(
        self,
        session: AsyncSession,
        office: TenantContext,
        prefs: Preferences,
        now: dt.datetime,
        telegram: bool,
    ) -> None:
        self.session, self.office, self.prefs, self.now, self.telegram = session, office, prefs, now, telegram
        self.today = now.astimezone(ZoneInfo(office.timezone)).date()

    def context(self, tenant: TenantContext) -> ToolContext:
        return ToolContext(session=self.session, tenant=tenant, today=self.today, now=self.now)

    def as_teacher(self, user_id: uuid.UUID) -> TenantContext:
        """Agendas are written for the person as a teacher: their own classes, even if they also
        run the office."""
        return TenantContext(
            org_id=self.office.org_id, role=Role.TEACHER, user_id=user_id, timezone=self.office.timezone
        )

    async def send(
        self, to: Recipient, kind: Kind, period: str, summary: Summary | None, body: str = ""
    ) -> int:
        if summary is None:
            return 0
        message = Message(to, kind, period, summary.title, body or summary.text())
        return int(await queue(self.session, self.office, message, prefs=self.prefs, now=self.now))

    async def to_teachers(
        self, kind: Kind, users: list[uuid.UUID], build: Callable[[ToolContext], Awaitable[Summary | None]]
    ) -> Planned:
        queued, period = 0, self.today.isoformat()
        for user_id in users:
            to = await recipients.user(self.session, user_id, telegram=self.telegram)
            if await self.all_queued([to], kind, period):
                continue  # the beat runs every few minutes: build each agenda once
            queued += await self.send(to, kind, period, await build(self.context(self.as_teacher(user_id))))
        return Planned(kind, queued)

    async def to_admins(
        self,
        kind: Kind,
        period: str,
        build: Callable[[ToolContext], Awaitable[Summary | None]],
        phrase: Phrase = as_written,
    ) -> Planned:
        admins = await recipients.admins(self.session, self.office, telegram=self.telegram)
        if await self.all_queued(admins, kind, period):
            return Planned(kind, 0)  # a repeated run costs no tool calls and no LLM call
        summary = await build(self.context(self.office))  # the same facts for every admin
        body = await phrase(summary) if summary is not None else ""
        queued = 0
        for to in admins:
            queued += await self.send(to, kind, period, summary, body)
        return Planned(kind, queued)

    async def all_queued(self, people: list[Recipient], kind: Kind, period: str) -> bool:
        return await already_queued(self.session, {p.key for p in people}, kind, period)


async def plan(
    session: AsyncSession,
    office: TenantContext,
    *,
    now: dt.datetime,
    telegram: bool,
    phrase: Phrase = as_written,
) -> list[Planned]:
    """Queue the summaries due now for one organization (``office``: its scheduler context).
    ``phrase`` may rewrite the admin digest (an LLM; see ``copilot.phrasing``)."""
    prefs = await preferences(session, office)
    run = _Run(session, office, prefs, now, telegram)
    local = now.astimezone(ZoneInfo(office.timezone))
    iso = run.today.isocalendar()
    week = f"{iso.year}-W{iso.week:02d}"
    planned: list[Planned] = []
    if _in_window(local, prefs.agenda_hour) and prefs.sends(Kind.TEACHER_AGENDA):
        teaching = await _teacher_users(session, on=run.today)
        planned.append(await run.to_teachers(Kind.TEACHER_AGENDA, teaching, summaries.teacher_agenda))
    if _in_window(local, prefs.attendance_reminder_hour) and prefs.sends(Kind.ATTENDANCE_REMINDER):
        everyone = await _teacher_users(session)
        planned.append(
            await run.to_teachers(Kind.ATTENDANCE_REMINDER, everyone, summaries.attendance_reminder)
        )
    if local.weekday() == prefs.digest_weekday and _in_window(local, prefs.digest_hour):
        if prefs.sends(Kind.ADMIN_DIGEST):
            planned.append(await run.to_admins(Kind.ADMIN_DIGEST, week, summaries.admin_digest, phrase))
        if prefs.sends(Kind.MISSING_DATA):
            planned.append(await run.to_admins(Kind.MISSING_DATA, week, summaries.missing_data))
    payout_day = local.day == prefs.payout_preview_day and _in_window(local, prefs.digest_hour)
    if payout_day and prefs.sends(Kind.PAYOUT_PREVIEW):
        month = run.today.strftime("%Y-%m")
        planned.append(await run.to_admins(Kind.PAYOUT_PREVIEW, month, summaries.payout_preview))
    return planned
