"""Tools about tuition."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from domain.money import money
from domain.orgs.service import get_organization
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
    teacher: str | None = Field(default=None, description="Only the students of this teacher's groups.")
    venue: str | None = Field(
        default=None, description="Only the students of the groups meeting at this venue."
    )
    min_amount: Decimal | None = Field(
        default=None,
        ge=0,
        max_digits=12,
        decimal_places=2,
        description="Only those who owe at least this.",
    )


# Names said in a chat answer (a school's whole list on most days: the small demo's 60 at the end of a
# month); the answer's data and a spreadsheet keep them all. On the first days of a month a large school
# owes nearly everyone: 1,300 lines are no message to read.
LISTED_IN_CHAT = 100


async def _unpaid(ctx: ToolContext, args: UnpaidArgs) -> ToolOutput:
    month = date.fromisoformat(f"{args.month}-01") if args.month else month_start(ctx.today)
    narrowed = await resolve.narrowed(
        ctx, group_said=args.group, teacher_said=args.teacher, venue_said=args.venue
    )
    report = await payments.unpaid_students(
        ctx.session,
        ctx.tenant,
        month=month,
        today=ctx.today,
        group_id=narrowed.group_id,
        teacher_id=narrowed.teacher_id,
        venue_id=narrowed.venue_id,
        min_amount=args.min_amount,
    )
    say = ctx.speech.say
    who = (  # the answer says whose list it is
        (say("money.unpaid.in_group", group=narrowed.group.name) if narrowed.group else "")
        + (say("money.unpaid.of_teacher", teacher=narrowed.teacher.full_name) if narrowed.teacher else "")
        + (say("money.unpaid.at_venue", venue=narrowed.venue.name) if narrowed.venue else "")
        + (
            say("money.unpaid.at_least", amount=money(args.min_amount), currency=report.currency)
            if args.min_amount is not None
            else ""
        )
    )
    if not report.students:
        return ToolOutput(say("money.unpaid.none", who=who, month=month), report.model_dump(mode="json"))
    rows = [
        say(
            "money.unpaid.row_late" if s.days_overdue else "money.unpaid.row",
            count=s.days_overdue or None,
            days=s.days_overdue,
            name=s.full_name,
            outstanding=s.outstanding,
            currency=report.currency,
            status=say(f"money.status.{s.status.value}"),
        )
        for s in report.students[:LISTED_IN_CHAT]
    ]
    if len(report.students) > LISTED_IN_CHAT:
        # The whole school's list this month is asked for by name, which works in any conversation
        # (Telegram's /unpaid runs outside it: "send it" there would send the conversation's last list);
        # a narrowed one by "send it", from the conversation that remembers how it was narrowed.
        more = "money.unpaid.more_named" if args == UnpaidArgs() else "money.unpaid.more"
        rows.append(say(more, count=len(report.students) - LISTED_IN_CHAT))
    head = say(
        "money.unpaid.some",
        count=len(report.students),
        who=who,
        month=month,
        total=report.total_outstanding,
        currency=report.currency,
    )
    return ToolOutput(head + "\n" + "\n".join(rows), report.model_dump(mode="json"))


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
    say, currency = ctx.speech.say, preview.currency
    rows = [
        say("money.payouts.row", count=len(t.lines), teacher=t.teacher_name, total=t.total, currency=currency)
        for t in preview.teachers
    ]
    if len(preview.teachers) == 1:  # one teacher: the line items, so every euro can be traced
        lines = preview.teachers[0].lines
        rows += [
            say(
                "money.payouts.line",
                # Said in the answer's language from the line's data; approved lines keep their English.
                description=say(f"money.payouts.described.{line.detail.code}", **line.detail.values)
                if line.detail
                else line.description,
                quantity=line.quantity,
                rate=line.rate,
                amount=line.amount,
                currency=currency,
            )
            for line in lines[:40]
        ]
        if len(lines) > 40:
            rows.append(say("money.payouts.more_lines", count=len(lines) - 40))
    head = say("money.payouts.head", month=start, total=preview.total, currency=currency)
    return ToolOutput(head + "\n" + "\n".join(rows), preview.model_dump(mode="json"))


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
    say, currency = ctx.speech.say, (await get_organization(ctx.session, ctx.tenant)).currency
    covers = (
        say(
            "money.payment.covering",
            covered=min(amount, balance.outstanding),
            owed=balance.outstanding,
            currency=currency,
        )
        if balance.outstanding > 0
        else say("money.payment.becomes_credit")
    )
    preview = say(
        "money.payment.preview",
        method=say(f"money.payment.method.{args.method.value}"),
        amount=amount,
        currency=currency,
        student=student.full_name,
        day=day,
        covers=covers,
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
    said = ctx.speech.say(
        "money.payment.recorded_with_credit" if recorded.credit else "money.payment.recorded",
        count=len(recorded.allocated),
        amount=recorded.payment.amount,
        credit=recorded.credit,
        currency=(await get_organization(ctx.session, ctx.tenant)).currency,
    )
    return ToolOutput(said, recorded.model_dump(mode="json"))


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
    say = ctx.speech.say
    to = ctx.speech.join([x for x in (r.to_email, r.to_phone) if x], last="and")
    since = say("money.reminder.owed_since", day=r.oldest_due) if r.oldest_due else ""
    return Plan(
        {"student_id": str(student_id)},
        say(
            "money.reminder.preview",
            student=r.student_name,
            to_name=r.to_name,
            to=to,
            outstanding=r.outstanding,
            currency=r.currency,
            since=since,
        ),
    )


async def _apply_reminder(ctx: ToolContext, planned: dict[str, Any]) -> ToolOutput:
    r = await reminders.send_reminder(
        ctx.session, ctx.tenant, uuid.UUID(planned["student_id"]), today=ctx.today
    )
    return ToolOutput(
        ctx.speech.say("money.reminder.queued", name=r.to_name), {"student_id": str(r.student_id)}
    )


SEND_REMINDER = WriteTool(
    "send_payment_reminder",
    "Remind a student (or their guardian) of tuition they owe.",
    ReminderArgs,
    OFFICE,
    _plan_reminder,
    _apply_reminder,
)
