"""A server error on a Spanish page is Spanish (Debian's Chromium): the office, with the page in Spanish,
enrols a student from a page left open after someone else already did; the API's 409 comes back in the
language the page shows ("… ya está en … desde el …"), because the pages send Accept-Language."""

from __future__ import annotations

import re

from playwright.async_api import Browser, expect

from channels.embedded import DatabaseUrls
from tests.web.pages_support import log_in_as, watch_the_network
from tests.web.test_browser import SHOTS, base_url, browser, chromium_path, web_database

__all__ = ["base_url", "browser", "chromium_path", "web_database"]  # the fixtures this module uses


async def test_enrolling_twice_on_a_spanish_page_says_why_in_spanish(
    browser: Browser, base_url: str, web_database: DatabaseUrls
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = await browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-GB")
    outside = watch_the_network(context, base_url)
    page = await context.new_page()
    await log_in_as(page, base_url)
    name = "Nuria Errores Prieto"  # new, so in no group yet: every active group is offered
    await page.goto(f"{base_url}/app/students")
    await page.wait_for_function("typeof CSRF === 'string' && CSRF.length > 0")  # start() has run
    student_id = await page.evaluate(
        "async name => (await send('/students', 'POST', { full_name: name })).id", name
    )
    await page.goto(f"{base_url}/app/student?id={student_id}")
    await page.select_option("#lang", "es")  # the person's choice: kept on the account, the page reloads
    await expect(page.locator("#enrol button[type=submit]")).to_have_text("Inscribir")

    stale = await context.new_page()  # the same form, left open in another tab
    await stale.goto(f"{base_url}/app/student?id={student_id}")
    options = page.locator("#enrol select[name=group_id] option")
    await expect(options.first).to_be_attached()
    group_id = await options.first.get_attribute("value")
    group_name = (await options.first.text_content() or "").strip()
    assert group_id
    # The stale tab must have drawn its form (its groups come from a request after load) before the
    # other tab enrols: else it would rightly no longer offer that group.
    await expect(stale.locator(f"#enrol select[name=group_id] option[value='{group_id}']")).to_be_attached()

    await page.select_option("#enrol select[name=group_id]", group_id)
    await page.click("#enrol button[type=submit]")
    await expect(page.locator("#enrol .state")).not_to_have_class(re.compile(r"\berror\b"))
    await expect(page.locator("#enrol .state")).to_contain_text("Inscrito en")

    await stale.select_option("#enrol select[name=group_id]", group_id)
    await stale.click("#enrol button[type=submit]")
    state = stale.locator("#enrol .state")
    await expect(state).to_have_class(re.compile(r"\berror\b"))
    await expect(state).to_contain_text(f"{name} ya está en ")
    await expect(state).to_contain_text(" desde el ")
    assert group_name.split(" ")[0] in (await state.text_content() or "")
    assert "already" not in (await state.text_content() or "")
    await state.scroll_into_view_if_needed()
    await stale.screenshot(path=str(SHOTS / "error-in-spanish.png"), full_page=False)
    assert outside == []
    await context.close()
