"""The demo school as the eval world seeds it, with its people and counts, for end-to-end copilot tests
(each test runs in a transaction that is rolled back)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from channels.embedded import DatabaseUrls, libpq_url
from copilot.checkpoints import TenantSaver
from copilot.service import Copilot, TurnResult
from domain.actions.models import PendingAction
from domain.db import create_engine, use_tenant
from domain.events.models import DomainEvent
from domain.groups.models import Group, StudentGroup
from domain.groups.service import active_on
from domain.notes.models import StudentNote
from domain.payments.models import Payment
from domain.students.models import Student
from domain.students.service import list_students
from domain.teachers.models import Teacher
from domain.tenancy import TenantContext
from domain.venues.models import Venue
from tests.copilot.helpers import ask, tenant_of

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 18, tzinfo=UTC)
REMINDER = "payment.reminder_requested"
# People of the seeded school (size small, seed 7) the cases lean on: Samuel León and Carmen Blanco owe
# tuition and have an email; Aitana Campos is in Martina Delgado's Heels Intermediate; "Lola" is five
# students' first name; Lola Vega and Lorena Vega both exist; Sala Luz is a studio of demo-teacher only.
OWES = "Samuel León"
OWES_ES = "Carmen Blanco"
HERS = "Aitana Campos"


@dataclass
class School:
    session: AsyncSession
    copilot: Copilot
    admin: TenantContext
    staff: TenantContext
    martina: TenantContext  # a teacher of the school (teacher1)
    irene: TenantContext  # the independent teacher, owner of demo-teacher

    async def say(self, who: TenantContext, text: str, chat: str | None = None) -> TurnResult:
        return await ask(self.copilot, self.session, who, text, chat or str(uuid.uuid4()), now=NOW)

    async def count(
        self, model: type[PendingAction] | type[Payment] | type[StudentNote], of: TenantContext | None = None
    ) -> int:
        """Rows of the school's (or ``of``'s organization), counted under its tenant like the app would."""
        await use_tenant(self.session, of or self.admin)
        return int(await self.session.scalar(select(func.count()).select_from(model)) or 0)

    async def events(self, type_: str) -> int:
        await use_tenant(self.session, self.admin)
        query = select(func.count()).select_from(DomainEvent).where(DomainEvent.type == type_)
        return int(await self.session.scalar(query) or 0)

    async def notes_of(self, student: str) -> list[str]:
        await use_tenant(self.session, self.admin)
        query = select(StudentNote.body).join(Student, Student.id == StudentNote.student_id)
        return list((await self.session.scalars(query.where(Student.full_name == student))).all())

    async def names(self, who: TenantContext) -> set[str]:
        """Every student, teacher, group and venue name the asker's organization holds."""
        await use_tenant(self.session, who)
        found: set[str] = set()
        for column in (Student.full_name, Teacher.full_name, Group.name, Venue.name):
            found |= set((await self.session.scalars(select(column))).all())
        return found

    async def students(self, seen_by: TenantContext | None = None) -> set[str]:
        """Every student of the school; or those ``seen_by`` a teacher may see (her classes' students)."""
        if seen_by is not None:
            await use_tenant(self.session, seen_by)
            seen = await list_students(
                self.session, seen_by, status=None, include_archived=True, limit=100_000
            )
            return {s.full_name for s in seen}
        await use_tenant(self.session, self.admin)
        return set((await self.session.scalars(select(Student.full_name))).all())

    async def members(self, group: str) -> set[str]:
        await use_tenant(self.session, self.admin)
        rows = await self.session.scalars(
            select(Student.full_name)
            .join(StudentGroup, StudentGroup.student_id == Student.id)
            .join(Group, Group.id == StudentGroup.group_id)
            .where(Group.name == group, active_on(TODAY))
        )
        return set(rows.all())


@pytest.fixture
async def school(eval_database: DatabaseUrls) -> AsyncIterator[School]:
    engine = create_engine(eval_database.app)
    try:
        async with (
            TenantSaver.from_conn_string(libpq_url(eval_database.app)) as saver,
            engine.connect() as connection,
        ):
            outer = await connection.begin()
            sessions = async_sessionmaker(
                bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
            )
            try:
                async with sessions() as session:
                    people = [
                        await tenant_of(session, "demo-school", "admin@demo-school.example"),
                        await tenant_of(session, "demo-school", "staff@demo-school.example"),
                        await tenant_of(session, "demo-school", "teacher1@demo-school.example"),
                        await tenant_of(session, "demo-teacher", "teacher@demo-teacher.example"),
                    ]
                async with sessions() as session:
                    yield School(session, Copilot(saver), *people)
            finally:
                await outer.rollback()
    finally:
        await engine.dispose()
