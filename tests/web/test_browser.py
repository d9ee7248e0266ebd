"""The web chat in a real browser: Debian's Chromium driven by Playwright (no browser download),
against the app served by uvicorn on its own database with the small demo. Screenshots are saved
under artifacts/screenshots/."""

from __future__ import annotations

import socket
import threading
import time as clock
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import time
from pathlib import Path

import pytest
import uvicorn
from playwright.async_api import Browser, Page, async_playwright, expect
from sqlalchemy import func, select
from typer.testing import CliRunner

from channels.cli.main import app as cli
from channels.embedded import APP_ROLE, DatabaseUrls, EmbeddedPostgres
from channels.http.app import create_app
from channels.http.deps import CSRF_COOKIE
from domain.attendance.models import AttendanceRecord
from domain.auth import service as auth
from domain.db import create_engine, session_factory, unit_of_work
from domain.groups.models import Group, GroupStatus, StudentGroup
from domain.orgs import service as orgs
from domain.payments import service as payments
from domain.payments.rules import month_start
from domain.sessions import service as class_sessions
from domain.sessions.models import ClassSession
from domain.sessions.schemas import SessionIn
from domain.settings import Settings, get_settings
from migrations.runner import upgrade
from tools.money import LISTED_IN_CHAT

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"
ADMIN, PASSWORD = "admin@demo-school.example", "dance-demo-2026"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def web_database(database_urls: DatabaseUrls) -> Iterator[DatabaseUrls]:
    data_dir = Settings().data_dir
    server = EmbeddedPostgres(data_dir if data_dir.is_absolute() else ROOT / data_dir)
    server.start()
    urls = server.ensure_database("cadence_web_test", recreate=True)
    upgrade(urls.owner, APP_ROLE)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CADENCE_DATABASE_URL", urls.app)
        patch.setenv("CADENCE_DATABASE_OWNER_URL", urls.owner)
        get_settings.cache_clear()
        seeded = CliRunner().invoke(cli, ["demo", "seed"])
        assert seeded.exit_code == 0, seeded.output
        yield urls
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def base_url(web_database: DatabaseUrls, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = Settings(data_dir=tmp_path_factory.mktemp("web"), public_base_url=f"http://127.0.0.1:{port}")
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, database_url=web_database.app),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = clock.monotonic() + 30
    while not server.started:
        assert clock.monotonic() < deadline and thread.is_alive(), "the app did not start"
        clock.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def chromium_path() -> str:
    assert Path(CHROMIUM).exists(), "make test installs Debian's chromium; run it through make"
    return CHROMIUM


@pytest.fixture
async def browser(chromium_path: str) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=chromium_path,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-gpu",
            ],
        )
        yield chromium
        await chromium.close()


async def world(web_database: DatabaseUrls) -> tuple[list[str], list[tuple[str, uuid.UUID]]]:
    """Who has not paid this month (by the service itself), and two groups given a class today."""
    engine = create_engine(web_database.app)
    try:
        sessions = session_factory(engine)
        async with unit_of_work(sessions) as session:
            org_id = await orgs.organization_id_by_slug(session, "demo-school")
            admin = await auth.member_tenant(session, email=ADMIN, org_id=org_id)
        today = admin.today()
        async with unit_of_work(sessions, admin) as session:
            unpaid = await payments.unpaid_students(session, admin, month=month_start(today), today=today)
            busy = (
                select(StudentGroup.group_id)
                .where(StudentGroup.end_date.is_(None))
                .group_by(StudentGroup.group_id)
            )
            has_class_today = (
                select(ClassSession.id)
                .where(ClassSession.group_id == Group.id, ClassSession.date == today)
                .exists()
            )
            names = (
                await session.scalars(
                    select(Group.name)
                    .where(Group.status == GroupStatus.ACTIVE, Group.id.in_(busy), ~has_class_today)
                    .order_by(Group.name)
                    .limit(2)
                )
            ).all()
            made = []
            for i, name in enumerate(names):
                group_id = await session.scalar(select(Group.id).where(Group.name == name))
                row = await class_sessions.create_session(
                    session, admin, data=SessionIn(group_id=group_id, date=today, start_time=time(6, 10 + i))
                )
                made.append((name, row.id))
        return [s.full_name for s in unpaid.students], made
    finally:
        await engine.dispose()


