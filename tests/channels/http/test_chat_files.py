"""Downloading a spreadsheet the copilot made: only its owner (the person, or the API key, who asked) in
its organization, for a day. Everyone else — another person of the same school, another key, another
school's admin, the owner after it expired — gets the same 404, so an id tells nobody that a file exists."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import openpyxl
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from domain.auth.models import User
from domain.conversations import service as conversations
from domain.db import use_tenant
from domain.exports import kept
from domain.tenancy import Scope, TenantContext
from tests.channels.http.test_tools_api import key, studio_with_class_today
from tests.domain.studio import build_studio
from tests.factories import PASSWORD

API = "/api/v1"


async def logged_in(session: AsyncSession, client: AsyncClient, tenant: TenantContext) -> dict[str, str]:
    user = await session.get(User, tenant.user_id)
    assert user is not None
    login = await client.post(f"{API}/auth/login", json={"email": user.email, "password": PASSWORD})
    csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
    switched = await client.post(
        f"{API}/orgs/switch", json={"organization_id": str(tenant.org_id)}, headers=csrf
    )
    assert switched.status_code == 200, switched.text
    return csrf


async def test_a_keys_spreadsheet_downloads_with_that_key_only(
    session: AsyncSession, client: AsyncClient
) -> None:
    studio = await studio_with_class_today(session)
    other_school = await build_studio(session, names=("Zacarías Otro",))
    own = await key(session, studio.admin, Scope.READ)
    same_school_other_key = await key(session, studio.admin, Scope.READ)
    other = await key(session, other_school.admin, Scope.ADMIN)
    made = await client.post(f"{API}/tools/spreadsheet", json={"tool": "unpaid_students"}, headers=own)
    assert made.status_code == 200, made.text
    url = made.json()["data"]["file"]["download_url"]
    got = await client.get(url, headers=own)  # the control
    assert got.status_code == 200 and got.headers["content-type"].startswith("application/vnd.openxml")
    assert 'filename="unpaid_students-' in got.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(got.content)).active
    assert sheet is not None and "José Martínez" in {r[1] for r in sheet.iter_rows(values_only=True)}
    for stranger in (same_school_other_key, other):
        refused = await client.get(url, headers=stranger)
        assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"
    unknown = await client.get(f"{API}/chat/files/{uuid.uuid4()}", headers=own)
    assert unknown.status_code == 404


async def test_a_persons_file_is_theirs_alone_and_expires(
    session: AsyncSession, make_client: Callable[[], AsyncClient]
) -> None:
    studio = await studio_with_class_today(session)
    other_school = await build_studio(session, names=("Zacarías Otro",))
    now = datetime.now(UTC)
    await use_tenant(session, studio.staff)
    mine = await kept.keep(
        session, studio.staff, filename="unpaid-x.csv", media_type="text/csv", content=b"a,b\r\n", now=now
    )
    old = await kept.keep(
        session,
        studio.staff,
        filename="old.csv",
        media_type="text/csv",
        content=b"x",
        now=now - kept.KEPT_FOR - timedelta(minutes=1),
    )
    staff = make_client()
    await logged_in(session, staff, studio.staff)
    got = await staff.get(f"{API}/chat/files/{mine.id}")  # the control
    assert got.status_code == 200 and got.content == b"a,b\r\n"
    assert got.headers["cache-control"] == "private, no-store"
    assert (await staff.get(f"{API}/chat/files/{old.id}")).status_code == 404  # expired
    for stranger in (studio.admin, other_school.admin):  # the school's own admin too: it is the person's
        browser = make_client()
        await logged_in(session, browser, stranger)
        refused = await browser.get(f"{API}/chat/files/{mine.id}")
        assert refused.status_code == 404, refused.text


async def test_the_chat_history_links_a_turns_spreadsheet_while_it_is_kept(
    session: AsyncSession, make_client: Callable[[], AsyncClient]
) -> None:
    """After a reload the web chat shows the history: a turn that made a spreadsheet links to it again,
    while it is still kept, for its owner only."""
    studio = await studio_with_class_today(session)
    now = datetime.now(UTC)
    await use_tenant(session, studio.staff)
    key_of = conversations.thread_key(studio.staff, channel="web", chat=f"user-{studio.staff.user_id}")
    made = await kept.keep(
        session, studio.staff, filename="unpaid-x.xlsx", media_type="text/csv", content=b"a", now=now
    )
    gone = await kept.keep(
        session,
        studio.staff,
        filename="old.xlsx",
        media_type="text/csv",
        content=b"b",
        now=now - kept.KEPT_FOR - timedelta(minutes=1),
    )
    await conversations.open_thread(
        session, studio.staff, channel="web", chat=f"user-{studio.staff.user_id}", now=now
    )
    for said, file_id in (("send me that as a spreadsheet", gone.id), ("and now?", made.id), ("hi", None)):
        await conversations.record_turn(
            session,
            studio.staff,
            thread_key=key_of,
            planner="offline",
            tool="spreadsheet",
            outcome="answered",
            said=said,
            answer="Here is a file.",
            file_id=file_id,
        )
    staff = make_client()
    await logged_in(session, staff, studio.staff)
    history = (await staff.get(f"{API}/chat/history")).json()
    assert [t["file"] for t in history] == [
        None,  # expired: no link to a file that is gone
        {"id": str(made.id), "filename": "unpaid-x.xlsx", "download_url": f"{API}/chat/files/{made.id}"},
        None,
    ]
    assert (await staff.get(history[1]["file"]["download_url"])).content == b"a"
