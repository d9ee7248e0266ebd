"""Families: siblings share a ``family_id`` (the sibling discount is worked out from it when tuition is
generated). There is no family table: a family is the students holding the same id, so joining one
means taking a sibling's id, and the first pair of siblings gets a new one."""

from __future__ import annotations

import uuid

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit import service as audit
from domain.errors import Invalid
from domain.groups.service import visible_student_filter
from domain.orgs.permissions import require_office
from domain.students.models import Student
from domain.students.service import get_student, read_student
from domain.tenancy import TenantContext


class Sibling(BaseModel):
    id: uuid.UUID
    full_name: str


class FamilyOut(BaseModel):
    family_id: uuid.UUID | None
    siblings: list[Sibling]


async def family(session: AsyncSession, tenant: TenantContext, student_id: uuid.UUID) -> FamilyOut:
    """The student's siblings (archived ones too: they are still family), as the caller may see them."""
    student = await read_student(session, tenant, student_id)
    if student.family_id is None:
        return FamilyOut(family_id=None, siblings=[])
    rows = await session.execute(
        select(Student.id, Student.full_name)
        .where(
            Student.family_id == student.family_id,
            Student.id != student.id,
            await visible_student_filter(session, tenant, Student.id),  # a teacher: their students only
        )
        .order_by(Student.search_name)
    )
    return FamilyOut(family_id=student.family_id, siblings=[Sibling(id=i, full_name=n) for i, n in rows])


async def set_family(
    session: AsyncSession, tenant: TenantContext, student_id: uuid.UUID, *, sibling_id: uuid.UUID | None
) -> FamilyOut:
    """Put the student in ``sibling_id``'s family, or in none (``None``). Audited; charges already made
    keep their amounts (the next tuition run uses the new family)."""
    require_office(tenant, "change a student's family")
    student = await get_student(session, tenant, student_id)
    before = student.family_id
    if sibling_id is None:
        student.family_id = None
    else:
        if sibling_id == student.id:
            raise Invalid("A student cannot be their own sibling.", details={"field": "sibling_id"})
        sibling = await get_student(session, tenant, sibling_id)  # another school's id is 404
        if sibling.family_id is None:
            sibling.family_id = uuid.uuid4()
        student.family_id = sibling.family_id
    if student.family_id != before:
        await session.flush()
        await audit.record(
            session,
            tenant,
            action="student.family_changed",
            entity_type="student",
            entity_id=student.id,
            before={"family_id": str(before) if before else None},
            after={"family_id": str(student.family_id) if student.family_id else None},
        )
    return await family(session, tenant, student.id)
