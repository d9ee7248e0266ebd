"""Teachers: user-linked or offline profiles, each with a payment model and its rate."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.archive import archive
from domain.audit import service as audit
from domain.contact import clean_email, clean_name, clean_phone
from domain.errors import Conflict, Forbidden, Invalid, NotFound
from domain.money import optional_money
from domain.orgs.models import OrganizationMember
from domain.orgs.permissions import is_office, require_admin
from domain.orgs.service import org_country
from domain.payouts.models import TeacherRate
from domain.search import Match, search_names
from domain.teachers.models import Teacher, TeacherPaymentType
from domain.teachers.schemas import TeacherIn, TeacherUpdate
from domain.tenancy import TenantContext
from domain.text import fold

RATES_SINCE_ALWAYS = date(1970, 1, 1)  # a new teacher's first rate covers whatever is recorded for them
RATE_FIELD = {
    TeacherPaymentType.FIXED_MONTHLY: "monthly_rate",
    TeacherPaymentType.PER_CLASS: "rate_per_class",
    TeacherPaymentType.PER_HEAD: "rate_per_head",
}


def _check_rate(teacher: Teacher) -> None:
    field = RATE_FIELD[teacher.payment_type]
    if getattr(teacher, field) is None:
        raise Invalid(
            "A {payment_type} teacher needs {field}.",
            values={"payment_type": teacher.payment_type.value, "field": field},
            details={"field": field},
        )


def _snapshot(teacher: Teacher) -> dict[str, Any]:
    return {
        "full_name": teacher.full_name,
        "payment_type": teacher.payment_type.value,
        **{
            f: str(getattr(teacher, f)) if getattr(teacher, f) is not None else None
            for f in RATE_FIELD.values()
        },
    }


async def create_teacher(session: AsyncSession, tenant: TenantContext, *, data: TeacherIn) -> Teacher:
    require_admin(tenant)
    country = await org_country(session, tenant)
    if data.user_id is not None:
        member = await session.scalar(
            select(OrganizationMember.id).where(
                OrganizationMember.user_id == data.user_id, OrganizationMember.removed_at.is_(None)
            )
        )
        if member is None:
            raise Invalid("That user is not a member of this organization.", details={"field": "user_id"})
        if await teacher_for_user(session, tenant, data.user_id) is not None:
            raise Conflict("That user already has a teacher profile here.")
    name = clean_name(data.full_name)
    teacher = Teacher(
        organization_id=tenant.org_id,
        user_id=data.user_id,
        full_name=name,
        search_name=fold(name),
        payment_type=data.payment_type,
        monthly_rate=optional_money(data.monthly_rate),
        rate_per_class=optional_money(data.rate_per_class),
        rate_per_head=optional_money(data.rate_per_head),
        email=clean_email(data.email),
        phone=clean_phone(data.phone, country=country),
    )
    _check_rate(teacher)
    session.add(teacher)
    await session.flush()
    await _record_rate(
        session, tenant, teacher, effective_from=RATES_SINCE_ALWAYS, private_hourly=data.private_hourly_rate
    )
    await audit.record(
        session,
        tenant,
        action="teacher.created",
        entity_type="teacher",
        entity_id=teacher.id,
        after=_snapshot(teacher),
    )
    return teacher


async def get_teacher(session: AsyncSession, tenant: TenantContext, teacher_id: uuid.UUID) -> Teacher:
    teacher = await session.get(Teacher, teacher_id)
    if teacher is None:
        raise NotFound("No such teacher.")
    return teacher


async def teacher_for_user(
    session: AsyncSession, tenant: TenantContext, user_id: uuid.UUID
) -> Teacher | None:
    query = select(Teacher).where(Teacher.user_id == user_id, Teacher.archived_at.is_(None))
    return (await session.execute(query)).scalars().first()


async def require_teacher_or_office(
    session: AsyncSession, tenant: TenantContext, teacher_id: uuid.UUID, action: str
) -> None:
    """Admins and staff may act for any teacher; a teacher only for their own classes and lessons."""
    if is_office(tenant):
        return
    own = await teacher_for_user(session, tenant, tenant.user_id) if tenant.user_id else None
    if own is None or own.id != teacher_id:
        raise Forbidden(
            "Only the teacher in charge, staff or an admin can {action}.", values={"action": action}
        )


@dataclass(frozen=True)
class Visibility:
    """Which classes a caller may see: the office sees every teacher's, a teacher only their own."""

    teacher_id: uuid.UUID | None  # None: everything

    @property
    def everything(self) -> bool:
        return self.teacher_id is None


