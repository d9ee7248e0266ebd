"""The catalogue the copilot, MCP and the REST tool-call API share."""

from __future__ import annotations

from typing import Any

from domain.tenancy import TenantContext
from tools.base import Tool
from tools.classes import CANCEL, MARK, MISSING, ROSTER, SCHEDULE
from tools.money import PAYOUTS, RECORD_PAYMENT, UNPAID

CATALOG: dict[str, Tool] = {
    tool.name: tool for tool in (UNPAID, PAYOUTS, SCHEDULE, ROSTER, MISSING, MARK, CANCEL, RECORD_PAYMENT)
}


def offered_to(tenant: TenantContext) -> list[Tool]:
    """The tools worth offering this caller (services still enforce every rule themselves)."""
    return [tool for tool in CATALOG.values() if tenant.is_admin or tenant.role in tool.roles]


def schema(tool: Tool) -> dict[str, Any]:
    """The compact function schema an LLM or an MCP client sees."""
    return {"name": tool.name, "description": tool.description, "parameters": tool.args.model_json_schema()}
