"""The schedule and settings browser tests' fixtures and helpers: the app served with a Telegram bot name
(so link codes carry a t.me link), one Chromium for the module, a logged-in page in a chosen language and
size whose requests are watched, the page's own API calls, the next day the school is open."""

from __future__ import annotations

import socket
import threading
import time as clock
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
import uvicorn
from playwright.async_api import Browser, Page, ViewportSize, async_playwright

from channels.embedded import DatabaseUrls
from channels.http.app import create_app
from domain.settings import Settings
from tests.web.pages_support import log_in_as, watch_the_network
from tests.web.test_browser import CHROMIUM

BOT = "cadence_test_bot"
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
STAFF, TEACHER = "staff@demo-school.example", "teacher1@demo-school.example"


@pytest.fixture(scope="module")
def base_url(web_database: DatabaseUrls, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app as test_browser serves it, with a Telegram bot name so link codes come with a t.me link."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("web18a"),
        public_base_url=f"http://127.0.0.1:{port}",
        telegram_bot_username=BOT,
    )
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
async def browser() -> AsyncIterator[Browser]:
    """One Chromium for the module; each test opens its own context (cookies, language, size)."""
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-gpu",
            ],
        )
        yield chromium
        await chromium.close()


async def a_page(
    browser: Browser, base_url: str, viewport: ViewportSize, lang: str, email: str
) -> tuple[Page, list[str]]:
    context = await browser.new_context(viewport=viewport, locale="es-ES" if lang == "es" else "en-GB")
    outside = watch_the_network(context, base_url)
    page = await context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "Remove X?": yes
    await log_in_as(page, base_url, email)
    await page.wait_for_load_state("networkidle")
    if await page.evaluate("LANG") != lang:  # the account's language decides once logged in: pick this one
        async with page.expect_navigation():
            await page.select_option("#lang", lang)
    assert await page.evaluate("LANG") == lang
    return page, outside


async def call(page: Page, method: str, path: str, body: Any = None) -> int:
    """The page's own API call (its cookie and CSRF token): the status the API answered."""
    return int(
        await page.evaluate(
            "([m, p, b]) => api(p, { method: m, body: b === null ? undefined : JSON.stringify(b) })"
            ".then(r => r.status)",
            [method, path, body],
        )
    )


async def an_open_day(page: Page, start: date) -> date:
    """The first day from ``start`` that is neither a public holiday the school skips nor closed (the
    demo closes Spain's holidays and its Christmas break): a weekly class has a class that day."""
    holidays = await page.evaluate("json('/schedule/holidays')")
    closures = await page.evaluate("json('/closures')")
    closed = {h["date"] for h in holidays["holidays"]} if holidays["skipped"] else set()
    for c in closures:
        if c["venue_id"] is None and not c["withdrawn_at"]:
            first, last = date.fromisoformat(c["start_date"]), date.fromisoformat(c["end_date"])
            closed |= {(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)}
    day = start
    while day.isoformat() in closed:
        day += timedelta(days=1)
    return day


WORDS = {
    "en": {
        "nav": "Schedule",
        "added": "Added:",
        "changed": "Changed from",
        "created": "created",
        "teaches": "teaches this class",
        "closed": "Closed:",
        "reopened": "Reopened",
        "removed": "Removed from",
        "saved": "Saved.",
        "quiet": "Saved: quiet from 22:00 to 08:00.",
    },
    "es": {
        "nav": "Horario",
        "added": "Añadida:",
        "changed": "Cambiada desde",
        "created": "cread",
        "teaches": "da esta clase",
        "closed": "Cerrado:",
        "reopened": "Reabierto",
        "removed": "Quitada desde",
        "saved": "Guardado.",
        "quiet": "Guardado: silencio de 22:00 a 08:00.",
    },
}
