"""The group page's waitlist in the browser (Debian's Chromium): the office fills a group, puts a student on
its waitlist, a member leaves, the place is shown as offered, and Enrol takes the student from the list
into the group. Desktop and phone; nothing leaves the machine."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest
from playwright.async_api import Browser, ViewportSize, expect
from sqlalchemy import select

from channels.embedded import DatabaseUrls
from domain.groups.models import Group, StudentGroup, WaitlistEntry
from domain.students.models import Student, StudentStatus
from tests.web.pages_support import log_in_as, owner_query, watch_the_network
from tests.web.test_browser import SHOTS, base_url, browser, chromium_path, web_database

__all__ = ["base_url", "browser", "chromium_path", "web_database"]  # the fixtures this module uses

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1200, "height": 900}


# Each size takes its own group (the first, the last), so neither depends on what the other changed.
@pytest.mark.parametrize(
    ("viewport", "which", "shot"), [(DESKTOP, 0, "waitlist-desktop"), (PHONE, -1, "waitlist-phone")]
)
async def test_full_group_waitlist_a_leave_offers_the_place_and_enrol_takes_it(
    browser: Browser, base_url: str, web_database: DatabaseUrls, viewport: ViewportSize, which: int, shot: str
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = await browser.new_context(viewport=viewport, locale="en-GB")
    outside = watch_the_network(context, base_url)
    page = await context.new_page()
    await log_in_as(page, base_url)
    await page.goto(f"{base_url}/app/groups")
    group = page.locator("details.group").nth(which)
    await expect(group.locator(".count")).to_have_text(re.compile(r"^\d+"))
    group_id = uuid.UUID(str(await group.get_attribute("data-group")))
    size = int((await group.locator(".count").text_content() or "0").split()[0])
    await group.locator("summary").click()
    await group.locator("form.edit-group input[name=capacity]").fill(str(size))  # now full
    await group.get_by_role("button", name="Save").click()
    group = page.locator(f"details.group[data-group='{group_id}']")
    await expect(group.locator(".count")).to_have_text(f"{size} / {size} full")

    members = select(StudentGroup.student_id).where(StudentGroup.group_id == group_id)
    outsider = await owner_query(  # the owner sees every school: this group's, by hand
        web_database,
        select(Student.full_name)
        .where(
            Student.id.not_in(members), Student.status == StudentStatus.ACTIVE, Student.archived_at.is_(None)
        )
        .where(Student.id.not_in(select(WaitlistEntry.student_id).where(WaitlistEntry.removed_at.is_(None))))
        .where(
            Student.organization_id
            == select(Group.organization_id).where(Group.id == group_id).scalar_subquery()
        )
        .order_by(Student.full_name)
        .limit(1),
    )
    name = outsider[0][0]
    await expect(group.locator("section.waitlist")).to_contain_text("Nobody is waiting.")
    await group.locator("form.waitlist-add input[name=student]").fill(name)
    await group.get_by_role("button", name="Add to the waitlist").click()
    group = page.locator(f"details.group[data-group='{group_id}']")
    await expect(group.locator("section.waitlist li")).to_have_count(1)
    await expect(group.locator("section.waitlist li")).to_contain_text(name)

    today = date.fromisoformat(str(await page.evaluate("schoolToday()")))
    leaver = str(await group.locator("ul.plain li a").first.get_attribute("href")).split("id=")[1]
    yesterday = (today - timedelta(days=1)).isoformat()
    await page.evaluate(
        f"send('/groups/{group_id}/members/{leaver}/leave', 'POST', {{end_date: '{yesterday}'}})"
    )
    await page.reload()
    group = page.locator(f"details.group[data-group='{group_id}']")
    await group.locator("summary").click()
    await expect(group.locator("section.waitlist li .tag")).to_contain_text("place offered")
    await expect(group.locator(".count")).to_have_text(f"{size - 1} / {size} ")
    await page.screenshot(path=str(SHOTS / f"{shot}.png"), full_page=True)
    await group.locator("button.waitlist-enrol").click()
    group = page.locator(f"details.group[data-group='{group_id}']")
    await expect(group.locator("section.waitlist")).to_contain_text("Nobody is waiting.")
    await expect(group.locator(".count")).to_have_text(f"{size} / {size} full")
    await expect(group.locator("ul.plain").first).to_contain_text(name)
    assert outside == []
    await context.close()
