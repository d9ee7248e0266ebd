"""Which tools a caller may use, and how writes run for them.

People get the tools their role is offered, and writes wait for their confirmation. API keys get
tools by scope: ``read`` the reads; ``propose`` also the writes, as pending actions a person of the
organization confirms; ``write`` (or ``admin``) the writes applied at once, audited with the key.
"""

from __future__ import annotations

from domain.tenancy import Scope, TenantContext
from tools.base import Tool, ToolKind
from tools.catalog import offered_to
from tools.runner import Mode

READING = frozenset({Scope.READ, Scope.PROPOSE, Scope.WRITE, Scope.ADMIN})
WRITING = frozenset({Scope.PROPOSE, Scope.WRITE, Scope.ADMIN})
APPLYING = frozenset({Scope.WRITE, Scope.ADMIN})


def tools_for(tenant: TenantContext) -> list[Tool]:
    offered = offered_to(tenant)
    if tenant.api_key_id is None:
        return offered
    allowed = {ToolKind.READ} if tenant.scopes & READING else set()
    if tenant.scopes & WRITING:
        allowed.add(ToolKind.WRITE)
    return [tool for tool in offered if tool.kind in allowed]


def write_mode(tenant: TenantContext) -> Mode:
    return Mode.APPLY if tenant.api_key_id is not None and tenant.scopes & APPLYING else Mode.PROPOSE
