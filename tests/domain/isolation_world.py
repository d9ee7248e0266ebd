"""Two organizations with one row in every tenant table, and the people who act in them.

Used by the attack matrix. Rows are written through the app role under RLS, each in its own
organization's context, exactly as the services would.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.attendance.models import AttendanceStatus
from domain.auth.models import User
from domain.db import use_tenant
from domain.groups.models import GroupStatus
from domain.models import Base
from domain.payments.models import PaymentStatus
from domain.sessions.models import SessionStatus
from domain.teachers.models import TeacherPaymentType
from domain.tenancy import Role, TenantContext
from tests.factories import add_member, make_org, make_user, tenant_of


@dataclass
class OrgRows:
    """One row of every tenant table in one organization, plus pools for unique columns."""

    org_id: uuid.UUID
    ids: dict[str, uuid.UUID] = field(default_factory=dict)
    spare_students: Iterator[uuid.UUID] = field(default_factory=lambda: iter(()))

    def __getitem__(self, table: str) -> uuid.UUID:
        return self.ids[table]


def _users(pool: Iterator[uuid.UUID]) -> Callable[[OrgRows], dict[str, Any]]:
    return lambda r: {"user_id": next(pool), "role": Role.STAFF}


def row_builders(user_pool: Iterator[uuid.UUID]) -> dict[str, Callable[[OrgRows], dict[str, Any]]]:
    """Column values for a new row of each tenant table, referencing the given organization's parents."""
    day = date(2026, 1, 5)
    return {
        "students": lambda r: {"full_name": "Ana García"},
        "teachers": lambda r: {
            "full_name": "Lucía Romero",
            "payment_type": TeacherPaymentType.PER_CLASS,
            "rate_per_class": Decimal("40.00"),
        },
        "venues": lambda r: {"name": "Studio Centro"},
        "groups": lambda r: {
            "name": "Salsa Beginners",
            "status": GroupStatus.ACTIVE,
            "venue_id": r["venues"],
            "teacher_id": r["teachers"],
        },
        "student_groups": lambda r: {"student_id": r["students"], "group_id": r["groups"], "start_date": day},
        "class_sessions": lambda r: {
            "group_id": r["groups"],
            "venue_id": r["venues"],
            "teacher_id": r["teachers"],
            "date": day,
            "status": SessionStatus.SCHEDULED,
        },
        "attendance_records": lambda r: {
            "class_session_id": r["class_sessions"],
            "student_id": next(r.spare_students),
            "status": AttendanceStatus.PRESENT,
        },
        "private_sessions": lambda r: {
            "teacher_id": r["teachers"],
            "student_id": r["students"],
            "venue_id": r["venues"],
            "date": day,
            "duration_minutes": 60,
            "status": SessionStatus.SCHEDULED,
        },
        "student_payments": lambda r: {
            "student_id": r["students"],
            "month": date(2026, 1, 1),
            "amount": Decimal("45.00"),
            "status": PaymentStatus.PENDING,
        },
        "teacher_payouts": lambda r: {
            "teacher_id": r["teachers"],
            "month": date(2026, 1, 1),
            "total_amount": Decimal("320.00"),
            "status": PaymentStatus.PENDING,
        },
        "audit_log": lambda r: {"action": "probe", "entity_type": "student", "entity_id": r["students"]},
        "domain_events": lambda r: {"type": "probe.happened", "payload": {"n": 1}},
        "organization_members": _users(user_pool),
        "invitations": lambda r: {
            "email": f"{uuid.uuid4().hex[:10]}@example.org",
            "role": Role.STAFF,
            "token_hash": uuid.uuid4().hex,
            "expires_at": datetime.now(UTC) + timedelta(days=1),
        },
        "api_keys": lambda r: {
            "name": "probe",
            "prefix": "cad_probe",
            "key_hash": uuid.uuid4().hex,
            "scopes": ["read"],
        },
        "guardians": lambda r: {"student_id": r["students"], "full_name": "Marta García"},
        "registration_submissions": lambda r: {
            "student_id": r["students"],
            "ip": "192.0.2.1",
            "outcome": "created",
        },
        "simulated_traits": lambda r: {
            "student_id": next(r.spare_students),
            "joined_on": day,
            "will_drop_out": False,
            "late_payer": True,
            "attendance_propensity": 0.8,
        },
    }


