"""What the public pages read before anything is sent: a parent's upload link (the school, the student's
first name, the school's language, the limits; an expired, revoked or unknown link refused alike; an old
link, the API address itself, opened in a browser lands on the page) and a school's registration form
(its name and language; no such school is a 404). Two schools: a link shows its own school only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from httpx import AsyncClient

from channels.http.deps import get_now
from tests.channels.http.helpers import API, Browser, create_org, error_code, signup


async def a_school(make_client: Callable[[], AsyncClient], locale: str) -> tuple[Browser, dict[str, str]]:
    admin = await signup(make_client(), "admin")
    org = await create_org(admin, locale=locale)
    r = await admin.post("/students", {"full_name": "Lucía Pérez Gil"})
    assert r.status_code == 201, r.text
    link = (await admin.post(f"/students/{r.json()['id']}/receipt-links")).json()
    return admin, {"token": link["token"], "url": link["upload_url"], "org": org["name"], "slug": org["slug"]}


async def test_the_upload_page_reads_its_link_in_the_schools_language(
    make_client: Callable[[], AsyncClient],
) -> None:
    _, spanish = await a_school(make_client, "es_ES")
    _, english = await a_school(make_client, "en")
    parent = make_client()
    assert spanish["url"].endswith(f"/upload/{spanish['token']}")  # a page, no longer the API's POST address
    page = (await parent.get(f"{API}/public/receipts/{spanish['token']}/page")).json()
    assert (page["organization"], page["language"], page["student_first_name"]) == (
        spanish["org"],
        "es",
        "Lucía",
    )
    assert page["accepted"] == ["image/jpeg", "image/png", "application/pdf"] and page["max_bytes"] > 0
    other = (await parent.get(f"{API}/public/receipts/{english['token']}/page")).json()
    assert (other["organization"], other["language"]) == (english["org"], "en")

    served = await parent.get(f"/upload/{spanish['token']}")
    assert served.status_code == 200 and "upload.js" in served.text
    old = await parent.get(f"{API}/public/receipts/{spanish['token']}")  # a link sent before the page
    assert old.status_code == 303 and old.headers["location"] == f"/upload/{spanish['token']}"


async def test_an_expired_or_unknown_link_is_refused_alike(
    make_client: Callable[[], AsyncClient], app: FastAPI
) -> None:
    _, school = await a_school(make_client, "es")
    parent = make_client()
    unknown = await parent.get(f"{API}/public/receipts/not-a-token/page")
    assert unknown.status_code == 401 and error_code(unknown) == "unauthorized"
    app.dependency_overrides[get_now] = lambda: datetime.now(UTC) + timedelta(days=400)
    try:
        late = await parent.get(f"{API}/public/receipts/{school['token']}/page")
    finally:
        app.dependency_overrides.pop(get_now)
    assert late.status_code == 401 and late.json()["error"]["message"] == unknown.json()["error"]["message"]
    assert (await parent.get(f"{API}/public/receipts/{school['token']}/page")).status_code == 200  # control


async def test_the_registration_form_names_its_school_and_language(
    make_client: Callable[[], AsyncClient],
) -> None:
    _, school = await a_school(make_client, "es_ES")
    visitor = make_client()
    form = await visitor.get(f"{API}/public/orgs/{school['slug']}/registration-form")
    assert form.json() == {"organization": school["org"], "language": "es", "locale": "es_ES"}
    missing = await visitor.get(f"{API}/public/orgs/no-such-school-here/registration-form")
    assert missing.status_code == 404 and error_code(missing) == "not_found"
    served = await visitor.get(f"/join/{school['slug']}")
    assert served.status_code == 200 and "join.js" in served.text
