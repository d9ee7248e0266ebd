"""PATCH /org with values that pass the schema but are no setting: a name of blanks (stripped to nothing)
and the server's own ``localtime`` file (in Python's zone list, but no IANA name: browsers' Intl and
calendar apps reject it). Each is a 422 that stores nothing; the same request with a real value is the
control."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from httpx import AsyncClient

from tests.channels.http.helpers import create_org, error_code, signup
from tests.channels.http.test_settings_routes import office


@pytest.mark.parametrize(
    ("wrong", "right", "field"),
    [
        ({"name": "   "}, {"name": "Salsa Norte"}, "name"),
        ({"timezone": "localtime"}, {"timezone": "Atlantic/Canary"}, "timezone"),
    ],
)
async def test_a_value_that_is_no_setting_is_a_422_and_stores_nothing(
    make_client: Callable[[], AsyncClient], wrong: dict[str, str], right: dict[str, str], field: str
) -> None:
    admin, _, _ = await office(make_client)
    before = (await admin.get("/org")).json()
    refused = await admin.patch("/org", wrong)
    assert refused.status_code == 422 and error_code(refused) == "invalid", refused.text
    assert refused.json()["error"]["details"]["field"] == field
    assert (await admin.get("/org")).json() == before
    changed = await admin.patch("/org", right)  # the control
    assert changed.status_code == 200 and changed.json()[field] == right[field], changed.text


async def test_a_new_organization_in_localtime_is_a_422_and_made_nowhere(client: AsyncClient) -> None:
    ana = await signup(client, "ana")
    refused = await ana.post("/orgs", {"name": "Salsa Sur", "type": "school", "timezone": "localtime"})
    assert refused.status_code == 422 and error_code(refused) == "invalid", refused.text
    assert (await ana.get("/orgs")).json() == []
    await create_org(ana, timezone="Europe/Madrid")  # the control
    assert len((await ana.get("/orgs")).json()) == 1
