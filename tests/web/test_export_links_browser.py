"""The web pages' "CSV" / "Excel" download links (issue 17, exports from the web page), in a real browser
(Debian's Chromium via Playwright, the small demo served by uvicorn): on the students list and on a report
page, the CSV link downloads the header row and a name the page shows, the Excel link an xlsx openpyxl
opens, each link carries the page's search or period, a Spanish page says "Descargar" with Spanish column
headers, and no request leaves the machine."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import load_workbook
from playwright.async_api import Browser, BrowserContext, Locator, Page, expect

from channels.embedded import DatabaseUrls
from tests.web.pages_support import a_student_in_a_group, log_in_as, watch_the_network
from tests.web.test_browser import base_url, browser, chromium_path, web_database
from tests.web.test_role_by_role import TEACHER

__all__ = ["base_url", "browser", "chromium_path", "web_database"]  # the fixtures this module reuses


@pytest.fixture
async def english(browser: Browser) -> AsyncIterator[BrowserContext]:
    made = await browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-GB")
    yield made
    await made.close()


async def downloaded(page: Page, link: Locator) -> tuple[str, bytes]:
    """Click a download link; the file's suggested name and bytes."""
    async with page.expect_download() as info:
        await link.click()
    download = await info.value
    path = await download.path()
    return download.suggested_filename, await asyncio.to_thread(Path(path).read_bytes)


def query_of(href: str | None) -> dict[str, list[str]]:
    assert href is not None
    return parse_qs(urlsplit(href).query)


async def test_students_list_downloads_what_the_page_shows(english: BrowserContext, base_url: str) -> None:
    outside = watch_the_network(english, base_url)
    page = await english.new_page()
    await log_in_as(page, base_url)
    await page.goto(f"{base_url}/app/students?sort=-name")
    await expect(page.locator("#where")).to_contain_text("of")
    first_name = (await page.locator("#content tbody tr a").first.text_content() or "").strip()
    links = page.locator("#exports a.export")
    await expect(page.locator("#exports")).to_contain_text("Download:")
    await expect(links).to_have_text(["CSV", "Excel"])

    csv_link = page.locator("#exports a[data-format=csv]")
    query = query_of(await csv_link.get_attribute("href"))
    assert query["format"] == ["csv"] and query["sort"] == ["-name"] and query["lang"] == ["en"]
    name, body = await downloaded(page, csv_link)
    assert name.startswith("students-") and name.endswith(".csv")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert "Full name" in rows[0]  # the header row
    names = [row[rows[0].index("Full name")] for row in rows[1:]]
    assert names[0] == first_name  # the same order as the page: the file is what the person sees
    assert len(names) == 25  # the page's window, not the whole school

    name, body = await downloaded(page, page.locator("#exports a[data-format=xlsx]"))
    assert name.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert "Full name" in cells[0] and first_name in [row[cells[0].index("Full name")] for row in cells[1:]]

    # A search narrows the list, and the links follow it (not the address the page was opened at).
    await page.fill("#q", first_name)
    await expect(page.locator("#where")).to_contain_text("found")
    await expect(csv_link).to_have_attribute("href", re.compile(r"[?&]q="))
    query = query_of(await csv_link.get_attribute("href"))
    assert query["q"] == [first_name]
    _, body = await downloaded(page, csv_link)
    assert first_name in body.decode("utf-8-sig")

    # A group's roster: its link names the roster's date, and the file the students listed under it.
    await page.goto(f"{base_url}/app/groups")
    group = page.locator("#content details.group").filter(has=page.locator("a.export")).first
    await group.locator("summary").click()
    listed = (await group.locator("ul.plain li a").first.text_content() or "").strip()
    roster_link = group.locator("a[data-format=csv]")
    assert "/roster?on=" in str(await roster_link.get_attribute("href"))
    _, body = await downloaded(page, roster_link)
    assert listed in body.decode("utf-8-sig")
    assert outside == []