# Tables whose rows point at other tenant rows: a foreign parent must be refused by the composite FK.
CHILD_TABLES = (
    "groups",
    "student_groups",
    "class_sessions",
    "attendance_records",
    "private_sessions",
    "student_payments",
    "teacher_payouts",
    "guardians",
    "registration_submissions",
    "simulated_traits",
)


def table(name: str) -> Table:
    return Base.metadata.tables[name]


@dataclass
class World:
    a: OrgRows
    b: OrgRows
    actors: dict[str, TenantContext | None]
    builders: dict[str, Callable[[OrgRows], dict[str, Any]]]
    admin_a: TenantContext
    admin_b: TenantContext

    def values(self, table_name: str, rows: OrgRows, *, org_id: uuid.UUID | None = None) -> dict[str, Any]:
        """A new row of ``table_name`` on ``rows``' parents, labelled ``org_id`` (default: theirs)."""
        return {
            "id": uuid.uuid4(),
            "organization_id": org_id or rows.org_id,
            **self.builders[table_name](rows),
        }


async def _global_users(session: AsyncSession, count: int) -> list[uuid.UUID]:
    ids = [uuid.uuid4() for _ in range(count)]
    await session.execute(
        insert(User), [{"id": i, "email": f"pool-{i.hex}@example.org", "password_hash": "x"} for i in ids]
    )
    return ids


async def _fill(session: AsyncSession, tenant: TenantContext, builders: dict[str, Any]) -> OrgRows:
    await use_tenant(session, tenant)
    rows = OrgRows(org_id=tenant.org_id)
    spare = [uuid.uuid4() for _ in range(60)]
    await session.execute(
        insert(table("students")),
        [{"id": i, "organization_id": tenant.org_id, "full_name": "Spare"} for i in spare],
    )
    rows.spare_students = iter(spare)
    rows.ids["organizations"] = tenant.org_id
    for name, build in builders.items():
        row_id = uuid.uuid4()
        await session.execute(
            insert(table(name)).values(id=row_id, organization_id=tenant.org_id, **build(rows))
        )
        rows.ids[name] = row_id
    return rows


async def build_world(session: AsyncSession) -> World:
    admin_a, teacher_a, staff_a, admin_b, multi = [
        await make_user(session, label) for label in ("admin-a", "teacher-a", "staff-a", "admin-b", "multi")
    ]
    org_a, tenant_a = await make_org(session, admin_a, name="Studio A")
    org_b, tenant_b = await make_org(session, admin_b, name="Studio B")
    await add_member(session, org_a.id, teacher_a, Role.TEACHER)
    await add_member(session, org_a.id, staff_a, Role.STAFF)
    await add_member(session, org_a.id, multi, Role.STAFF)
    await add_member(session, org_b.id, multi, Role.TEACHER)

    builders = row_builders(iter(await _global_users(session, 200)))
    rows_a = await _fill(session, tenant_a, builders)
    rows_b = await _fill(session, tenant_b, builders)

    actors: dict[str, TenantContext | None] = {
        "admin of A": await tenant_of(session, admin_a, org_a.id),
        "teacher of A": await tenant_of(session, teacher_a, org_a.id),
        "staff of A": await tenant_of(session, staff_a, org_a.id),
        "multi-org user switched back to A": await tenant_of(session, multi, org_a.id),
        "admin of B": await tenant_of(session, admin_b, org_b.id),
        "multi-org user switched to B": await tenant_of(session, multi, org_b.id),
        "no tenant set": None,
    }
    return World(a=rows_a, b=rows_b, actors=actors, builders=builders, admin_a=tenant_a, admin_b=tenant_b)
