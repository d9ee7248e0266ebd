"""What a caller may read about people beyond their names.

The office (admins, staff) reads everything. A teacher reads their own record in full; of colleagues,
no pay rates; and nobody's email or phone unless the school allows it (``teachers_see_contacts``).
Which *rows* a teacher may see is decided elsewhere (``domain.groups.service`` visibility); this decides
which *fields* of a visible row reach them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from domain.orgs.permissions import is_office
from domain.orgs.service import teachers_see_contacts
from domain.students.models import Guardian, Student
from domain.students.schemas import GuardianOut, StudentOut
from domain.teachers.models import Teacher
from domain.teachers.schemas import TeacherOut
from domain.teachers.service import teacher_for_user
from domain.tenancy import TenantContext

NO_CONTACT = {"email": None, "phone": None}
NO_RATES = {"monthly_rate": None, "rate_per_class": None, "rate_per_head": None}


@dataclass(frozen=True)
class Viewer:
    office: bool
    teacher_id: uuid.UUID | None  # the caller's own teacher record, if they have one
    contacts: bool


async def viewer(session: AsyncSession, tenant: TenantContext) -> Viewer:
    if is_office(tenant):
        return Viewer(office=True, teacher_id=None, contacts=True)
    own = await teacher_for_user(session, tenant, tenant.user_id) if tenant.user_id else None
    return Viewer(
        office=False,
        teacher_id=own.id if own else None,
        contacts=await teachers_see_contacts(session, tenant),
    )


def student_out(student: Student, seen_by: Viewer) -> StudentOut:
    out = StudentOut.model_validate(student)
    return out if seen_by.contacts else out.model_copy(update=NO_CONTACT)


def guardian_out(guardian: Guardian, seen_by: Viewer) -> GuardianOut:
    out = GuardianOut.model_validate(guardian)
    return out if seen_by.contacts else out.model_copy(update=NO_CONTACT)


def teacher_out(teacher: Teacher, seen_by: Viewer) -> TeacherOut:
    out = TeacherOut.model_validate(teacher)
    if seen_by.office or teacher.id == seen_by.teacher_id:
        return out
    return out.model_copy(update=NO_RATES | ({} if seen_by.contacts else NO_CONTACT))
