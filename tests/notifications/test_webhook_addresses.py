"""Before each delivery the receiver's name is resolved: a name that now points inside the server's
network (DNS changed after the address was saved) gets nothing; a public one is sent to (the control), and
so is a private one when the server is told its receivers are private."""

from __future__ import annotations

import uuid

import pytest
import respx

from channels.notify.webhooks import Resolver, WebhookSender
from domain.notifications.models import Notification

KEY = b"k" * 32
HOOK = "https://hooks.example.com/cadence"


def resolving_to(*addresses: str) -> Resolver:
    async def resolver(host: str, port: int) -> list[str]:
        assert (host, port) == ("hooks.example.com", 443)
        return list(addresses)

    return resolver


def event() -> Notification:
    return Notification(
        recipient=f"webhook:{uuid.uuid4()}",
        address=HOOK,
        subject="session.cancelled",
        body='{"type": "session.cancelled"}',
        period=f"event:{uuid.uuid4()}",
    )


@pytest.mark.parametrize(
    "inside", [("10.1.2.3",), ("93.184.215.14", "127.0.0.1"), ("::ffff:169.254.169.254",)]
)
async def test_a_name_that_resolves_inside_the_network_gets_nothing(inside: tuple[str, ...]) -> None:
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(HOOK).respond(204)
        with pytest.raises(RuntimeError, match="inside the server's network"):
            await WebhookSender(KEY, resolver=resolving_to(*inside)).send(event())
        assert route.call_count == 0


async def test_a_public_receiver_is_sent_to_and_a_private_one_when_allowed() -> None:
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(HOOK).respond(204)
        await WebhookSender(KEY, resolver=resolving_to("93.184.215.14")).send(event())
        await WebhookSender(KEY, resolver=resolving_to("10.1.2.3"), private_addresses=True).send(event())
    assert route.call_count == 2
