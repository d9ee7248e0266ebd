"""Students: create, read, update, archive (never delete), guardians, and fuzzy search by name."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.archive import archive
from domain.audit import service as audit
from domain.contact import clean_email, clean_name, clean_phone
from domain.errors import Invalid, NotFound
from domain.events import service as events
from domain.groups.service import require_student_visible, visible_student_filter
from domain.orgs.permissions import require_office
from domain.orgs.service import org_country
from domain.search import Match, search_names
from domain.students.models import Guardian, Student, StudentStatus
from domain.students.schemas import GuardianIn, StudentIn, StudentUpdate
from domain.tenancy import TenantContext
from domain.text import fold


def _snapshot(student: Student) -> dict[str, Any]:
    return {
        "full_name": student.full_name,
        "email": student.email,
        "phone": student.phone,
        "date_of_birth": student.date_of_birth.isoformat() if student.date_of_birth else None,
        "notes": student.notes,
    }


async def create_student(session: AsyncSession, tenant: TenantContext, *, data: StudentIn) -> Student:
    """Add an active student (office staff only)."""
    require_office(tenant, "add students")
    return await new_student(session, tenant, data=data)


async def new_student(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    data: StudentIn,
    status: StudentStatus = StudentStatus.ACTIVE,
    source: str = "admin",
    duplicate_of: uuid.UUID | None = None,
) -> Student:
    """Validate and insert a student with guardians; callers check who may do it."""
    country = await org_country(session, tenant)
    name = clean_name(data.full_name)
    student = Student(
        organization_id=tenant.org_id,
        full_name=name,
        search_name=fold(name),
        email=clean_email(data.email),
        phone=clean_phone(data.phone, country=country),
        date_of_birth=data.date_of_birth,
        notes=(data.notes or "").strip() or None,
        status=status,
        source=source,
        duplicate_of_student_id=duplicate_of,
    )
    guardians = [_guardian(tenant, g, country) for g in data.guardians]
    session.add(student)
    await session.flush()
    for guardian in guardians:
        guardian.student_id = student.id
    session.add_all(guardians)
    await session.flush()
    await events.emit(
        session,
        tenant,
        "student.registered",
        {"student_id": str(student.id), "status": status.value, "source": source},
    )
    return student


def _guardian(tenant: TenantContext, data: GuardianIn, country: str | None) -> Guardian:
    return Guardian(
        organization_id=tenant.org_id,
        full_name=clean_name(data.full_name, field="guardians.full_name"),
        relationship=(data.relationship or "").strip() or None,
        email=clean_email(data.email, field="guardians.email"),
        phone=clean_phone(data.phone, country=country, field="guardians.phone"),
    )


async def get_student(session: AsyncSession, tenant: TenantContext, student_id: uuid.UUID) -> Student:
    student = await session.get(Student, student_id)
    if student is None:
        raise NotFound("No such student.")
    return student


async def read_student(session: AsyncSession, tenant: TenantContext, student_id: uuid.UUID) -> Student:
    """A student as the caller may see them: the office any, a teacher only their own students."""
    student = await get_student(session, tenant, student_id)
    await require_student_visible(session, tenant, student_id)
    return student


async def list_students(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    status: StudentStatus | None = StudentStatus.ACTIVE,
    include_archived: bool = False,
    limit: int = 200,
    offset: int = 0,
) -> list[Student]:
    """The office sees every student; a teacher the students of their groups and private lessons."""
    query = (
        select(Student)
        .where(await visible_student_filter(session, tenant, Student.id))
        .order_by(Student.search_name, Student.id)
        .limit(limit)
        .offset(offset)
    )
    if status is not None:
        query = query.where(Student.status == status)
    if not include_archived:
        query = query.where(Student.archived_at.is_(None))
    return list((await session.execute(query)).scalars())


async def search_students(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    query: str,
    limit: int = 10,
    include_archived: bool = False,
    exact_wins: bool = False,
) -> list[Match]:
    """Fuzzy and accent-insensitive: "Jose" finds "José Martínez" (``exact_wins``: see search_names)."""
    where = [
        Student.status != StudentStatus.REJECTED,
        await visible_student_filter(session, tenant, Student.id),
    ]
    if not include_archived:
        where.append(Student.archived_at.is_(None))
    return await search_names(
        session,
        query=query,
        id_column=Student.id,
        name_column=Student.full_name,
        folded_column=Student.search_name,
        where=where,
        limit=limit,
        exact_wins=exact_wins,
    )


async def update_student(
    session: AsyncSession, tenant: TenantContext, student_id: uuid.UUID, *, data: StudentUpdate
) -> Student:
    require_office(tenant, "edit students")
    student = await get_student(session, tenant, student_id)
    before = _snapshot(student)
    changes = data.model_dump(exclude_unset=True)
    country = await org_country(session, tenant)
    if "full_name" in changes:
        if changes["full_name"] is None:
            raise Invalid("A name is required.", details={"field": "full_name"})
        student.full_name = clean_name(changes["full_name"])
        student.search_name = fold(student.full_name)
    if "email" in changes:
        student.email = clean_email(changes["email"])
    if "phone" in changes:
        student.phone = clean_phone(changes["phone"], country=country)
    if "date_of_birth" in changes:
        student.date_of_birth = changes["date_of_birth"]
    if "notes" in changes:
        student.notes = (changes["notes"] or "").strip() or None
    after = _snapshot(student)
    if after != before:
        await session.flush()
        await audit.record(
            session,
            tenant,
            action="student.updated",
            entity_type="student",
            entity_id=student.id,
            before=before,
            after=after,
        )
        await events.emit(session, tenant, "student.updated", {"student_id": str(student.id)})
    return student


async def archive_student(
    session: AsyncSession, tenant: TenantContext, student_id: uuid.UUID, *, now: datetime
) -> Student:
    """Archived students keep all their history; they just leave the everyday lists."""
    require_office(tenant, "archive students")
    student = await get_student(session, tenant, student_id)
    await archive(session, tenant, student, kind="student", now=now)
    return student


async def add_guardian(
    session: AsyncSession, tenant: TenantContext, student_id: uuid.UUID, *, data: GuardianIn
) -> Guardian:
    require_office(tenant, "edit students")
    student = await get_student(session, tenant, student_id)
    guardian = _guardian(tenant, data, await org_country(session, tenant))
    guardian.student_id = student.id
    session.add(guardian)
    await session.flush()
    return guardian


async def list_guardians(
    session: AsyncSession, tenant: TenantContext, student_id: uuid.UUID
) -> list[Guardian]:
    await read_student(session, tenant, student_id)
    query = select(Guardian).where(Guardian.student_id == student_id).order_by(Guardian.created_at)
    return list((await session.execute(query)).scalars())
