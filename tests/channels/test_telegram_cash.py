"""Cash handed to a teacher in class, through the fake Bot API server: "/cash Ana García 45" → a preview
that says it awaits the office's verification → Confirm → a cash report, no payment (Ana owes the same);
the office sees it and verifies it (twice: one cash payment). A teacher cannot verify, the office does
not report cash it can record itself, and a teacher cannot report for a student outside their classes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from channels.telegram.fake_api import Person
from domain.cash_reports.models import CashReport, CashReportStatus
from domain.db import unit_of_work
from domain.errors import Forbidden
from domain.payments.models import Payment, PaymentMethod
from domain.students import service as students
from domain.students.schemas import StudentIn
from domain.tenancy import TenantContext
from tests.channels.telegram_fake import (  # noqa: F401 - the *_fixture one is a fixture, shared
    FakeTelegram,
    fake_telegram_fixture,
)
from tests.channels.telegram_support import studio
from tests.copilot.conftest import checkpointer  # noqa: F401 - the fixture, shared
from tools import runner
from tools.base import ToolContext

LUCIA = Person(7001, "Lucía")
OFFICE = Person(7002, "Admin")


async def _payments(sessions: async_sessionmaker[AsyncSession], tenant: TenantContext) -> list[Payment]:
    async with unit_of_work(sessions, tenant) as session:
        return list((await session.scalars(select(Payment))).all())


async def _reports(sessions: async_sessionmaker[AsyncSession], tenant: TenantContext) -> list[CashReport]:
    async with unit_of_work(sessions, tenant) as session:
        return list((await session.scalars(select(CashReport))).all())


async def test_cash_from_a_teacher_awaits_the_office_and_is_verified_once(
    fake_telegram: FakeTelegram, sessions: async_sessionmaker[AsyncSession]
) -> None:
    api, school = fake_telegram.api, await studio(sessions)
    await fake_telegram.set_webhook()
    await fake_telegram.link(LUCIA, school.teacher.user_id)
    await fake_telegram.link(OFFICE, school.admin.user_id)

    await api.say(LUCIA, "/cash Ana García 45")
    preview = fake_telegram.last(LUCIA)
    assert preview.text.startswith("Ana García handed you 45.00 EUR in cash on")
    assert "awaiting the office's verification" in preview.text and preview.labels() == ["Confirm", "Cancel"]
    await api.tap(LUCIA, preview, "Confirm")
    assert fake_telegram.last(LUCIA).text.startswith("Noted: 45.00 EUR in cash from Ana García, awaiting")
    assert preview.text.startswith("Confirmed: Ana García handed you") and preview.buttons == []
    reports = await _reports(sessions, school.admin)
    assert [(r.amount, r.status) for r in reports] == [(Decimal("45.00"), CashReportStatus.AWAITING)]
    assert await _payments(sessions, school.admin) == []  # not money the school counts yet

    await api.say(OFFICE, "/cash Ana García 45")  # the office records payments itself
    assert fake_telegram.last(OFFICE).text.startswith("Cash handed over in class is reported by its teacher")
    await api.say(LUCIA, "/cash Ana")
    assert fake_telegram.last(LUCIA).text == "Say who and how much, e.g. /cash Ana García 45"

    now = datetime.now(UTC)
    async with unit_of_work(sessions, school.teacher) as session:
        as_teacher = ToolContext(session=session, tenant=school.teacher, today=school.admin.today(), now=now)
        try:
            await runner.execute(as_teacher, "verify_cash", {"student": "Ana García"})
            raise AssertionError("a teacher verified cash")
        except Forbidden:
            pass
    async with unit_of_work(sessions, school.admin) as session:
        office = ToolContext(session=session, tenant=school.admin, today=school.admin.today(), now=now)
        waiting = await runner.execute(office, "cash_to_verify", {})
        assert waiting.output.text == "1 cash reports await verification:\n- Ana García: 45.00 EUR on " + str(
            reports[0].received_on
        )
        proposed = await runner.execute(office, "verify_cash", {"student": "Ana García"})
        assert proposed.pending is not None
        action = proposed.pending.id
    for _ in range(2):  # verified twice: once
        async with unit_of_work(sessions, school.admin) as session:
            office = ToolContext(session=session, tenant=school.admin, today=school.admin.today(), now=now)
            await runner.confirm(office, action)
    paid = await _payments(sessions, school.admin)
    assert [(p.amount, p.method, p.student_id) for p in paid] == [
        (Decimal("45.00"), PaymentMethod.CASH, school.students["Ana"].id)
    ]
    assert (await _reports(sessions, school.admin))[0].payment_id == paid[0].id


async def test_a_teacher_reports_cash_only_for_students_of_their_classes(
    fake_telegram: FakeTelegram, sessions: async_sessionmaker[AsyncSession]
) -> None:
    api, school = fake_telegram.api, await studio(sessions)
    async with unit_of_work(sessions, school.admin) as session:
        await students.create_student(session, school.admin, data=StudentIn(full_name="Irene Castro"))
    await fake_telegram.set_webhook()
    await fake_telegram.link(LUCIA, school.teacher.user_id)
    await api.say(LUCIA, "/cash Irene Castro 30")  # not in any of her groups
    assert fake_telegram.last(LUCIA).buttons == [] and await _reports(sessions, school.admin) == []
    await api.say(LUCIA, "/cash José Martínez 30")  # control: one of hers
    assert fake_telegram.last(LUCIA).labels() == ["Confirm", "Cancel"]
    assert uuid.UUID(fake_telegram.last(LUCIA).data()[0].split(":")[1])
