"""Payment reminders: who would be reminded, of what, and the outbox event a notifier sends."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import Conflict
from domain.events import service as events
from domain.orgs.permissions import require_office
from domain.orgs.service import get_organization
from domain.payments.service import balance
from domain.students.service import get_student, list_guardians
from domain.tenancy import TenantContext


@dataclass(frozen=True)
class Reminder:
    student_id: uuid.UUID
    student_name: str
    to_name: str
    to_email: str | None
    to_phone: str | None
    outstanding: Decimal
    currency: str
    oldest_due: date | None


async def reminder_for(
    session: AsyncSession, tenant: TenantContext, student_id: uuid.UUID, *, today: date
) -> Reminder:
    """What a reminder would say and to whom; refused when nothing is owed or nobody can be reached."""
    require_office(tenant, "send payment reminders")
    student = await get_student(session, tenant, student_id)
    owed = await balance(session, tenant, student_id, today=today)
    if owed.outstanding <= 0:
        raise Conflict(
            "{student} owes nothing, so there is nothing to remind.", values={"student": student.full_name}
        )
    guardians = [g for g in await list_guardians(session, tenant, student_id) if g.email or g.phone]
    to_name, to_email, to_phone = (
        (guardians[0].full_name, guardians[0].email, guardians[0].phone)
        if guardians
        else (student.full_name, student.email, student.phone)
    )
    if not (to_email or to_phone):
        raise Conflict(
            "There is no email or phone for {student} or a guardian.", values={"student": student.full_name}
        )
    org = await get_organization(session, tenant)
    return Reminder(
        student_id=student.id,
        student_name=student.full_name,
        to_name=to_name,
        to_email=to_email,
        to_phone=to_phone,
        outstanding=owed.outstanding,
        currency=org.currency,
        oldest_due=min((c.due_date for c in owed.open_charges), default=None),
    )


async def send_reminder(
    session: AsyncSession, tenant: TenantContext, student_id: uuid.UUID, *, today: date
) -> Reminder:
    """Queue the reminder in the outbox (sent after commit by the notifier)."""
    reminder = await reminder_for(session, tenant, student_id, today=today)
    await events.emit(
        session,
        tenant,
        "payment.reminder_requested",
        {
            "student_id": str(reminder.student_id),
            "to_name": reminder.to_name,
            "to_email": reminder.to_email,
            "to_phone": reminder.to_phone,
            "outstanding": str(reminder.outstanding),
            "currency": reminder.currency,
            "requested_by": str(tenant.user_id) if tenant.user_id else None,
        },
    )
    return reminder
