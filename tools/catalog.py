"""The catalogue the copilot, MCP and the REST tool-call API share."""

from __future__ import annotations

from typing import Any

from domain.tenancy import TenantContext
from tools.absences import COVER_SICK_DAY, REPORT_SICK_DAY
from tools.base import Tool
from tools.cash import CASH_TO_VERIFY, REPORT_CASH, VERIFY_CASH
from tools.classes import CANCEL, MARK, MISSING, ROSTER, SCHEDULE
from tools.insights import (
    ATTENDANCE,
    ATTENDANCE_ANOMALIES,
    DROPOUT_RISK,
    GROUP_HEALTH,
    LATE_PAYERS,
    REVENUE,
    REVENUE_FORECAST,
    TEACHER_LOAD,
)
from tools.money import PAYOUTS, RECORD_PAYMENT, SEND_REMINDER, UNPAID
from tools.my_classes import MY_NEXT_CLASS
from tools.receipts import ATTACH_RECEIPT
from tools.reports import REPORT
from tools.schedule import CHANGE_SCHEDULE, CLOSE_DATES, SUBSTITUTE
from tools.spreadsheet import SPREADSHEET
from tools.students import ADD_NOTE, ENROLL, SEARCH_NOTES, STUDENT_OVERVIEW

CATALOG: dict[str, Tool] = {
    tool.name: tool
    for tool in (
        # reads
        UNPAID,
        STUDENT_OVERVIEW,
        ROSTER,
        SCHEDULE,
        ATTENDANCE,
        MISSING,
        PAYOUTS,
        DROPOUT_RISK,
        REVENUE,
        TEACHER_LOAD,
        GROUP_HEALTH,
        LATE_PAYERS,
        REVENUE_FORECAST,
        ATTENDANCE_ANOMALIES,
        REPORT,
        SEARCH_NOTES,
        CASH_TO_VERIFY,
        MY_NEXT_CLASS,
        SPREADSHEET,  # another read's answer as a file
        # writes
        MARK,
        RECORD_PAYMENT,
        CANCEL,
        ADD_NOTE,
        ENROLL,
        SEND_REMINDER,
        CLOSE_DATES,
        SUBSTITUTE,
        CHANGE_SCHEDULE,
        ATTACH_RECEIPT,
        REPORT_SICK_DAY,
        COVER_SICK_DAY,
        REPORT_CASH,
        VERIFY_CASH,
    )
}


def offered_to(tenant: TenantContext) -> list[Tool]:
    """The tools worth offering this caller (services still enforce every rule themselves)."""
    return [tool for tool in CATALOG.values() if tenant.is_admin or tenant.role in tool.roles]


def schema(tool: Tool) -> dict[str, Any]:
    """The compact function schema an LLM or an MCP client sees."""
    return {"name": tool.name, "description": tool.description, "parameters": tool.args.model_json_schema()}
