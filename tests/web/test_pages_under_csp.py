"""Every page of the web app runs under the Content-Security-Policy the server sends: its inline
scripts are admitted by their hashes (read from the files when the app is built) and nothing is
refused; without them the login page's script would not run. Same served app and browser as
test_browser."""

from __future__ import annotations

from playwright.async_api import Browser, ConsoleMessage

from channels.web.routes import PAGES
from tests.web.test_browser import base_url, browser, chromium_path, log_in, web_database

__all__ = ["base_url", "browser", "chromium_path", "web_database"]  # the fixtures this module reuses


async def test_every_page_runs_under_the_policy_without_a_violation(browser: Browser, base_url: str) -> None:
    page = await browser.new_page()
    refused: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refused.append(f"{page.url}: {message.text}")

    page.on("console", watch)
    await log_in(page, base_url)  # the login page's own script ran: it logged in
    for name in sorted(PAGES - {"login"}):
        response = await page.goto(f"{base_url}/app/{name}")
        assert response is not None
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        await page.wait_for_load_state("networkidle")
        assert await page.locator("header nav").count() == 1, name  # app.js drew the navigation
    assert refused == []
