"""Role checks shared by services. Enforced here, in the domain, never in prompts or routes."""

from __future__ import annotations

from domain.errors import Forbidden
from domain.tenancy import Role, TenantContext


def require_admin(tenant: TenantContext) -> None:
    if not tenant.is_admin:
        raise Forbidden("Only an organization admin can do this.")


def require_role(tenant: TenantContext, *roles: Role, action: str = "do this") -> None:
    """Admins may always act; otherwise the caller's role must be one of ``roles``."""
    if tenant.is_admin or tenant.role in roles:
        return
    allowed = ", ".join(sorted({"admin", *(r.value for r in roles)}))
    raise Forbidden("Only {allowed} can {action}.", values={"allowed": allowed, "action": action})


def is_office(tenant: TenantContext) -> bool:
    """The school office: admins and staff (students, payments, schedules)."""
    return tenant.is_admin or tenant.role is Role.STAFF


def require_office(tenant: TenantContext, action: str = "do this") -> None:
    """The school office: admins and staff (students, payments, schedules)."""
    require_role(tenant, Role.STAFF, action=action)
