"""The dashboard and every report page in a real browser (Debian's Chromium via Playwright, the small
demo served by uvicorn): each chart is drawn (an SVG with data marks, by the Vega scripts Cadence serves),
no request leaves the machine, the Content-Security-Policy refuses nothing, and a teacher sees their own
numbers without the school's money. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

from playwright.async_api import Browser, BrowserContext, ConsoleMessage, Page, Request, Response, expect

from tests.web.pages_support import choose_the_browsers_language
from tests.web.test_browser import ADMIN, PASSWORD, SHOTS, base_url, browser, chromium_path, web_database

__all__ = ["base_url", "browser", "chromium_path", "web_database"]  # the fixtures this module reuses

REPORTS = ("attendance", "revenue", "teachers", "groups", "enrolment")
DATA_MARKS = "svg .role-mark path"  # Vega's data marks (axes and legends have other roles)


def watch(context: BrowserContext, base_url: str) -> tuple[list[str], list[str]]:
    """Requests that left the machine, and anything the page's console complained about (CSP included)."""
    outside: list[str] = []
    complaints: list[str] = []

    def seen(request: Request) -> None:
        if not request.url.startswith((base_url, "data:", "blob:", "about:")):
            outside.append(request.url)

    def console(message: ConsoleMessage) -> None:
        if message.location.get("url", "").endswith("/favicon.ico"):  # the browser's own ask; no page has one
            return
        if message.type == "error" or "Content Security Policy" in message.text:
            complaints.append(f"{message.text} ({message.location.get('url')})")

    def failed(response: Response) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            complaints.append(f"{response.status} {response.url}")

    context.on("request", seen)
    context.on("console", console)
    context.on("response", failed)
    return outside, complaints


async def log_in(page: Page, base_url: str, email: str) -> None:
    await page.goto(f"{base_url}/app/login")
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url("**/app/chat")
    await choose_the_browsers_language(page, base_url)  # the account's language, not the browser's


async def test_dashboard_and_report_pages_draw_their_charts_offline(browser: Browser, base_url: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    outside, complaints = watch(context, base_url)
    page = await context.new_page()
    await log_in(page, base_url, ADMIN)

    await page.goto(f"{base_url}/app/dashboard")
    await expect(page.locator("#trend-chart " + DATA_MARKS).first).to_be_attached(timeout=20_000)
    await expect(page.locator("#collected")).to_contain_text("€")
    for link in ("/app/reports?report=revenue", "/app/payments", "/app/today", "/app/students"):
        assert await page.locator(f".card a.more[href='{link}']").count() >= 1, link
    assert await page.locator("header nav a[href='/app/dashboard']").count() == 1
    await page.screenshot(path=str(SHOTS / "reports-dashboard.png"), full_page=True)

    for report in REPORTS:
        await page.goto(f"{base_url}/app/reports?report={report}")
        await expect(page.locator("#chart " + DATA_MARKS).first).to_be_attached(timeout=20_000)
        await expect(page.locator("#content table").first).to_be_visible()
        assert await page.locator("#chart " + DATA_MARKS).count() > 0, report
        await page.screenshot(path=str(SHOTS / f"reports-{report}.png"), full_page=True)

    # The pickers: weekly attendance of one group, by student.
    await page.goto(f"{base_url}/app/reports?report=attendance")
    await expect(page.locator("#chart " + DATA_MARKS).first).to_be_attached(timeout=20_000)
    await page.select_option("select[name=every]", "week")
    await page.select_option("select[name=by]", "student")
    await page.select_option("select[name=group_id]", index=1)
    await page.get_by_role("button", name="Show").click()
    await page.wait_for_url("**every=week**")
    await expect(page.locator("#chart " + DATA_MARKS).first).to_be_attached(timeout=20_000)
    await page.screenshot(path=str(SHOTS / "reports-attendance-weekly.png"), full_page=True)
    await context.close()
    assert outside == []
    assert complaints == []


async def test_a_teacher_sees_their_own_reports_without_school_money(browser: Browser, base_url: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = await browser.new_context(viewport={"width": 390, "height": 844}, locale="es-ES")
    outside, complaints = watch(context, base_url)
    page = await context.new_page()
    await log_in(page, base_url, "teacher1@demo-school.example")
    await page.goto(f"{base_url}/app/dashboard")
    await expect(page.locator("#trend-chart " + DATA_MARKS).first).to_be_attached(timeout=20_000)
    assert await page.locator("#collected").count() == 0  # no school money on a teacher's dashboard
    await page.screenshot(path=str(SHOTS / "reports-dashboard-teacher-phone.png"), full_page=True)
    await page.goto(f"{base_url}/app/reports?report=teachers")
    await expect(page.locator("#chart " + DATA_MARKS).first).to_be_attached(timeout=20_000)
    assert await page.locator("#content tbody tr").count() == 1  # their own line
    assert await page.locator("#report-tabs a[href$='report=revenue']").count() == 0
    await page.screenshot(path=str(SHOTS / "reports-teacher-phone.png"), full_page=True)
    await context.close()
    assert outside == []
    assert complaints == []