async def test_a_report_downloads_its_period_in_spanish(browser: Browser, base_url: str) -> None:
    context = await browser.new_context(viewport={"width": 1200, "height": 900}, locale="es-ES")
    try:
        outside = watch_the_network(context, base_url)
        page = await context.new_page()
        await log_in_as(page, base_url)
        await page.goto(f"{base_url}/app/reports?report=teachers")
        await expect(page.locator("#content table").first).to_be_visible()
        await expect(page.locator("#exports")).to_contain_text("Descargar:")
        await expect(page.locator("#exports a.export")).to_have_text(["CSV", "Excel"])
        start = await page.locator("#filters input[name=start]").input_value()
        end = await page.locator("#filters input[name=end]").input_value()
        shown = (await page.locator("#content tbody tr td").first.text_content() or "").strip()
        assert shown

        csv_link = page.locator("#exports a[data-format=csv]")
        query = query_of(await csv_link.get_attribute("href"))
        assert query["start"] == [start] and query["end"] == [end] and query["lang"] == ["es"]
        name, body = await downloaded(page, csv_link)
        assert name.startswith("teachers-") and name.endswith(".csv")
        text = body.decode("utf-8-sig")
        header = next(csv.reader(io.StringIO(text)))
        assert "ID profesor" in header  # the header row, in the page's language
        assert shown in text  # a teacher's name the page shows

        name, body = await downloaded(page, page.locator("#exports a[data-format=xlsx]"))
        assert name.endswith(".xlsx")
        sheet = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
        values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
        assert shown in values

        # Another period: the links follow the form, so the file is the period on the screen.
        await page.fill("#filters input[name=start]", "2026-01-01")
        await page.fill("#filters input[name=end]", "2026-01-31")
        await page.locator("#filters button[type=submit]").click()
        january = "/api/v1/reports/teachers?start=2026-01-01&end=2026-01-31&format=csv&lang=es"
        await expect(csv_link).to_have_attribute("href", january)
        assert outside == []
    finally:
        await context.close()


async def test_a_teacher_sees_only_links_a_teacher_may_use(english: BrowserContext, base_url: str) -> None:
    """Every download link on a teacher's pages answers (their own students, classes, rosters, reports),
    and the school's money has none: the unpaid list a teacher is refused shows no link to it."""
    outside = watch_the_network(english, base_url)
    page = await english.new_page()
    await log_in_as(page, base_url, TEACHER)
    hrefs: set[str] = set()
    for where, ready in [
        ("students", "#exports a.export"),
        ("today", "#exports a.export"),
        ("reports?report=attendance", "#exports a.export"),
        ("dashboard", "#content .card"),
        ("groups", "#content a.export"),  # her own groups' rosters (the page was empty for her before)
    ]:
        await page.goto(f"{base_url}/app/{where}")
        await expect(page.locator(ready).first).to_be_attached()
        for link in await page.locator("a.export").all():
            hrefs.add(str(await link.get_attribute("href")))
    assert any("/students/browse" in h for h in hrefs) and any("/sessions" in h for h in hrefs)
    assert any("/roster" in h for h in hrefs)
    assert not any("/billing/unpaid" in h for h in hrefs)
    for href in sorted(hrefs):
        answer = await page.request.get(f"{base_url}{href}")
        assert answer.status == 200, href
    refused = await page.request.get(f"{base_url}/api/v1/billing/unpaid?format=csv")
    assert refused.status == 403  # the list whose link a teacher is not shown
    assert outside == []


async def test_every_link_on_the_office_pages_downloads_a_file(
    english: BrowserContext, base_url: str, web_database: DatabaseUrls
) -> None:
    """The office's pages (payments, schedule, groups, a student, the dashboard): each link is a CSV with a
    header row or an xlsx openpyxl opens, for the address the page itself read (its day, its student)."""
    outside = watch_the_network(english, base_url)
    page = await english.new_page()
    await log_in_as(page, base_url)
    _, student_id = await a_student_in_a_group(web_database)
    hrefs: set[str] = set()
    for where, ready in [
        ("payments", "#unpaid a.export"),
        ("schedule", "#week a.export"),
        ("groups", "#content a.export"),
        (f"student?id={student_id}", "#money a.export"),
        ("dashboard", "#content a.export"),
    ]:
        await page.goto(f"{base_url}/app/{where}")
        await expect(page.locator(ready).first).to_be_attached()
        for link in await page.locator("a.export").all():
            hrefs.add(str(await link.get_attribute("href")))
    charges = f"/students/{student_id}/charges?"
    missing = "/sessions/missing-attendance?since="  # the dashboard's classes still to mark
    for wanted in ("/billing/unpaid?", "/schedule/week?day=", "/roster?on=", charges, missing):
        assert any(wanted in h for h in hrefs), wanted
    for href in sorted(hrefs):
        answer = await page.request.get(f"{base_url}{href}")
        assert answer.status == 200, href
        body = await answer.body()
        if "format=xlsx" in href:
            sheet = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
            assert any(next(sheet.iter_rows(values_only=True))), href  # the header row
        else:
            assert next(csv.reader(io.StringIO(body.decode("utf-8-sig")))), href  # the header row
    assert outside == []
