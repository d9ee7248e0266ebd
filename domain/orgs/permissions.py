"""Role checks shared by services. Enforced here, in the domain, never in prompts or routes."""

from __future__ import annotations

from domain.errors import Forbidden
from domain.tenancy import TenantContext


def require_admin(tenant: TenantContext) -> None:
    if not tenant.is_admin:
        raise Forbidden("Only an organization admin can do this.")
