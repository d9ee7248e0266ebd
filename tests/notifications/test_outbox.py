"""The outbox dispatcher turns committed events into notifications, at least once, never twice."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from channels import jobs
from domain.attendance import service as attendance
from domain.db import unit_of_work
from domain.events.models import DomainEvent
from domain.notifications import outbox
from domain.notifications.models import Channel, Kind, Status
from domain.notifications.service import Message
from domain.payments import reminders
from domain.payments import service as payments
from domain.payouts import service as payouts
from domain.sessions import service as class_sessions
from domain.settings import Settings
from domain.students import service as students
from domain.students.schemas import GuardianIn
from tests.domain.studio import Studio, build_studio
from tests.notifications.helpers import MONDAY, class_on, ledger, madrid

DELIVERY = outbox.Delivery(
    now=madrid(12),
    telegram=False,
    public_base_url="https://cadence.test",
    receipt_link_ttl=timedelta(days=30),
)


async def cancelled_classes(sessions: async_sessionmaker[AsyncSession], count: int) -> Studio:
    async with unit_of_work(sessions) as session:
        studio = await build_studio(session)
        # Upcoming classes: the dispatch job (which runs at the real time) tells nobody about a class
        # already held, so once the suite runs after MONDAY its classes move to the next Monday.
        today = date.today()
        first = max(MONDAY, today + timedelta(days=7 - today.weekday()))
        for offset in range(count):
            row = await class_on(session, studio, first + timedelta(days=7 * offset))
            await class_sessions.cancel_session(session, studio.admin, row.id, reason="Studio flooded")
    return studio


async def undispatched(session: AsyncSession, type_: str) -> int:
    return len(
        (
            await session.scalars(
                select(DomainEvent.id).where(DomainEvent.type == type_, DomainEvent.dispatched_at.is_(None))
            )
        ).all()
    )


async def test_a_cancelled_class_tells_its_teacher_once(sessions: async_sessionmaker[AsyncSession]) -> None:
    studio = await cancelled_classes(sessions, 1)
    async with unit_of_work(sessions, studio.admin) as session:
        await outbox.dispatch(session, studio.admin, delivery=DELIVERY)
        await outbox.dispatch(session, studio.admin, delivery=DELIVERY)
        (row,) = await ledger(session)
        assert await undispatched(session, "session.cancelled") == 0
    assert (row.kind, row.recipient, row.channel) == (
        Kind.SESSION_CANCELLED,
        f"user:{studio.teacher.user_id}",
        Channel.EMAIL,
    )
    assert "Salsa Beginners" in row.body and "Studio flooded" in row.body


async def test_after_a_crash_mid_batch_the_outbox_redispatches_without_duplicates(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    studio = await cancelled_classes(sessions, 3)
    seen = []

    async def dies_on_the_second(
        session: AsyncSession, tenant: object, event: DomainEvent, d: object
    ) -> list[Message]:
        seen.append(event.id)
        if len(seen) == 2:
            raise SystemExit("worker killed")  # not an Exception: nothing catches it, like a kill
        return await outbox.session_cancelled(session, studio.admin, event, DELIVERY)

    with pytest.raises(SystemExit):
        async with unit_of_work(sessions, studio.admin) as session:
            await outbox.dispatch(
                session, studio.admin, delivery=DELIVERY, consumers={"session.cancelled": dies_on_the_second}
            )
    async with unit_of_work(sessions, studio.admin) as session:
        assert await ledger(session) == []  # the first event's notification went with the rollback
        assert await undispatched(session, "session.cancelled") == 3

    for _ in range(2):  # the restarted worker, and a beat that fires twice
        await jobs.dispatch_outbox(sessions, Settings(public_base_url="https://cadence.test"))
    async with unit_of_work(sessions, studio.admin) as session:
        rows = await ledger(session)
        assert await undispatched(session, "session.cancelled") == 0
    assert len(rows) == 3 and len({r.period for r in rows}) == 3


async def test_a_failing_consumer_holds_back_only_its_own_event(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    studio = await cancelled_classes(sessions, 2)
    calls = []

    async def fails_once(
        session: AsyncSession, tenant: object, event: DomainEvent, d: object
    ) -> list[Message]:
        calls.append(event.id)
        if len(calls) == 1:
            raise ValueError("template broken")
        return await outbox.session_cancelled(session, studio.admin, event, DELIVERY)

    consumers = {"session.cancelled": fails_once}
    async with unit_of_work(sessions, studio.admin) as session:
        await outbox.dispatch(session, studio.admin, delivery=DELIVERY, consumers=consumers)
        assert (len(await ledger(session)), await undispatched(session, "session.cancelled")) == (1, 1)
        retried = await outbox.dispatch(session, studio.admin, delivery=DELIVERY, consumers=consumers)
        assert (retried, len(await ledger(session)), await undispatched(session, "session.cancelled")) == (
            1,
            2,
            0,
        )


async def test_a_payment_reminder_reaches_the_guardian_with_an_upload_link(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with unit_of_work(sessions) as session:
        studio = await build_studio(session)
        ana = studio.students["Ana"]
        await students.add_guardian(
            session,
            studio.admin,
            ana.id,
            data=GuardianIn(full_name="Marta García", email="marta@example.com"),
        )
        await payments.generate_tuition(
            session, studio.admin, month=date(2026, 11, 1), today=date(2026, 11, 30)
        )
        assert (
            await payments.balance(session, studio.admin, ana.id, today=date(2026, 11, 30))
        ).outstanding > Decimal(0)
        await reminders.send_reminder(session, studio.admin, ana.id, today=date(2026, 11, 30))
        await reminders.send_reminder(session, studio.admin, ana.id, today=date(2026, 11, 30))  # asked twice
    async with unit_of_work(sessions, studio.admin) as session:
        await outbox.dispatch(session, studio.admin, delivery=DELIVERY)
        rows = await ledger(session)
    assert [(r.kind, r.recipient, r.address, r.status) for r in rows] == [
        (Kind.PAYMENT_REMINDER, f"student:{ana.id}", "marta@example.com", Status.PENDING)
    ]
    assert "https://cadence.test/upload/" in rows[0].body


async def test_an_approved_payout_tells_its_teacher(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with unit_of_work(sessions) as session:
        studio = await build_studio(session)
        held = await class_on(session, studio, date(2026, 10, 5))
        await attendance.mark_all_except(
            session, studio.admin, held.id, except_student_ids=[], today=date(2026, 11, 30), now=madrid(12)
        )
        await payouts.approve(
            session,
            studio.admin,
            teacher_id=studio.lucia.id,
            start=date(2026, 10, 1),
            end=date(2026, 10, 31),
            today=date(2026, 11, 30),
            now=madrid(12),
        )
    async with unit_of_work(sessions, studio.admin) as session:
        await outbox.dispatch(session, studio.admin, delivery=DELIVERY)
        rows = [r for r in await ledger(session) if r.kind == Kind.PAYOUT_APPROVED]
    assert [r.recipient for r in rows] == [f"user:{studio.teacher.user_id}"]
    assert "1 October 2026 to 31 October 2026" in rows[0].body and "€19.50" in rows[0].body  # 3 heads × 6.50
