"""A webhook address the settings page may send that is no address: a broken IPv6 host (urlsplit raised,
a 500), a host with a space, a port past 65535. Each is a 422 naming the field and stores nothing; a real
https address (with a port and an IPv6 host) is the control."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from httpx import AsyncClient

from tests.channels.http.helpers import error_code
from tests.channels.http.test_settings_routes import office


@pytest.mark.parametrize(
    "url",
    ["https://[::1/hook", "https://[zz]/hook", "https://ex ample.com/hook", "https://example.com:99999/"],
)
async def test_an_address_that_is_none_is_a_422_and_stores_nothing(
    make_client: Callable[[], AsyncClient], url: str
) -> None:
    admin, _, _ = await office(make_client)
    refused = await admin.post("/webhooks", {"url": url})
    assert refused.status_code == 422 and error_code(refused) == "invalid", refused.text
    assert refused.json()["error"]["details"]["field"] == "url"
    assert (await admin.get("/webhooks")).json() == []
    for good in ("https://example.com:8443/hook", "https://[2606:4700:4700::1111]/hook"):  # the controls
        made = await admin.post("/webhooks", {"url": good})
        assert made.status_code == 201 and made.json()["url"] == good, made.text
    assert len((await admin.get("/webhooks")).json()) == 2
