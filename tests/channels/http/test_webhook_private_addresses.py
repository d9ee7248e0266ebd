"""A webhook cannot be pointed inside the server's network (the cloud's metadata service, loopback, the
private network): refused with a 422 when saved, storing nothing; public addresses are the control, and a
server told that its receivers are private (``webhook_private_addresses``) accepts them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from httpx import AsyncClient

from domain.settings import Settings
from tests.channels.http.helpers import error_code
from tests.channels.http.test_settings_routes import office

INSIDE = [
    "https://169.254.169.254/latest/meta-data",  # a cloud's metadata service
    "https://127.0.0.1:5432/",
    "https://localhost/hook",
    "https://10.0.0.5/hook",
    "https://192.168.1.20/hook",
    "https://[::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://[fe80::1]/hook",
    "https://redis.internal/hook",
    "https://printer.local/hook",
    "https://0.0.0.0/hook",
]


@pytest.mark.parametrize("url", INSIDE)
async def test_an_address_inside_the_network_is_refused_and_nothing_is_stored(
    make_client: Callable[[], AsyncClient], url: str
) -> None:
    admin, _, _ = await office(make_client)
    refused = await admin.post("/webhooks", {"url": url})
    assert refused.status_code == 422 and error_code(refused) == "invalid", refused.text
    assert refused.json()["error"]["details"]["field"] == "url"
    assert (await admin.get("/webhooks")).json() == []
    made = await admin.post("/webhooks", {"url": "https://hooks.example.com/cadence"})  # the control
    assert made.status_code == 201, made.text


class TestAPrivateReceiver:
    @pytest.fixture
    def settings(self) -> Settings:
        return Settings(
            login_max_failures_per_account=5, login_max_failures_per_ip=30, webhook_private_addresses=True
        )

    async def test_is_accepted_when_the_server_is_told_its_receivers_are_private(
        self, make_client: Callable[[], AsyncClient]
    ) -> None:
        admin, _, _ = await office(make_client)
        made = await admin.post("/webhooks", {"url": "https://10.0.0.5/hook"})
        assert made.status_code == 201 and made.json()["url"] == "https://10.0.0.5/hook", made.text
