"""Webhooks: an organization's events, signed, to its own endpoints, once each, even at night."""

from __future__ import annotations

import json
from datetime import timedelta

import respx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from channels import jobs
from channels.notify.webhooks import WebhookSender, endpoint_secret, signature
from domain.db import unit_of_work
from domain.notifications.models import Channel, Kind, Status
from domain.sessions import service as class_sessions
from domain.settings import Settings
from domain.webhooks import service as webhooks
from domain.webhooks.schemas import WebhookIn
from tests.domain.studio import Studio, build_studio
from tests.notifications.helpers import MONDAY, class_on, ledger, madrid

KEY = b"test-server-key"
HOOK = "https://hooks.example.com/cadence"


async def on_the_internet(host: str, port: int) -> list[str]:
    """The receiver's name resolves to a public address (no DNS in tests)."""
    return ["93.184.215.14"]


async def studio_with_cancellation(sessions: async_sessionmaker[AsyncSession]) -> Studio:
    async with unit_of_work(sessions) as session:
        studio = await build_studio(session)
        row = await class_on(session, studio, MONDAY + timedelta(days=1))
        await class_sessions.cancel_session(session, studio.admin, row.id, reason="Storm")
    return studio


async def test_events_reach_only_their_own_organizations_endpoints_signed_and_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ours = await studio_with_cancellation(sessions)
    theirs = await studio_with_cancellation(sessions)
    async with unit_of_work(sessions, ours.admin) as session:
        wanted = await webhooks.create_endpoint(
            session, ours.admin, data=WebhookIn(url=HOOK, event_types=["session.cancelled"])
        )
        await webhooks.create_endpoint(
            session, ours.admin, data=WebhookIn(url=HOOK + "/payouts", event_types=["payout.approved"])
        )
        gone = await webhooks.create_endpoint(session, ours.admin, data=WebhookIn(url=HOOK + "/old"))
        await webhooks.disable_endpoint(session, ours.admin, gone.id, now=madrid(12))
    settings = Settings(public_base_url="https://cadence.test")
    await jobs.dispatch_outbox(sessions, settings, now=madrid(23))
    await jobs.dispatch_outbox(sessions, settings, now=madrid(23, 1))
    async with unit_of_work(sessions, ours.admin) as session:
        hooks = [r for r in await ledger(session) if r.kind == Kind.WEBHOOK]
    assert [(r.recipient, r.subject) for r in hooks] == [(f"webhook:{wanted.id}", "session.cancelled")]
    async with unit_of_work(sessions, theirs.admin) as session:
        assert [r for r in await ledger(session) if r.kind == Kind.WEBHOOK] == []

    with respx.mock(assert_all_called=True) as mock:
        endpoint = mock.post(HOOK).mock(side_effect=[respx.MockResponse(503), respx.MockResponse(204)])
        senders = {Channel.WEBHOOK: WebhookSender(KEY, resolver=on_the_internet)}
        await jobs.deliver_notifications(
            sessions, senders=senders, now=madrid(23, 5)
        )  # quiet hours: machines go
        async with unit_of_work(sessions, ours.admin) as session:
            (row,) = [r for r in await ledger(session) if r.kind == Kind.WEBHOOK]
            assert (row.status, row.attempts, row.reason) == (
                Status.PENDING,
                1,
                "RuntimeError: the endpoint answered HTTP 503",
            )
        await jobs.deliver_notifications(sessions, senders=senders, now=madrid(23, 30))
        await jobs.deliver_notifications(sessions, senders=senders, now=madrid(23, 40))
    assert endpoint.call_count == 2
    request = endpoint.calls[-1].request
    body = request.content.decode()
    event = json.loads(body)
    assert (event["type"], event["organization_id"]) == ("session.cancelled", str(ours.org.id))
    assert event["data"]["reason"] == "Storm"
    assert request.headers["Cadence-Event-Id"] == event["id"]
    timestamp = int(request.headers["Cadence-Signature"].split(",")[0].removeprefix("t="))
    assert request.headers["Cadence-Signature"] == signature(endpoint_secret(KEY, wanted.id), timestamp, body)
    assert request.headers["Cadence-Signature"] != signature(endpoint_secret(KEY, gone.id), timestamp, body)
    async with unit_of_work(sessions, ours.admin) as session:
        (row,) = [r for r in await ledger(session) if r.kind == Kind.WEBHOOK]
    assert row.status is Status.SENT
