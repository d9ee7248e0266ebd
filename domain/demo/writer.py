"""Write a simulated organization through the app role, under RLS, in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.auth import service as auth
from domain.auth.models import User
from domain.demo.simulator import OrgPlan, Row
from domain.models import Base
from domain.orgs import service as orgs
from domain.orgs.models import OrganizationMember, OrganizationType
from domain.payments.models import BillingSettings

# Parents before children, so the composite foreign keys are satisfied as rows arrive.
TABLE_ORDER = (
    "venues",
    "teachers",
    "groups",
    "group_slots",
    "students",
    "simulated_traits",
    "student_groups",
    "class_sessions",
    "attendance_records",
    "charges",
    "payments",
    "payment_allocations",
    "teacher_rates",
    "private_sessions",
)
CHUNK = 5_000
Progress = Callable[[str, int], None]


async def _user(session: AsyncSession, email: str, name: str, password_hash: str) -> User:
    user = await auth.find_user_by_email(session, email)
    if user is None:
        user = User(email=email, name=name, password_hash=password_hash)
        session.add(user)
        await session.flush()
    return user


def _clean(row: Row, org_id: Any) -> Row:
    """Drop the planner's private keys (leading underscore) and stamp the organization."""
    out = {k: v for k, v in row.items() if not k.startswith("_")}
    out["organization_id"] = org_id
    return out


async def write_org(session: AsyncSession, plan: OrgPlan, *, password_hash: str, progress: Progress) -> None:
    admin = await _user(session, *plan.admin, password_hash)
    org, _ = await orgs.create_organization(
        session,
        user_id=admin.id,
        name=plan.name,
        slug=plan.slug,
        type=OrganizationType(plan.type),
        timezone="Europe/Madrid",
        currency="EUR",
        country="ES",
    )
    org.public_holidays = True  # the simulated history is closed on Spain's public holidays too
    users = {plan.admin[0]: admin}
    for email, name, role in plan.members:
        users[email] = await _user(session, email, name, password_hash)
        session.add(OrganizationMember(organization_id=org.id, user_id=users[email].id, role=role))
    session.add(BillingSettings(organization_id=org.id))
    await session.flush()
    for teacher in plan.rows["teachers"]:
        linked = plan.teacher_emails.get(teacher["id"])
        teacher["user_id"] = users[linked].id if linked else None
    connection = await session.connection()
    for table_name in TABLE_ORDER:
        rows = plan.rows.get(table_name, [])
        table = Base.metadata.tables[table_name]
        for start in range(0, len(rows), CHUNK):
            chunk = [_clean(r, org.id) for r in rows[start : start + CHUNK]]
            await connection.execute(insert(table), chunk)
            progress(table_name, len(chunk))
