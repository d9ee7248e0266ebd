"""Venues: the studios and halls where classes happen."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.archive import archive
from domain.contact import clean_name
from domain.errors import NotFound
from domain.orgs.permissions import require_office
from domain.search import Match, search_names
from domain.tenancy import TenantContext
from domain.text import fold
from domain.venues.models import Venue
from domain.venues.schemas import VenueIn, VenueUpdate


async def create_venue(session: AsyncSession, tenant: TenantContext, *, data: VenueIn) -> Venue:
    require_office(tenant, "add venues")
    name = clean_name(data.name, field="name")
    venue = Venue(organization_id=tenant.org_id, name=name, search_name=fold(name), address=data.address)
    session.add(venue)
    await session.flush()
    return venue


async def get_venue(session: AsyncSession, tenant: TenantContext, venue_id: uuid.UUID) -> Venue:
    venue = await session.get(Venue, venue_id)
    if venue is None:
        raise NotFound("No such venue.")
    return venue


async def list_venues(
    session: AsyncSession, tenant: TenantContext, *, include_archived: bool = False
) -> list[Venue]:
    query = select(Venue).order_by(Venue.search_name)
    if not include_archived:
        query = query.where(Venue.archived_at.is_(None))
    return list((await session.execute(query)).scalars())


async def search_venues(
    session: AsyncSession, tenant: TenantContext, *, query: str, limit: int = 10
) -> list[Match]:
    return await search_names(
        session,
        query=query,
        id_column=Venue.id,
        name_column=Venue.name,
        folded_column=Venue.search_name,
        where=[Venue.archived_at.is_(None)],
        limit=limit,
    )


async def update_venue(
    session: AsyncSession, tenant: TenantContext, venue_id: uuid.UUID, *, data: VenueUpdate
) -> Venue:
    require_office(tenant, "edit venues")
    venue = await get_venue(session, tenant, venue_id)
    changes = data.model_dump(exclude_unset=True)
    if "name" in changes:
        venue.name = clean_name(changes["name"] or "", field="name")
        venue.search_name = fold(venue.name)
    if "address" in changes:
        venue.address = changes["address"]
    await session.flush()
    return venue


async def archive_venue(
    session: AsyncSession, tenant: TenantContext, venue_id: uuid.UUID, *, now: datetime
) -> Venue:
    require_office(tenant, "archive venues")
    venue = await get_venue(session, tenant, venue_id)
    await archive(session, tenant, venue, kind="venue", now=now)
    return venue
