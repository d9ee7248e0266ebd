"""Notes about students: appended (never edited), embedded, and searched by meaning with pgvector."""

from __future__ import annotations

import uuid

from pydantic import BaseModel
from sqlalchemy import select, true
from sqlalchemy.ext.asyncio import AsyncSession

from domain.embeddings import Embedder
from domain.errors import Invalid
from domain.events import service as events
from domain.groups.models import StudentGroup
from domain.groups.service import require_student_visible, visible_student_filter
from domain.notes.models import StudentNote
from domain.sessions.narrowing import narrowing
from domain.students.models import Student
from domain.students.service import get_student
from domain.tenancy import TenantContext

MAX_NOTE = 2000


class NoteOut(BaseModel):
    id: uuid.UUID
    student_id: uuid.UUID
    student_name: str
    body: str
    created_on: str
    similarity: float | None = None


async def add_note(
    session: AsyncSession, tenant: TenantContext, *, student_id: uuid.UUID, body: str, embedder: Embedder
) -> StudentNote:
    text = " ".join(body.split())
    if not text:
        raise Invalid("A note needs some text.", details={"field": "body"})
    if len(text) > MAX_NOTE:
        raise Invalid(
            "A note can be at most {max_note} characters.",
            values={"max_note": MAX_NOTE},
            details={"field": "body"},
        )
    student = await get_student(session, tenant, student_id)
    await require_student_visible(session, tenant, student.id)
    note = StudentNote(
        organization_id=tenant.org_id,
        student_id=student.id,
        body=text,
        author_user_id=tenant.user_id,
        embedding=embedder.embed([text])[0],
    )
    session.add(note)
    await session.flush()
    await events.emit(
        session, tenant, "student.note_added", {"student_id": str(student.id), "note_id": str(note.id)}
    )
    return note


async def recent_notes(
    session: AsyncSession, tenant: TenantContext, student_id: uuid.UUID, *, limit: int = 3
) -> list[StudentNote]:
    await require_student_visible(session, tenant, student_id)
    query = (
        select(StudentNote)
        .where(StudentNote.student_id == student_id)
        .order_by(StudentNote.created_at.desc(), StudentNote.id)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())


async def search_notes(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    query: str,
    embedder: Embedder,
    limit: int = 5,
    group_id: uuid.UUID | None = None,
) -> list[NoteOut]:
    """Nearest notes by cosine distance (pgvector), among the students the caller may see; with a
    group, among the students who are or were in it (a teacher: only a group of their own)."""
    if not query.strip():
        raise Invalid("Say what to look for in the notes.", details={"field": "query"})
    await narrowing(session, tenant, group_id=group_id)
    vector = embedder.embed([query])[0]
    distance = StudentNote.embedding.cosine_distance(vector)
    statement = (
        select(StudentNote, Student.full_name, distance.label("distance"))
        .join(Student, Student.id == StudentNote.student_id)
        .where(await visible_student_filter(session, tenant, StudentNote.student_id))
        .where(
            StudentNote.student_id.in_(
                select(StudentGroup.student_id).where(StudentGroup.group_id == group_id)
            )
            if group_id is not None
            else true()
        )
        .order_by(distance, StudentNote.id)
        .limit(limit)
    )
    return [
        NoteOut(
            id=note.id,
            student_id=note.student_id,
            student_name=name,
            body=note.body,
            created_on=note.created_at.date().isoformat(),
            similarity=round(1 - float(dist), 3),
        )
        for note, name, dist in await session.execute(statement)
    ]