async def visibility(session: AsyncSession, tenant: TenantContext) -> Visibility:
    if is_office(tenant):
        return Visibility(None)
    own = await teacher_for_user(session, tenant, tenant.user_id) if tenant.user_id else None
    if own is None:
        raise Forbidden("Only staff, admins and the organization's teachers can see classes.")
    return Visibility(own.id)


async def list_teachers(
    session: AsyncSession, tenant: TenantContext, *, include_archived: bool = False
) -> list[Teacher]:
    query = select(Teacher).order_by(Teacher.search_name)
    if not include_archived:
        query = query.where(Teacher.archived_at.is_(None))
    return list((await session.execute(query)).scalars())


async def search_teachers(
    session: AsyncSession, tenant: TenantContext, *, query: str, limit: int = 10
) -> list[Match]:
    return await search_names(
        session,
        query=query,
        id_column=Teacher.id,
        name_column=Teacher.full_name,
        folded_column=Teacher.search_name,
        where=[Teacher.archived_at.is_(None)],
        limit=limit,
    )


async def _record_rate(
    session: AsyncSession,
    tenant: TenantContext,
    teacher: Teacher,
    *,
    effective_from: date,
    private_hourly: Decimal | None,
) -> None:
    """Payouts read rates from this history, so a change applies from its own date, not retroactively.

    A second change with the same effective date corrects that entry (the audit log keeps both).
    """
    rate = await session.scalar(
        select(TeacherRate).where(
            TeacherRate.teacher_id == teacher.id, TeacherRate.effective_from == effective_from
        )
    )
    if rate is None:
        rate = TeacherRate(
            organization_id=tenant.org_id, teacher_id=teacher.id, effective_from=effective_from
        )
        session.add(rate)
    rate.payment_type = teacher.payment_type
    rate.rate = getattr(teacher, RATE_FIELD[teacher.payment_type])
    rate.private_hourly_rate = optional_money(private_hourly)
    rate.created_by_user_id = tenant.user_id
    await session.flush()


async def _current_private_rate(session: AsyncSession, teacher_id: uuid.UUID) -> Decimal | None:
    latest = await session.scalar(
        select(TeacherRate.private_hourly_rate)
        .where(TeacherRate.teacher_id == teacher_id)
        .order_by(TeacherRate.effective_from.desc())
        .limit(1)
    )
    return latest


async def update_teacher(
    session: AsyncSession, tenant: TenantContext, teacher_id: uuid.UUID, *, data: TeacherUpdate, today: date
) -> Teacher:
    """Rate and payment-model changes are admin-only and audited (payouts depend on them)."""
    require_admin(tenant)
    teacher = await get_teacher(session, tenant, teacher_id)
    before = _snapshot(teacher)
    changes = data.model_dump(exclude_unset=True)
    effective_from = changes.pop("rates_effective_from", None) or today
    private_hourly = changes.pop("private_hourly_rate", None) if "private_hourly_rate" in changes else None
    private_changed = "private_hourly_rate" in data.model_fields_set
    country = await org_country(session, tenant)
    for field, value in changes.items():
        if field == "full_name":
            teacher.full_name = clean_name(value or "")
            teacher.search_name = fold(teacher.full_name)
        elif field == "email":
            teacher.email = clean_email(value)
        elif field == "phone":
            teacher.phone = clean_phone(value, country=country)
        elif field == "payment_type":
            if value is None:
                raise Invalid("A payment model is required.", details={"field": "payment_type"})
            teacher.payment_type = value
        else:  # one of the rates
            setattr(teacher, field, optional_money(value))
    _check_rate(teacher)
    await session.flush()
    after = _snapshot(teacher)
    pay_changed = {k: v for k, v in after.items() if k != "full_name"} != {
        k: v for k, v in before.items() if k != "full_name"
    }
    if pay_changed or private_changed:
        if not private_changed:
            private_hourly = await _current_private_rate(session, teacher.id)
        await _record_rate(
            session, tenant, teacher, effective_from=effective_from, private_hourly=private_hourly
        )
    if after != before:
        await audit.record(
            session,
            tenant,
            action="teacher.updated",
            entity_type="teacher",
            entity_id=teacher.id,
            before=before,
            after=after,
        )
    return teacher


async def archive_teacher(
    session: AsyncSession, tenant: TenantContext, teacher_id: uuid.UUID, *, now: datetime
) -> Teacher:
    require_admin(tenant)
    teacher = await get_teacher(session, tenant, teacher_id)
    await archive(session, tenant, teacher, kind="teacher", now=now)
    return teacher
