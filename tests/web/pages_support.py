"""Helpers for the office pages' browser tests: queries on the served demo database, the network
watcher (nothing may leave the machine), logging in, and the fixtures' small additions (classes today,
a bank statement paying someone who owes)."""

from __future__ import annotations

import uuid
from datetime import date, time
from decimal import Decimal
from typing import Any

from playwright.async_api import BrowserContext, Page, Request
from sqlalchemy import select

from channels.embedded import DatabaseUrls
from channels.http.deps import CSRF_COOKIE
from domain.auth import service as auth
from domain.db import create_engine, session_factory, unit_of_work
from domain.groups.models import Group, GroupStatus, StudentGroup
from domain.orgs import service as orgs
from domain.orgs.models import Organization
from domain.payments import service as payments
from domain.payments.rules import month_start
from domain.sessions import service as class_sessions
from domain.sessions.schemas import SessionIn
from domain.students.models import Student
from domain.tenancy import TenantContext
from tests.web.test_browser import ADMIN, PASSWORD


async def demo_admin(web_database: DatabaseUrls) -> TenantContext:
    engine = create_engine(web_database.app)
    try:
        async with unit_of_work(session_factory(engine)) as session:
            org_id = await orgs.organization_id_by_slug(session, "demo-school")
            return await auth.member_tenant(session, email=ADMIN, org_id=org_id)
    finally:
        await engine.dispose()


async def owner_query(web_database: DatabaseUrls, query: Any) -> Any:
    engine = create_engine(web_database.owner)
    try:
        async with session_factory(engine)() as session:
            return (await session.execute(query)).all()
    finally:
        await engine.dispose()


async def a_student_in_a_group(web_database: DatabaseUrls, *, skip: int = 0) -> tuple[str, str]:
    """An active student (name, id) of the demo school who is in a group today (the first by name, or a
    later one: tests that edit a student each take their own)."""
    rows = await owner_query(
        web_database,
        select(Student.full_name, Student.id)
        .join(StudentGroup, StudentGroup.student_id == Student.id)
        .join(Organization, Organization.id == Student.organization_id)
        .where(StudentGroup.end_date.is_(None), Student.archived_at.is_(None), Student.full_name.like("% %"))
        # the demo school's: the independent teacher's students (another organization) are no page's here
        .where(Organization.slug == "demo-school")
        .order_by(Student.full_name)
        .distinct()
        .limit(skip + 1),
    )
    name, student_id = rows[skip]
    return str(name), str(student_id)


def watch_the_network(context: BrowserContext, base_url: str) -> list[str]:
    outside: list[str] = []

    def seen(request: Request) -> None:
        if not request.url.startswith((base_url, "data:", "blob:", "about:")):
            outside.append(request.url)

    context.on("request", seen)
    return outside


async def log_in_as(page: Page, base_url: str, email: str = ADMIN) -> None:
    await page.goto(f"{base_url}/app/login")
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url("**/app/chat")
    await choose_the_browsers_language(page, base_url)


async def choose_the_browsers_language(page: Page, base_url: str) -> None:
    """The pages speak the account's language (its choice, else the organization's locale), never the
    browser's: the person of these tests chooses their browser context's language, as with the header
    switch, so an es-ES context reads Spanish and an English one English on the same demo accounts."""
    language = "es" if str(await page.evaluate("navigator.language")).startswith("es") else "en"
    csrf = {c["name"]: c["value"] for c in await page.context.cookies()}[CSRF_COOKIE]
    chosen = await page.request.patch(
        f"{base_url}/api/v1/auth/me", data={"language": language}, headers={"X-CSRF-Token": csrf}
    )
    assert chosen.ok, await chosen.text()


async def two_classes_today(web_database: DatabaseUrls) -> tuple[str, uuid.UUID, uuid.UUID]:
    """Two classes today (the school's today) of groups with students and no class yet today."""
    engine = create_engine(web_database.app)
    try:
        sessions = session_factory(engine)
        admin = await demo_admin(web_database)
        today = admin.today()
        async with unit_of_work(sessions, admin) as session:
            busy = (
                select(StudentGroup.group_id)
                .where(StudentGroup.end_date.is_(None))
                .group_by(StudentGroup.group_id)
            )
            groups = (
                await session.execute(
                    select(Group.id, Group.name)
                    .where(Group.status == GroupStatus.ACTIVE, Group.id.in_(busy))
                    .order_by(Group.name.desc())
                    .limit(2)
                )
            ).all()
            made = []
            for i, (group_id, _) in enumerate(groups):
                row = await class_sessions.create_session(
                    session, admin, data=SessionIn(group_id=group_id, date=today, start_time=time(5, 30 + i))
                )
                made.append(row.id)
        return str(groups[0][1]), made[0], made[1]
    finally:
        await engine.dispose()


async def someone_who_owes(web_database: DatabaseUrls, *, skip: int = 0) -> tuple[str, str, Decimal]:
    """(name, id, what they owe this month) of a demo student who has not paid, by the service itself."""
    admin = await demo_admin(web_database)
    engine = create_engine(web_database.app)
    try:
        async with unit_of_work(session_factory(engine), admin) as session:
            today = admin.today()
            report = await payments.unpaid_students(session, admin, month=month_start(today), today=today)
    finally:
        await engine.dispose()
    owing = [s for s in report.students if s.outstanding > 0 and " " in s.full_name]
    chosen = owing[-1 - skip]
    return chosen.full_name, str(chosen.student_id), chosen.outstanding


def mt940_paying(
    name: str, amount: Decimal, day: date, *, for_two: tuple[str, str, Decimal] | None = None
) -> bytes:
    """An MT940 statement (the layout of tests/data/statements/november.mt940) with one transfer from
    ``name`` paying ``amount`` on ``day``, one from a company that is nobody's, a bank fee (money going
    out, not a payment to match), and with ``for_two`` one transfer naming two students (to split)."""
    yymmdd, mmdd = day.strftime("%y%m%d"), day.strftime("%m%d")
    money = f"{amount:.2f}".replace(".", ",")
    return "\r\n".join(
        [
            ":20:CADENCEWEB",
            ":25:ES7921000813610123456789",
            ":28C:00001/001",
            f":60F:C{yymmdd}EUR1000,00",
            f":61:{yymmdd}{mmdd}C{money}NTRFNONREF//WEB1",
            f":86:Cuota {day:%m/%Y} {name}/ORDP/{name.upper()}",
            f":61:{yymmdd}{mmdd}C7,77NTRFNONREF//WEB2",
            ":86:Devolucion fianza local/ORDP/INMOBILIARIA ZETA SL",
            *(
                [
                    f":61:{yymmdd}{mmdd}C{for_two[2]:.2f}NTRFNONREF//WEB4".replace(".", ","),
                    f":86:Cuotas {for_two[0]} y {for_two[1]}/ORDP/FAMILIA",
                ]
                if for_two
                else []
            ),
            f":61:{yymmdd}{mmdd}D2,50NTRFNONREF//WEB3",
            ":86:Comision mantenimiento/ORDP/BANCO",
            f":62F:C{yymmdd}EUR1000,00",
            "",
        ]
    ).encode()