async def marks_for(web_database: DatabaseUrls, session_id: uuid.UUID) -> int:
    engine = create_engine(web_database.owner)
    try:
        async with session_factory(engine)() as session:
            count = await session.scalar(
                select(func.count())
                .select_from(AttendanceRecord)
                .where(AttendanceRecord.class_session_id == session_id)
            )
            return int(count or 0)
    finally:
        await engine.dispose()


async def statuses_for(web_database: DatabaseUrls, session_id: uuid.UUID) -> dict[str, str]:
    engine = create_engine(web_database.owner)
    try:
        async with session_factory(engine)() as session:
            rows = await session.execute(
                select(AttendanceRecord.student_id, AttendanceRecord.status).where(
                    AttendanceRecord.class_session_id == session_id
                )
            )
            return {str(student): status.value for student, status in rows}
    finally:
        await engine.dispose()


async def log_in(page: Page, base_url: str) -> None:
    await page.goto(f"{base_url}/app/login")
    await page.fill("input[name=email]", ADMIN)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url("**/app/chat")
    # The pages speak the account's language, and another test may have left the demo admin's on Spanish:
    # these tests read English, so they choose it (as with the header switch), then start afresh.
    csrf = {c["name"]: c["value"] for c in await page.context.cookies()}[CSRF_COOKIE]
    chosen = await page.request.patch(
        f"{base_url}/api/v1/auth/me", data={"language": "en"}, headers={"X-CSRF-Token": csrf}
    )
    assert chosen.ok, await chosen.text()
    await page.goto(f"{base_url}/app/chat")
    await page.wait_for_load_state("networkidle")  # the chat's form is live once its history has loaded


async def say(page: Page, text: str) -> None:
    before = await page.locator(".msg.bot").count()
    await page.fill("#text", text)
    await page.press("#text", "Enter")
    await expect(page.locator(".msg.bot")).to_have_count(before + 1, timeout=20_000)
    # the status line ("Thinking…", a muted span) gives way to the answer
    await expect(page.locator(".msg.bot").last.locator("span.muted")).to_have_count(0, timeout=20_000)


