"""Cash handed to a teacher in class: the teacher reports it, the office verifies it.

A report is not a payment: what a student owes is unchanged until someone from the office, having
counted the cash, verifies it — which records a cash payment (allocated like any other) once, however
often it is verified.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.cash_reports.models import CashReport, CashReportStatus
from domain.errors import Forbidden, Invalid, NotFound
from domain.groups.service import require_student_visible
from domain.money import money
from domain.orgs.permissions import require_office
from domain.payments import service as payments
from domain.payments.models import PaymentMethod
from domain.payments.schemas import PaymentIn
from domain.teachers.service import teacher_for_user
from domain.tenancy import TenantContext


async def check_report(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    student_id: uuid.UUID,
    amount: Decimal,
    received_on: date,
    today: date,
) -> Decimal:
    """What a teacher may report: cash from a student of their classes, a positive amount, not in the
    future. Returns the amount in cents."""
    if tenant.user_id is None or await teacher_for_user(session, tenant, tenant.user_id) is None:
        raise Forbidden("Cash handed over in class is reported by its teacher; the office records payments.")
    await require_student_visible(session, tenant, student_id)
    value = money(amount)
    if value <= 0:
        raise Invalid("The amount must be more than zero.", details={"field": "amount"})
    if received_on > today:
        raise Invalid("Cash can't have been received in the future.", details={"field": "received_on"})
    return value


async def report_cash(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    student_id: uuid.UUID,
    amount: Decimal,
    received_on: date,
    today: date,
) -> CashReport:
    value = await check_report(
        session, tenant, student_id=student_id, amount=amount, received_on=received_on, today=today
    )
    report = CashReport(
        organization_id=tenant.org_id,
        student_id=student_id,
        amount=value,
        received_on=received_on,
        status=CashReportStatus.AWAITING,
        reported_by_user_id=tenant.user_id,
    )
    session.add(report)
    await session.flush()
    return report


async def awaiting(session: AsyncSession, tenant: TenantContext) -> list[CashReport]:
    """The reports the office has still to count, oldest first."""
    require_office(tenant, "see cash reported by teachers")
    query = select(CashReport).where(CashReport.status == CashReportStatus.AWAITING)
    return list((await session.scalars(query.order_by(CashReport.created_at, CashReport.id))).all())


async def verify(
    session: AsyncSession, tenant: TenantContext, report_id: uuid.UUID, *, now: datetime
) -> CashReport:
    """The office counted the cash: record it as a cash payment, once (a second verify changes nothing)."""
    require_office(tenant, "verify cash reported by teachers")
    report = await session.scalar(
        select(CashReport)
        .where(CashReport.id == report_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if report is None:
        raise NotFound("No such cash report.")
    if report.status is CashReportStatus.VERIFIED:
        return report
    recorded = await payments.record_payment(
        session,
        tenant,
        data=PaymentIn(
            student_id=report.student_id,
            amount=report.amount,
            received_on=report.received_on,
            method=PaymentMethod.CASH,
        ),
    )
    report.status, report.payment_id = CashReportStatus.VERIFIED, recorded.payment.id
    report.decided_at, report.decided_by_user_id = now, tenant.user_id
    await session.flush()
    return report
