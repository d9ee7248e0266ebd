"""The students export: one row per student with their guardians, family and current groups.

It is also the import's format (``domain.imports``): exporting one organization and importing the file into
another gives the same students, guardians, families and memberships. A family is a label shared by
siblings; a group membership is written ``Salsa Beginners (since 2026-09-01)``, several joined by ``; ``.
Contact details follow the JSON list's rule (a teacher sees them only if the school allows it).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.exports.cells import Cell
from domain.exports.writers import Column, Table
from domain.groups.models import Group, StudentGroup
from domain.groups.service import visible_student_filter
from domain.orgs.viewer import viewer
from domain.students.models import Guardian, Student, StudentStatus
from domain.tenancy import TenantContext

STUDENT_COLUMNS = (
    Column("full_name", "Full name", "Nombre completo"),
    Column("email", "Email", "Email"),
    Column("phone", "Phone", "Teléfono"),
    Column("date_of_birth", "Date of birth", "Fecha de nacimiento"),
    Column("notes", "Notes", "Notas"),
    Column("family", "Family", "Familia"),
    Column("groups", "Groups", "Grupos"),
)
SINCE = {"en": "since", "es": "desde"}


def guardian_columns(n: int) -> tuple[Column, ...]:
    return (
        Column(f"guardian{n}_name", f"Guardian {n} name", f"Tutor {n} nombre"),
        Column(f"guardian{n}_relationship", f"Guardian {n} relationship", f"Tutor {n} parentesco"),
        Column(f"guardian{n}_email", f"Guardian {n} email", f"Tutor {n} email"),
        Column(f"guardian{n}_phone", f"Guardian {n} phone", f"Tutor {n} teléfono"),
    )


def students_table(guardian_slots: int) -> Table:
    extra = tuple(c for n in range(1, guardian_slots + 1) for c in guardian_columns(n))
    return Table("students", STUDENT_COLUMNS + extra)


def family_label(family_id: uuid.UUID) -> str:
    return f"F-{family_id.hex[:8].upper()}"


async def _students(
    session: AsyncSession, tenant: TenantContext, *, status: StudentStatus | None, include_archived: bool
) -> list[Student]:
    query = (
        select(Student)
        .where(await visible_student_filter(session, tenant, Student.id))
        .order_by(Student.search_name, Student.id)
    )
    if status is not None:
        query = query.where(Student.status == status)
    if not include_archived:
        query = query.where(Student.archived_at.is_(None))
    return list((await session.execute(query)).scalars())


async def count_students(
    session: AsyncSession, tenant: TenantContext, *, status: StudentStatus | None, include_archived: bool
) -> int:
    """How many students the paged list has in all (the same filter and visibility as the list)."""
    query = (
        select(func.count())
        .select_from(Student)
        .where(await visible_student_filter(session, tenant, Student.id))
    )
    if status is not None:
        query = query.where(Student.status == status)
    if not include_archived:
        query = query.where(Student.archived_at.is_(None))
    return int(await session.scalar(query) or 0)


async def student_rows(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    today: date,
    language: str = "en",
    status: StudentStatus | None = StudentStatus.ACTIVE,
    include_archived: bool = False,
) -> tuple[Table, list[list[Cell]]]:
    """The students the caller may see, with guardians, family and groups current on or after ``today``."""
    students = await _students(session, tenant, status=status, include_archived=include_archived)
    ids = [s.id for s in students]
    guardians: dict[uuid.UUID, list[Guardian]] = defaultdict(list)
    for g in (
        await session.execute(
            select(Guardian).where(Guardian.student_id.in_(ids)).order_by(Guardian.created_at, Guardian.id)
        )
    ).scalars():
        guardians[g.student_id].append(g)
    groups: dict[uuid.UUID, list[str]] = defaultdict(list)
    current = or_(StudentGroup.end_date.is_(None), StudentGroup.end_date >= today)
    memberships = (
        select(StudentGroup.student_id, Group.name, StudentGroup.start_date)
        .join(Group, Group.id == StudentGroup.group_id)
        .where(StudentGroup.student_id.in_(ids), current)
        .order_by(StudentGroup.start_date, Group.search_name)
    )
    since = SINCE.get(language, SINCE["en"])
    for student_id, name, start in await session.execute(memberships):
        groups[student_id].append(f"{name} ({since} {start.isoformat()})")
    contacts = (await viewer(session, tenant)).contacts
    slots = max((len(v) for v in guardians.values()), default=0)
    rows: list[list[Cell]] = []
    for s in students:
        row: list[Cell] = [
            s.full_name,
            s.email if contacts else None,
            s.phone if contacts else None,
            s.date_of_birth,
            s.notes,
            family_label(s.family_id) if s.family_id else None,
            "; ".join(groups[s.id]) or None,
        ]
        for n in range(slots):
            mine = guardians[s.id]
            if n < len(mine):
                g = mine[n]
                row += [
                    g.full_name,
                    g.relationship,
                    g.email if contacts else None,
                    g.phone if contacts else None,
                ]
            else:
                row += [None, None, None, None]
        rows.append(row)
    return students_table(slots), rows