async def test_log_in_ask_confirm_and_cancel_in_the_browser(
    base_url: str, browser: Browser, web_database: DatabaseUrls
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    unpaid, ((first, first_id), (second, second_id)) = await world(web_database)
    assert unpaid, "the demo always has someone who has not paid"
    page = await browser.new_page(viewport={"width": 1200, "height": 900})

    await page.goto(f"{base_url}/app/chat")
    await page.wait_for_url("**/app/login")
    await log_in(page, base_url)

    await say(page, "who hasn't paid this month?")
    answer = page.locator(".msg.bot").last
    await expect(answer).to_contain_text("haven't paid")
    for name in unpaid[:5]:
        await expect(answer).to_contain_text(name)
    # one list item per student, readable; a long list (the first days of a month) names the first 100
    # and says how to get them all
    await expect(answer.locator("li")).to_have_count(min(len(unpaid), LISTED_IN_CHAT))
    if len(unpaid) > LISTED_IN_CHAT:
        await expect(answer).to_contain_text(f"and {len(unpaid) - LISTED_IN_CHAT} more")
    await page.screenshot(path=str(SHOTS / "chat-answer.png"))
    await say(page, "send it as a spreadsheet")  # that list, whole, as a file
    await expect(page.locator(".msg.bot a.download").last).to_contain_text(".xlsx")

    await say(page, f"everyone came to {first} today")
    card = page.locator(".preview").last
    await expect(card).to_contain_text("Mark")
    await page.screenshot(path=str(SHOTS / "chat-preview.png"))
    assert await marks_for(web_database, first_id) == 0  # nothing before Confirm
    await card.get_by_role("button", name="Confirm").click()
    await expect(card.locator(".state")).to_have_text("Confirmed")
    assert await marks_for(web_database, first_id) > 0

    await say(page, f"everyone came to {second} today")
    other = page.locator(".preview").last
    await other.get_by_role("button", name="Cancel").click()
    await expect(other.locator(".state")).to_have_text("Cancelled")
    assert await marks_for(web_database, second_id) == 0

    await page.reload()  # the conversation is still there, the file's link too while it is kept
    await expect(page.locator(".msg.me").first).to_have_text("who hasn't paid this month?")
    await expect(page.locator(".msg.bot a.download")).to_have_count(1)
    async with page.expect_download() as downloading:
        await page.locator(".msg.bot a.download").click()
    assert (await downloading.value).suggested_filename.endswith(".xlsx")
    await expect(page.locator(".preview")).to_have_count(0)  # both previews were decided

    phone = await browser.new_page(
        viewport={"width": 390, "height": 844}, storage_state=await page.context.storage_state()
    )
    await phone.goto(f"{base_url}/app/today")
    await expect(phone.locator(".card").first).to_contain_text(first)
    await phone.screenshot(path=str(SHOTS / "today-phone.png"), full_page=True)
    assert (SHOTS / "chat-answer.png").stat().st_size > 1000


async def test_today_shows_recorded_marks_and_saves_only_what_was_changed(
    base_url: str, browser: Browser, web_database: DatabaseUrls
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    _, ((group, session_id), _) = await world(web_database)
    phone = await browser.new_page(viewport={"width": 390, "height": 844})
    await log_in(phone, base_url)
    me = await (await phone.request.get(f"{base_url}/api/v1/auth/me")).json()
    csrf = {"X-CSRF-Token": me["csrf_token"]}
    class_session = await (await phone.request.get(f"{base_url}/api/v1/sessions/{session_id}")).json()
    roster = await (
        await phone.request.get(
            f"{base_url}/api/v1/groups/{class_session['group_id']}/roster?on={class_session['date']}"
        )
    ).json()
    assert len(roster) >= 3
    absent, changed = roster[0], roster[1]
    recorded = await phone.request.post(
        f"{base_url}/api/v1/sessions/{session_id}/attendance",
        data={"marks": [{"student_id": absent["student_id"], "status": "absent"}]},
        headers=csrf,
    )
    assert recorded.ok, await recorded.text()

    await phone.goto(f"{base_url}/app/today")
    card = phone.locator(".card", has_text=group)
    absent_row = card.locator(".row", has_text=absent["full_name"])
    changed_row = card.locator(".row", has_text=changed["full_name"])
    await expect(absent_row.locator("input[value=absent]")).to_be_checked()  # the recorded absence shows
    await expect(changed_row).to_contain_text("not yet marked")
    await expect(changed_row.locator("input:checked")).to_have_count(0)

    await changed_row.get_by_text("Late").click()
    await card.get_by_role("button", name="Save").click()
    await expect(card.locator(".state")).to_have_text(f"1 changed: {changed['full_name']} not marked → late")
    await phone.evaluate("window.scrollTo(0, 0)")  # the sticky header back at the top of the shot
    box = await card.bounding_box()
    assert box is not None
    await phone.screenshot(
        path=str(SHOTS / "today-saved-phone.png"),
        full_page=True,
        clip={"x": 0, "y": 0, "width": 390, "height": box["y"] + box["height"] + 16},
    )
    assert await statuses_for(web_database, session_id) == {
        absent["student_id"]: "absent",  # the absence nobody touched is still recorded
        changed["student_id"]: "late",
    }

    await card.get_by_role("button", name="Save").click()  # nothing changed since the save
    await expect(card.locator(".state")).to_have_text("nothing changed")
    await card.get_by_role("button", name="Everyone not yet marked: present").click()
    await card.get_by_role("button", name="Save").click()
    rest = len(roster) - 2
    await expect(card.locator(".state")).to_contain_text(f"{rest} changed:")
    final = await statuses_for(web_database, session_id)
    assert (final[absent["student_id"]], final[changed["student_id"]]) == ("absent", "late")
    assert sorted(final.values()).count("present") == rest
