"""The students list page: sorted, paged, and searched with the same accent- and typo-tolerant search as
everywhere else ("jose martinez", "Mrtínez"). A teacher sees only their own students."""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import UnaryExpression, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.groups.service import visible_student_filter
from domain.students.models import Student, StudentStatus
from domain.students.service import search_students
from domain.tenancy import TenantContext


class StudentSort(enum.StrEnum):
    NAME = "name"
    NAME_DESC = "-name"
    NEWEST = "-created"
    OLDEST = "created"


_ORDER: dict[StudentSort, UnaryExpression[Any]] = {
    StudentSort.NAME: Student.search_name.asc(),
    StudentSort.NAME_DESC: Student.search_name.desc(),
    StudentSort.NEWEST: Student.created_at.desc(),
    StudentSort.OLDEST: Student.created_at.asc(),
}


async def browse_students(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    query: str | None = None,
    sort: StudentSort = StudentSort.NAME,
    include_archived: bool = False,
    limit: int = 25,
    offset: int = 0,
) -> tuple[int, list[Student]]:
    """(how many there are in all, this page). With a query, the matches best first (sort and offset
    apply to lists, not to a search's ranking) and the total is the number of matches."""
    if query and query.strip():
        matches = await search_students(
            session, tenant, query=query, limit=limit, include_archived=include_archived
        )
        found = {
            s.id: s
            for s in (await session.scalars(select(Student).where(Student.id.in_([m.id for m in matches]))))
        }
        rows = [found[m.id] for m in matches if m.id in found]
        return len(rows), rows
    where = [
        Student.status == StudentStatus.ACTIVE,
        await visible_student_filter(session, tenant, Student.id),
    ]
    if not include_archived:
        where.append(Student.archived_at.is_(None))
    total = await session.scalar(select(func.count()).select_from(Student).where(*where))
    page = select(Student).where(*where).order_by(_ORDER[sort], Student.id).limit(limit).offset(offset)
    return int(total or 0), list(await session.scalars(page))
