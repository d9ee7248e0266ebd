"""The public registration form: anyone may ask to join; an admin or staff member decides.

A submission creates a *pending* student (and guardian) in the form's organization only. Spam
(the honeypot) is recorded and silently dropped; each address may submit a few times an hour;
a probable duplicate (same email, or same name and phone) is flagged for a human, not merged.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit import service as audit
from domain.contact import clean_email, clean_phone
from domain.db import use_tenant
from domain.errors import Conflict, NotFound, TooManyRequests
from domain.events import service as events
from domain.orgs.permissions import require_office
from domain.orgs.service import get_organization, organization_id_by_slug
from domain.registration.schemas import PendingRegistration, PublicRegistrationIn
from domain.students.models import RegistrationSubmission, Student, StudentStatus
from domain.students.schemas import GuardianIn, StudentIn
from domain.students.service import get_student, new_student
from domain.tenancy import TenantContext
from domain.text import fold

SUBMISSIONS_PER_HOUR = 5


async def submit(
    session: AsyncSession, *, org_slug: str, data: PublicRegistrationIn, ip: str | None, now: datetime
) -> tuple[TenantContext, Student] | None:
    """The pending student made (with the form's tenant), or None for a bot's filling."""
    org_id = await organization_id_by_slug(session, org_slug)
    if org_id is None:
        raise NotFound("No such registration form.")
    tenant = TenantContext.anonymous(org_id)
    await use_tenant(session, tenant)
    org = await get_organization(session, tenant)

    if data.website:  # honeypot: pretend success, keep a trace, create nothing
        session.add(RegistrationSubmission(organization_id=org_id, ip=ip, outcome="spam", created_at=now))
        await session.flush()
        return None
    recent = await session.scalar(
        select(func.count())
        .select_from(RegistrationSubmission)
        .where(RegistrationSubmission.ip == ip, RegistrationSubmission.created_at >= now - timedelta(hours=1))
    )
    if ip is not None and (recent or 0) >= SUBMISSIONS_PER_HOUR:
        raise TooManyRequests("Too many registrations from this address; please try again later.")

    email = clean_email(data.email)
    phone = clean_phone(data.phone, country=org.country)
    duplicate = await _probable_duplicate(session, full_name=data.full_name, email=email, phone=phone)
    guardians = []
    if data.guardian_name:
        guardians.append(
            GuardianIn(full_name=data.guardian_name, email=data.guardian_email, phone=data.guardian_phone)
        )
    student = await new_student(
        session,
        tenant,
        data=StudentIn(
            full_name=data.full_name,
            email=email,
            phone=phone,
            date_of_birth=data.date_of_birth,
            notes=data.message,
            guardians=guardians,
        ),
        status=StudentStatus.PENDING,
        source="public_form",
        duplicate_of=duplicate,
    )
    session.add(
        RegistrationSubmission(
            organization_id=org_id,
            created_at=now,
            ip=ip,
            student_id=student.id,
            outcome="duplicate" if duplicate else "created",
        )
    )
    await session.flush()
    return tenant, student


async def _probable_duplicate(
    session: AsyncSession, *, full_name: str, email: str | None, phone: str | None
) -> uuid.UUID | None:
    same_name_and_phone = (
        (Student.search_name == fold(full_name)) & (Student.phone == phone) if phone else None
    )
    conditions = [
        c for c in (Student.email == email if email else None, same_name_and_phone) if c is not None
    ]
    if not conditions:
        return None
    query = (
        select(Student.id)
        .where(or_(*conditions), Student.status != StudentStatus.REJECTED)
        .order_by(Student.created_at)
        .limit(1)
    )
    return await session.scalar(query)


async def list_pending(session: AsyncSession, tenant: TenantContext) -> list[PendingRegistration]:
    require_office(tenant, "review registrations")
    query = select(Student).where(Student.status == StudentStatus.PENDING).order_by(Student.created_at)
    return [
        PendingRegistration(
            student_id=s.id,
            full_name=s.full_name,
            email=s.email,
            phone=s.phone,
            notes=s.notes,
            possible_duplicate_of=s.duplicate_of_student_id,
            created_at=s.created_at,
        )
        for s in (await session.execute(query)).scalars()
    ]


async def decide(
    session: AsyncSession, tenant: TenantContext, student_id: uuid.UUID, *, approve: bool, reason: str | None
) -> Student:
    """Approve (the student becomes active) or reject (kept, marked rejected). Recorded with who and why."""
    require_office(tenant, "review registrations")
    student = await get_student(session, tenant, student_id)
    if student.status is not StudentStatus.PENDING:
        raise Conflict("This registration was already {status}.", values={"status": student.status.value})
    student.status = StudentStatus.ACTIVE if approve else StudentStatus.REJECTED
    decision = "approved" if approve else "rejected"
    await session.flush()
    await audit.record(
        session,
        tenant,
        action=f"registration.{decision}",
        entity_type="student",
        entity_id=student.id,
        before={"status": "pending"},
        after={"status": student.status.value},
        reason=reason,
    )
    await events.emit(session, tenant, f"registration.{decision}", {"student_id": str(student.id)})
    return student
