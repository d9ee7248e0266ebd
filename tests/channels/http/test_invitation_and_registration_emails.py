"""The emails a person's action sends, in the reader's language: an invitation (the invited person's
own language when they already have an account, else the organization's; the accept link inside) and
the acknowledgement of a registration (the organization's; to the guardian's address for a child; a
bot's filling and a refused form send nothing). Two schools: each email names its own."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.db import use_tenant
from domain.notifications.models import Kind, Notification
from domain.tenancy import TenantContext
from tests.channels.http.helpers import API, create_org, signup
from tests.factories import unique_email


async def sent(session: AsyncSession, kind: Kind, school: dict[str, Any]) -> list[Notification]:
    """What one school queued (read under its tenant, as row-level security asks)."""
    await use_tenant(session, TenantContext.anonymous(uuid.UUID(school["id"])))
    query = select(Notification).where(Notification.kind == kind.value).order_by(Notification.created_at)
    return list((await session.scalars(query)).all())


async def test_an_invitation_is_emailed_in_the_invited_persons_language(
    make_client: Callable[[], AsyncClient], session: AsyncSession
) -> None:
    ana = await signup(make_client(), "ana")
    school = await create_org(ana, locale="es_ES")
    newcomer = unique_email("nuevo")
    r = await ana.post("/org/invitations", {"email": newcomer, "role": "teacher"})
    assert r.status_code == 201, r.text
    (spanish,) = await sent(session, Kind.INVITATION, school)
    assert spanish.address == newcomer and spanish.subject == f"ana te invita a {school['name']} en Cadence"
    assert "como profesor/a" in spanish.body and r.json()["accept_url"] in spanish.body

    ben = await signup(make_client(), "ben")  # has an account and reads English
    assert (await ben.patch("/auth/me", {"language": "en"})).status_code == 200
    other = await signup(make_client(), "olga")
    elsewhere = await create_org(other, locale="es")  # another school invites him too
    assert (await other.post("/org/invitations", {"email": ben.email, "role": "staff"})).status_code == 201
    english = await sent(session, Kind.INVITATION, elsewhere)
    assert [n.subject for n in english] == [f"olga invites you to {elsewhere['name']} on Cadence"]
    assert "as office staff" in english[0].body and school["name"] not in english[0].body


async def test_a_registration_is_acknowledged_in_the_schools_language(
    make_client: Callable[[], AsyncClient], session: AsyncSession
) -> None:
    ana = await signup(make_client(), "ana")
    school = await create_org(ana, locale="es_ES")
    english_school = await create_org(ana, locale="en")
    visitor = make_client()
    form = f"{API}/public/orgs/{school['slug']}/registrations"
    child = {
        "full_name": "Nico Ruiz",
        "guardian_name": "Marta Ruiz",
        "guardian_email": "marta.ruiz@correo.example",
    }
    assert (await visitor.post(form, json=child)).status_code == 202
    assert (await visitor.post(form, json={**child, "full_name": "Bot", "website": "x"})).status_code == 202
    assert (await visitor.post(form, json={"full_name": "Mal", "email": "mal@"})).status_code == 422
    (ack,) = await sent(session, Kind.REGISTRATION_RECEIVED, school)  # the bot and the refused form: nothing
    assert ack.address == "marta.ruiz@correo.example"
    assert ack.subject == f"{school['name']} ha recibido tu solicitud de inscripción"
    assert ack.body.startswith("Hola, Nico Ruiz:")

    adult = {"full_name": "Eva Sol", "email": "eva.sol@correo.example"}
    other_form = f"{API}/public/orgs/{english_school['slug']}/registrations"
    assert (await visitor.post(other_form, json=adult)).status_code == 202
    english = await sent(session, Kind.REGISTRATION_RECEIVED, english_school)
    assert [(n.address, n.subject) for n in english] == [
        ("eva.sol@correo.example", f"{english_school['name']} has your registration request")
    ]
