"""Ending a weekly class: the office removes a slot from a date on. History stays: classes before that
date keep their slot, the slot keeps its row with ``valid_until``, and the classes still scheduled from
that date are cancelled with the reason (never deleted, like the slot: the app's role may not delete either).
A slot withdrawn before its first day (added by mistake) keeps its row, its validity shrunk to one day
on which it has no class."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit import service as audit
from domain.errors import Invalid
from domain.orgs.permissions import require_office
from domain.scheduling.models import GroupSlot
from domain.scheduling.schemas import SlotOut
from domain.scheduling.service import following, get_slot
from domain.sessions import service as class_sessions
from domain.tenancy import TenantContext


async def end_slot(
    session: AsyncSession,
    tenant: TenantContext,
    slot_id: uuid.UUID,
    *,
    from_date: date,
    today: date,
    reason: str | None = None,
) -> tuple[GroupSlot, int]:
    """No more classes of this slot from ``from_date`` (today or later). Returns the slot as it stays and
    how many scheduled classes were cancelled."""
    require_office(tenant, "edit schedules")
    # Locked: a second end of the same slot at once (a button pressed twice) waits here, then sees the
    # first one's valid_until and is refused, instead of cancelling every class again.
    slot = await get_slot(session, tenant, slot_id, for_update=True)
    if from_date < today:
        raise Invalid(
            "A weekly class ends today or later; past classes stay as they were.",
            details={"field": "from_date"},
        )
    if slot.valid_until is not None and from_date > slot.valid_until:
        raise Invalid("That weekly class has already ended before this date.", details={"field": "from_date"})
    before = SlotOut.model_validate(slot).model_dump(mode="json")
    why = (reason or "").strip() or "The weekly class was removed from the schedule"
    cancelled = 0
    for row in await following(session, slot, from_date):
        await class_sessions.cancel_session(session, tenant, row.id, reason=why)
        cancelled += 1
    if from_date > slot.valid_from:
        slot.valid_until = from_date - timedelta(days=1)
    else:
        # Withdrawn before it began: its validity shrinks to one earlier day that is not its weekday, so
        # it never yields a class (rows are never deleted; the check wants valid_until >= valid_from).
        day = min(slot.valid_from, from_date) - timedelta(days=1)
        if day.weekday() == slot.weekday:
            day -= timedelta(days=1)
        slot.valid_from = slot.valid_until = day
    await session.flush()
    await audit.record(
        session,
        tenant,
        action="slot.ended",
        entity_type="group_slot",
        entity_id=slot.id,
        before=before,
        after=SlotOut.model_validate(slot).model_dump(mode="json"),
        reason=reason,
    )
    return slot, cancelled
