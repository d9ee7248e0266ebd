"""Tools about tuition."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from domain.payments import service as payments
from domain.payments.rules import month_start
from tools.base import OFFICE, ReadTool, ToolContext, ToolOutput


class UnpaidArgs(BaseModel):
    month: str | None = Field(
        default=None, pattern=r"^\d{4}-\d{2}$", description="YYYY-MM; this month if omitted."
    )


async def _unpaid(ctx: ToolContext, args: UnpaidArgs) -> ToolOutput:
    month = date.fromisoformat(f"{args.month}-01") if args.month else month_start(ctx.today)
    report = await payments.unpaid_students(ctx.session, ctx.tenant, month=month, today=ctx.today)
    if not report.students:
        return ToolOutput(f"Everyone has paid for {month:%B %Y}.", report.model_dump(mode="json"))
    rows = [
        f"- {s.full_name}: {s.outstanding} {report.currency} ({s.status.value.replace('_', ' ')}"
        + (f", {s.days_overdue} days late)" if s.days_overdue else ")")
        for s in report.students
    ]
    return ToolOutput(
        f"{len(report.students)} students haven't paid {month:%B %Y} in full, "
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
