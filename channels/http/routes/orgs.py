from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field

from channels.http.deps import DB, AppSettings, Now, Person, Tenant
from channels.http.exports import EXPORTABLE, Exporter
from channels.http.qr import qr_svg
from domain.auth import service as auth
from domain.auth.schemas import Membership
from domain.notifications import transactional
from domain.orgs import service as orgs
from domain.orgs.schemas import (
    AcceptInvitationIn,
    InvitationCreatedOut,
    InvitationIn,
    InvitationOut,
    MemberOut,
    OrganizationIn,
    OrganizationOut,
    OrganizationSettingsIn,
    RoleIn,
    SwitchIn,
)

router = APIRouter(tags=["organizations"])


@router.post("/orgs", status_code=status.HTTP_201_CREATED, response_model=OrganizationOut)
async def create_organization(body: OrganizationIn, person: Person, db: DB) -> OrganizationOut:
    """Create a school or an independent teacher's organization; you become its admin, and it is active."""
    org, _ = await orgs.create_organization(db, user_id=person.user.id, **body.model_dump())
    person.user_session.active_organization_id = org.id
    return OrganizationOut.model_validate(org)


@router.get("/orgs", response_model=list[Membership])
async def my_organizations(person: Person, db: DB) -> list[Membership]:
    return [m for m in await auth.list_memberships(db, user_id=person.user.id)]


@router.post("/orgs/switch", response_model=Membership)
async def switch_organization(body: SwitchIn, person: Person, db: DB) -> Membership:
    membership = await auth.switch_organization(
        db, user_session=person.user_session, org_id=body.organization_id
    )
    return membership


@router.get("/org", response_model=OrganizationOut)
async def current_organization(tenant: Tenant, db: DB) -> OrganizationOut:
    return OrganizationOut.model_validate(await orgs.get_organization(db, tenant))


@router.patch("/org", response_model=OrganizationOut)
async def update_organization(body: OrganizationSettingsIn, tenant: Tenant, db: DB) -> OrganizationOut:
    """Change the organization's settings (admins); fields left out stay as they are."""
    return OrganizationOut.model_validate(await orgs.update_settings(db, tenant, data=body))


class RegistrationLinkOut(BaseModel):
    url: str = Field(description="The public registration form's address, to hand to families.")
    qr_svg: str = Field(description="The same address as a QR code (inline SVG) for a poster or a screen.")


@router.get("/org/registration-link", response_model=RegistrationLinkOut)
async def registration_link(tenant: Tenant, db: DB, settings: AppSettings) -> RegistrationLinkOut:
    """The school's public registration form (office): its address where Cadence is served, and a QR code."""
    url = settings.public_base_url.rstrip("/") + await orgs.registration_path(db, tenant)
    return RegistrationLinkOut(url=url, qr_svg=qr_svg(url))


@router.get("/org/members", response_model=list[MemberOut], responses=EXPORTABLE)
async def list_members(tenant: Tenant, db: DB, export: Exporter) -> Sequence[MemberOut] | Response:
    return await export.items(await orgs.list_members(db, tenant), MemberOut, "members")


@router.patch("/org/members/{member_id}", response_model=MemberOut)
async def change_role(member_id: uuid.UUID, body: RoleIn, tenant: Tenant, db: DB) -> MemberOut:
    await orgs.change_member_role(db, tenant, member_id=member_id, role=body.role)
    [member] = await orgs.list_members(db, tenant, member_id=member_id)
    return member


@router.delete("/org/members/{member_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_member(member_id: uuid.UUID, tenant: Tenant, db: DB, now: Now) -> None:
    await orgs.remove_member(db, tenant, member_id=member_id, now=now)


@router.post("/org/invitations", status_code=status.HTTP_201_CREATED, response_model=InvitationCreatedOut)
async def invite(
    body: InvitationIn, tenant: Tenant, db: DB, now: Now, settings: AppSettings
) -> InvitationCreatedOut:
    """Invite someone by email with a role. The token is shown once; send the link to the invitee."""
    invitation, token = await orgs.invite_member(
        db,
        tenant,
        email=body.email,
        role=body.role,
        now=now,
        ttl=timedelta(hours=settings.invitation_ttl_hours),
    )
    accept_url = f"{settings.public_base_url}/invitations/accept?token={token}"
    await transactional.invitation(db, tenant, invitation, accept_url=accept_url, now=now)  # emailed too
    return InvitationCreatedOut(
        **InvitationOut.model_validate(invitation).model_dump(), token=token, accept_url=accept_url
    )


@router.get("/org/invitations", response_model=list[InvitationOut], responses=EXPORTABLE)
async def list_invitations(tenant: Tenant, db: DB, export: Exporter) -> Sequence[InvitationOut] | Response:
    out = [InvitationOut.model_validate(i) for i in await orgs.list_invitations(db, tenant)]
    return await export.items(out, InvitationOut, "invitations")


@router.delete("/org/invitations/{invitation_id}", response_model=InvitationOut)
async def revoke_invitation(invitation_id: uuid.UUID, tenant: Tenant, db: DB, now: Now) -> InvitationOut:
    return InvitationOut.model_validate(
        await orgs.revoke_invitation(db, tenant, invitation_id=invitation_id, now=now)
    )


@router.post("/invitations/accept", response_model=Membership)
async def accept_invitation(body: AcceptInvitationIn, person: Person, db: DB, now: Now) -> Membership:
    """Join the inviting organization; it becomes your active organization."""
    tenant = await orgs.accept_invitation(db, user=person.user, token=body.token, now=now)
    person.user_session.active_organization_id = tenant.org_id
    membership = await auth.membership_in(db, user_id=person.user.id, org_id=tenant.org_id)
    assert membership is not None
    return membership
