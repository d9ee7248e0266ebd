"""Role by role, page by page: admin, staff and a teacher log in and open every page the web router
serves (the list is read from the router, so a new page is visited without anyone adding it here, and a
page nobody has classified fails this test). Each sees the navigation of its role, in English and in
Spanish (the report pages' labels too); a teacher has no Payments, no Schedule or Settings actions and no
colleague's rates — the links are hidden and the API behind them refuses — with the admin as the positive
control on the same requests. No request leaves the machine; no page breaks the CSP."""

from __future__ import annotations

import uuid

import pytest
from fastapi.routing import APIRoute
from playwright.async_api import Browser, Locator, Page, expect

from channels.http.deps import CSRF_COOKIE
from channels.web import routes as web
from tests.web.pages_support import log_in_as, watch_the_network
from tests.web.test_browser import ADMIN, base_url, browser, chromium_path, web_database

__all__ = ["base_url", "browser", "chromium_path", "web_database"]  # the fixtures this module reuses
STAFF, TEACHER = "staff@demo-school.example", "teacher1@demo-school.example"

# Who sees which page in the navigation (app.js draws it); "student" is reached from Students, and the
# login page comes before any role.
NAV = {
    "chat": {"admin", "staff", "teacher"},
    "today": {"admin", "staff", "teacher"},
    "students": {"admin", "staff", "teacher"},
    "groups": {"admin", "staff", "teacher"},
    "schedule": {"admin", "staff"},
    "payments": {"admin", "staff"},
    "payouts": {"admin", "staff", "teacher"},
    "settings": {"admin"},
    "dashboard": {"admin", "staff", "teacher"},
    "reports": {"admin", "staff", "teacher"},
}
NOT_IN_NAV = {"login", "student"}
# The other pages the router serves, by what they are: none needs a role.
PUBLIC = {"/", "/docs", "/docs/assets/{name}", "/invitations/accept", "/upload/{token}", "/join/{slug}"}
SPANISH = {
    "chat": "Chat", "today": "Hoy", "students": "Alumnos", "groups": "Grupos", "schedule": "Horario",
    "payments": "Pagos", "payouts": "Liquidaciones", "settings": "Ajustes", "dashboard": "Panel",
    "reports": "Informes",
}  # fmt: skip
NOBODY = uuid.UUID(int=0)
# What a teacher may not do, by the API behind the hidden pages: (method, path, the admin's status, staff's).
# The admin's answer is the control: it passes the role check (an unknown id is then a 404, a list a 200);
# staff, the office, has the money and the schedule but not the admin's settings.
REFUSED_TO_TEACHERS = [
    ("GET", "/receipts/pending", 200, 200),
    ("GET", "/reconciliation", 200, 200),
    ("GET", "/billing/settings", 200, 200),
    ("GET", "/org/api-keys", 200, 403),
    ("GET", "/org/invitations", 200, 403),
    ("GET", "/notifications/settings", 200, 403),
    ("GET", "/webhooks", 200, 403),
    ("DELETE", f"/org/invitations/{NOBODY}", 404, 403),
    ("DELETE", f"/closures/{NOBODY}", 404, 404),
]


async def links(nav: Locator) -> list[tuple[str, str]]:
    """The navigation's (page, label) pairs, in order."""
    found = []
    for a in await nav.all():
        found.append((str(await a.get_attribute("href")).removeprefix("/app/"), str(await a.text_content())))
    return found


def page_paths() -> list[str]:
    """Every GET page of the web router: /app/<page> for each page, and the others as registered."""
    paths: list[str] = []
    for route in web.router.routes:
        if isinstance(route, APIRoute) and "GET" in (route.methods or set()):
            paths += [f"/app/{p}" for p in sorted(web.PAGES)] if route.path == "/app/{page}" else [route.path]
    return paths


def test_every_page_the_router_serves_is_classified() -> None:
    paths = page_paths()
    app_pages = {p.removeprefix("/app/") for p in paths if p.startswith("/app/")}
    assert app_pages == set(NAV) | NOT_IN_NAV, "classify the new page in NAV (who sees it) or NOT_IN_NAV"
    assert {p for p in paths if not p.startswith("/app/")} == PUBLIC, "classify the new route in PUBLIC"


async def call(page: Page, base_url: str, method: str, path: str) -> int:
    csrf = {c["name"]: c["value"] for c in await page.context.cookies()}[CSRF_COOKIE]
    response = await page.request.fetch(
        f"{base_url}/api/v1{path}",
        method=method,
        headers={"X-CSRF-Token": csrf},
    )
    return response.status


@pytest.mark.parametrize(("role", "email"), [("admin", ADMIN), ("staff", STAFF), ("teacher", TEACHER)])
async def test_each_role_on_every_page(browser: Browser, base_url: str, role: str, email: str) -> None:
    context = await browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-GB")
    outside = watch_the_network(context, base_url)
    page = await context.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    await log_in_as(page, base_url, email)
    mine = sorted(p for p, roles in NAV.items() if role in roles)
    for path in page_paths():
        if not path.startswith("/app/") or path == "/app/login":
            continue
        response = await page.goto(f"{base_url}{path}")
        assert response is not None and response.status == 200, path
        nav = page.locator("header nav a")
        await expect(nav.first).to_be_visible()
        shown = sorted(name for name, _ in await links(nav))
        assert shown == mine, (role, path)

    for method, path, admin_status, staff_status in REFUSED_TO_TEACHERS:
        status = await call(page, base_url, method, path)
        expected = {"admin": admin_status, "staff": staff_status, "teacher": 403}[role]
        assert status == expected, (role, method, path, status)

    me = await (await page.request.get(f"{base_url}/api/v1/auth/me")).json()
    listed = await (await page.request.get(f"{base_url}/api/v1/teachers")).json()
    others = [t for t in listed if t["user_id"] != me["user"]["id"]]
    rates = ("monthly_rate", "rate_per_class", "rate_per_head")
    with_rates = [t for t in others if any(t[k] is not None for k in rates)]
    assert (len(with_rates) > 0) is (role != "teacher"), (
        role
    )  # the office sees colleagues' rates, a teacher none

    if role == "teacher":  # typed by hand, the hidden pages show the refusal and none of their actions
        await page.goto(f"{base_url}/app/payments")
        await expect(page.locator(".error").first).to_be_visible()
        await page.goto(f"{base_url}/app/settings")
        await expect(page.locator("#people")).to_be_hidden()
    assert outside == [] and refused == []
    await context.close()


async def test_the_navigation_is_spanish_on_every_page_including_the_reports(
    browser: Browser, base_url: str
) -> None:
    context = await browser.new_context(viewport={"width": 390, "height": 844}, locale="es-ES")
    page = await context.new_page()
    await log_in_as(page, base_url)  # the admin chooses Spanish (the browser's), as with the switch
    for name in sorted(NAV):
        await page.goto(f"{base_url}/app/{name}")
        nav = page.locator("header nav")
        await expect(nav.locator("a").first).to_be_visible()
        shown = await links(nav.locator("a"))
        assert [label for _, label in shown] == [SPANISH[linked] for linked, _ in shown], (name, shown)
    await context.close()
