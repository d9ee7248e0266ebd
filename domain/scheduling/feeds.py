"""Calendar feeds: a secret, revocable address per teacher, group or the whole school that calendar apps poll.

Only the token's hash is stored; a feed is found by it before any tenant is known (a definer
lookup), then read under that organization's tenant like any other request.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.archive import end_once
from domain.audit import service as audit
from domain.auth.security import new_token, token_hash
from domain.db import use_tenant
from domain.errors import Forbidden, NotFound, Unauthorized
from domain.groups.models import Group
from domain.groups.service import get_group
from domain.orgs.models import Organization
from domain.orgs.permissions import is_office
from domain.scheduling.models import CalendarFeed, FeedKind
from domain.sessions.models import ClassSession, SessionStatus
from domain.teachers.models import Teacher
from domain.teachers.service import get_teacher
from domain.tenancy import TenantContext
from domain.venues.models import Venue

PAST_DAYS, FUTURE_DAYS = 60, 180


@dataclass(frozen=True)
class FeedEvent:
    session_id: uuid.UUID
    date: date
    start_time: time | None
    end_time: time | None
    title: str
    location: str | None
    cancelled: bool
    cancel_reason: str | None


@dataclass(frozen=True)
class Feed:
    name: str
    timezone: str
    events: list[FeedEvent]


async def create_feed(
    session: AsyncSession, tenant: TenantContext, *, kind: FeedKind, target_id: uuid.UUID
) -> tuple[CalendarFeed, str]:
    """The office creates any feed; a teacher creates their own. The token is shown once."""
    if kind is FeedKind.TEACHER:
        teacher = await get_teacher(session, tenant, target_id)
        own = tenant.user_id is not None and teacher.user_id == tenant.user_id
        if not (is_office(tenant) or own):
            raise Forbidden("Only the office or the teacher can create a teacher's calendar feed.")
    elif kind is FeedKind.GROUP:
        await get_group(session, tenant, target_id)
        if not is_office(tenant):
            raise Forbidden("Only the office can create a group's calendar feed.")
    else:
        if not is_office(tenant):
            raise Forbidden("Only the office can create the school's calendar feed.")
        target_id = tenant.org_id  # the whole organization, whatever was asked
    token = new_token("cal_")
    feed = CalendarFeed(
        organization_id=tenant.org_id,
        kind=kind,
        target_id=target_id,
        token_hash=token_hash(token),
        created_by_user_id=tenant.user_id,
    )
    session.add(feed)
    await session.flush()
    await audit.record(
        session,
        tenant,
        action="calendar_feed.created",
        entity_type="calendar_feed",
        entity_id=feed.id,
        after={"kind": kind.value, "target_id": str(target_id)},
    )
    return feed, token


async def revoke_feed(
    session: AsyncSession, tenant: TenantContext, feed_id: uuid.UUID, *, now: datetime
) -> CalendarFeed:
    feed = await session.get(CalendarFeed, feed_id)
    if feed is None:
        raise NotFound("No such calendar feed.")
    mine = feed.created_by_user_id is not None and feed.created_by_user_id == tenant.user_id
    if not (is_office(tenant) or mine):
        raise Forbidden("Only the office or whoever created the feed can revoke it.")
    await end_once(
        session,
        tenant,
        feed,
        "revoked_at",
        now=now,
        action="calendar_feed.revoked",
        entity_type="calendar_feed",
    )
    return feed


async def list_feeds(session: AsyncSession, tenant: TenantContext) -> list[CalendarFeed]:
    """The office sees every feed; others see the feeds they created."""
    query = select(CalendarFeed).order_by(CalendarFeed.created_at)
    if not is_office(tenant):
        query = query.where(CalendarFeed.created_by_user_id == tenant.user_id)
    return list((await session.scalars(query)).all())


async def read_feed(session: AsyncSession, *, token: str, today: date) -> Feed:
    """The feed's classes from 60 days ago to 180 days ahead, cancelled ones included (marked)."""
    row = (
        await session.execute(
            text("SELECT * FROM cadence_calendar_feed_lookup(:h)"), {"h": token_hash(token)}
        )
    ).one_or_none()
    if row is None or row.revoked_at is not None:
        raise Unauthorized("This calendar address is not valid any more.")
    await use_tenant(session, TenantContext.anonymous(row.organization_id))
    org = await session.get(Organization, row.organization_id)
    assert org is not None
    query = (
        select(ClassSession, Group.name, Venue.name)
        .outerjoin(Group, Group.id == ClassSession.group_id)
        .outerjoin(Venue, Venue.id == ClassSession.venue_id)
        .where(
            ClassSession.date >= today - timedelta(days=PAST_DAYS),
            ClassSession.date <= today + timedelta(days=FUTURE_DAYS),
        )
        .order_by(ClassSession.date, ClassSession.start_time)
    )
    if row.kind == FeedKind.TEACHER.value:
        query = query.where(ClassSession.teacher_id == row.target_id)
        name = await session.scalar(select(Teacher.full_name).where(Teacher.id == row.target_id))
    elif row.kind == FeedKind.GROUP.value:
        query = query.where(ClassSession.group_id == row.target_id)
        name = await session.scalar(select(Group.name).where(Group.id == row.target_id))
    else:  # the school: every class, under this organization's tenant like any request
        name = "Every class"
    events = [
        FeedEvent(
            session_id=s.id,
            date=s.date,
            start_time=s.start_time,
            end_time=s.end_time,
            title=group_name or "Class",
            location=venue_name,
            cancelled=s.status is SessionStatus.CANCELLED,
            cancel_reason=s.cancel_reason,
        )
        for s, group_name, venue_name in (await session.execute(query)).all()
    ]
    return Feed(name=f"{name or 'Classes'} · {org.name}", timezone=org.timezone, events=events)
