"""Tools about tuition."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from domain.money import money
from domain.payments import reminders
from domain.payments import service as payments
from domain.payments.models import PaymentMethod
from domain.payments.rules import days_in_month, month_start
from domain.payments.schemas import PaymentIn
from domain.payouts import service as payouts
from domain.students import service as students
from tools import resolve
from tools.base import EVERYONE, OFFICE, Plan, ReadTool, ToolContext, ToolOutput, WriteTool


class UnpaidArgs(BaseModel):
    month: str | None = Field(
        default=None, pattern=r"^\d{4}-\d{2}$", description="YYYY-MM; this month if omitted."
    )
    group: str | None = Field(default=None, description="Only the students of this group.")


async def _unpaid(ctx: ToolContext, args: UnpaidArgs) -> ToolOutput:
    month = date.fromisoformat(f"{args.month}-01") if args.month else month_start(ctx.today)
    group = await resolve.group(ctx, args.group) if args.group else None
    report = await payments.unpaid_students(
        ctx.session, ctx.tenant, month=month, today=ctx.today, group_id=group.id if group else None
    )
    who = f" in {group.name}" if group else ""  # the answer says whose list it is
    if not report.students:
        return ToolOutput(f"Everyone{who} has paid for {month:%B %Y}.", report.model_dump(mode="json"))
    rows = [
        f"- {s.full_name}: {s.outstanding} {report.currency} ({s.status.value.replace('_', ' ')}"
        + (f", {s.days_overdue} days late)" if s.days_overdue else ")")
        for s in report.students
    ]
    return ToolOutput(
        f"{len(report.students)} {'students' if len(report.students) != 1 else 'student'}{who}"
        f" {'haven' if len(report.students) != 1 else 'hasn'}'t paid {month:%B %Y} in full, "
        f"{report.total_outstanding} {report.currency} outstanding:\n" + "\n".join(rows),
        report.model_dump(mode="json"),
    )


UNPAID = ReadTool(
    "unpaid_students",
    "Who hasn't paid a month's tuition (this month by default).",
    UnpaidArgs,
    OFFICE,
    _unpaid,
)


class PayoutArgs(BaseModel):
    month: str | None = Field(
        default=None, pattern=r"^\d{4}-\d{2}$", description="YYYY-MM; last month if omitted."
    )
    teacher: str | None = Field(
        default=None, description="One teacher's name; everyone the caller may see if omitted."
    )


async def _payouts(ctx: ToolContext, args: PayoutArgs) -> ToolOutput:
    start = (
        date.fromisoformat(f"{args.month}-01")
        if args.month
        else month_start(month_start(ctx.today) - timedelta(days=1))
    )
    end = date(start.year, start.month, days_in_month(start))
    teacher_id = None
    if args.teacher:
        teacher_id = await resolve.teacher(ctx, args.teacher)
    preview = await payouts.preview(ctx.session, ctx.tenant, start=start, end=end, teacher_id=teacher_id)
    rows = [
        f"- {t.teacher_name}: {t.total} {preview.currency} ({len(t.lines)} lines)" for t in preview.teachers
    ]
    if len(preview.teachers) == 1:  # one teacher: the line items, so every euro can be traced
        lines = preview.teachers[0].lines
        rows += [
            f"  - {line.description}: {line.quantity} × {line.rate} = {line.amount}" for line in lines[:40]
        ]
        if len(lines) > 40:
            rows.append(f"  … and {len(lines) - 40} more lines")
    return ToolOutput(
        f"Payouts for {start:%B %Y}: {preview.total} {preview.currency} in total\n" + "\n".join(rows),
        preview.model_dump(mode="json"),
    )


class PaymentArgs(BaseModel):
    student: str = Field(description="The student's name.")
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    method: PaymentMethod = PaymentMethod.BANK_TRANSFER
    received_on: date | None = Field(default=None, description="When it arrived; today if omitted.")


async def _plan_payment(ctx: ToolContext, args: PaymentArgs) -> Plan:
    student_id = await resolve.student(ctx, args.student)
    student = await students.get_student(ctx.session, ctx.tenant, student_id)
    balance = await payments.balance(ctx.session, ctx.tenant, student_id, today=ctx.today)
    day = args.received_on or ctx.today
    amount = money(args.amount)
    covers = (
        f"covering {min(amount, balance.outstanding)} of {balance.outstanding} owed"
        if balance.outstanding > 0
        else "nothing is owed, so it becomes credit"
    )
    preview = (
        f"Record a {args.method.value.replace('_', ' ')} payment of {amount} from {student.full_name}"
        f" received {day.isoformat()}, {covers}."
    )
    return Plan(
        {
            "student_id": str(student_id),
            "amount": str(amount),
            "method": args.method.value,
            "received_on": day.isoformat(),
        },
        preview,
    )


async def _apply_payment(ctx: ToolContext, planned: dict[str, Any]) -> ToolOutput:
    recorded = await payments.record_payment(
        ctx.session,
        ctx.tenant,
        data=PaymentIn(
            student_id=planned["student_id"],
            amount=Decimal(planned["amount"]),
            method=PaymentMethod(planned["method"]),
            received_on=date.fromisoformat(planned["received_on"]),
        ),
    )
    return ToolOutput(
        f"Recorded {recorded.payment.amount}; {len(recorded.allocated)} charges paid"
        + (f", {recorded.credit} kept as credit." if recorded.credit else "."),
        recorded.model_dump(mode="json"),
    )


PAYOUTS = ReadTool(
    "payout_preview",
    "What teachers earned in a month, line by line (admins; a teacher sees only their own).",
    PayoutArgs,
    EVERYONE,
    _payouts,
)
RECORD_PAYMENT = WriteTool(
    "record_payment",
    "Record a payment a student made (bank transfer, cash or other).",
    PaymentArgs,
    OFFICE,
    _plan_payment,
    _apply_payment,
)


class ReminderArgs(BaseModel):
    student: str = Field(description="The student whose tuition is owed.")


async def _plan_reminder(ctx: ToolContext, args: ReminderArgs) -> Plan:
    student_id = await resolve.student(ctx, args.student)
    r = await reminders.reminder_for(ctx.session, ctx.tenant, student_id, today=ctx.today)
    to = " and ".join(x for x in (r.to_email, r.to_phone) if x)
    since = f", owed since {r.oldest_due.isoformat()}" if r.oldest_due else ""
    return Plan(
        {"student_id": str(student_id)},
        f"Send a payment reminder for {r.student_name} to {r.to_name} ({to}): "
        f"{r.outstanding} {r.currency} outstanding{since}.",
    )


async def _apply_reminder(ctx: ToolContext, planned: dict[str, Any]) -> ToolOutput:
    r = await reminders.send_reminder(
        ctx.session, ctx.tenant, uuid.UUID(planned["student_id"]), today=ctx.today
    )
    return ToolOutput(f"Reminder queued for {r.to_name}.", {"student_id": str(r.student_id)})


SEND_REMINDER = WriteTool(
    "send_payment_reminder",
    "Remind a student (or their guardian) of tuition they owe.",
    ReminderArgs,
    OFFICE,
    _plan_reminder,
    _apply_reminder,
)
