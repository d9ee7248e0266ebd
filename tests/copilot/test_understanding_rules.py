"""Issue 15's rules for names, writes and roles, end to end through the copilot over the demo school.

Point 4: a name the user said is matched confidently, asked about, or reported as not found — never dropped,
never replaced by someone else — and the answer says whose data it is. Point 5: writes take what was said
(note text after a dash or colon, the student to remind, "without asking me" is not a name), a teacher is
refused an office write at once, and actions no tool supports are refused. Point 6: a teacher asking for
the school's money is refused rather than given her own payout; an independent teacher asking about someone
else's earnings is not answered with hers. Every "cannot" has its "can", and every refusal wrote nothing.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copilot.service import Copilot, TurnResult
from domain.actions.models import PendingAction
from domain.db import unit_of_work, use_tenant
from domain.demo.seed import seed_demo
from domain.events.models import DomainEvent
from domain.groups.models import Group, StudentGroup
from domain.groups.service import active_on
from domain.notes.models import StudentNote
from domain.payments.models import Payment
from domain.students.models import Student
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

    async def count(self, model: type[PendingAction] | type[Payment] | type[StudentNote]) -> int:
        return int(await self.session.scalar(select(func.count()).select_from(model)) or 0)

    async def events(self, type_: str) -> int:
        query = select(func.count()).select_from(DomainEvent).where(DomainEvent.type == type_)
        return int(await self.session.scalar(query) or 0)

    async def names(self, who: TenantContext) -> set[str]:
        """Every student, teacher, group and venue name the asker's organization holds."""
        await use_tenant(self.session, who)
        found: set[str] = set()
        for column in (Student.full_name, Teacher.full_name, Group.name, Venue.name):
            found |= set((await self.session.scalars(select(column))).all())
        return found

    async def students(self) -> set[str]:
        return set((await self.session.scalars(select(Student.full_name))).all())

    async def members(self, group: str) -> set[str]:
        rows = await self.session.scalars(
            select(Student.full_name)
            .join(StudentGroup, StudentGroup.student_id == Student.id)
            .join(Group, Group.id == StudentGroup.group_id)
            .where(Group.name == group, active_on(TODAY))
        )
        return set(rows.all())


@pytest.fixture
async def school(
    sessions: async_sessionmaker[AsyncSession], checkpointer: AsyncPostgresSaver
) -> AsyncIterator[School]:
    await seed_demo(sessions, today=TODAY, size="small", seed=7)
    async with unit_of_work(sessions) as session:
        people = [
            await tenant_of(session, "demo-school", "admin@demo-school.example"),
            await tenant_of(session, "demo-school", "staff@demo-school.example"),
            await tenant_of(session, "demo-school", "teacher1@demo-school.example"),
            await tenant_of(session, "demo-teacher", "teacher@demo-teacher.example"),
        ]
    async with sessions() as session:
        yield School(session, Copilot(checkpointer), *people)


def named_in(answer: str, names: set[str]) -> set[str]:
    """The organization's names an answer mentions (whole words, so "Lola Vega" is not "Lola Vegas")."""
    return {n for n in names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", answer)}


# -- point 4: names are matched, asked about or reported, never dropped or swapped ---------------------------


@pytest.mark.parametrize(
    ("said", "tool", "spelt_right", "whole_school"),
    [
        ("who is in zouk advnced?", "group_roster", "who is in zouk advanced?", None),
        (
            "who hasn't paid in zouk advnced",
            "unpaid_students",
            "who hasn't paid in zouk advanced",
            "who hasn't paid",
        ),
        (
            "who is at risk in zouk advnced",
            "dropout_risk",
            "who is at risk in zouk advanced",
            "who is at risk",
        ),
        ("quién está en zouk advnced", "group_roster", "quién está en zouk advanced", None),
        (
            "quien no ha pagado en zouk advnced",
            "unpaid_students",
            "quien no ha pagado en zouk advanced",
            "quien no ha pagado",
        ),
    ],
)
async def test_a_misspelt_group_is_matched_and_the_answer_is_about_that_group_only(
    school: School, said: str, tool: str, spelt_right: str, whole_school: str | None
) -> None:
    answer = await school.say(school.admin, said)
    if answer.outcome == "clarify":  # asking "did you mean Zouk Advanced?" is as good as matching it
        assert "Zouk Advanced" in answer.answer and answer.tool_calls == [], answer
        return
    assert answer.tool_calls == [{"name": tool, "args": {"group": "Zouk Advanced"}}], answer
    assert "Zouk Advanced" in answer.answer.splitlines()[0]  # says whose data it is
    students = named_in(answer.answer, await school.students())
    assert students and students <= await school.members("Zouk Advanced"), students  # nobody else's
    control = await school.say(school.admin, spelt_right)  # the name spelt right: the very same answer
    assert control.answer == answer.answer
    if whole_school is not None:  # and the name was not dropped: the whole school's list is another one
        everyone = await school.say(school.admin, whole_school)
        assert everyone.tool_calls[0]["args"].get("group") is None, everyone
        assert named_in(everyone.answer, await school.students()) - await school.members("Zouk Advanced")
    assert await school.count(PendingAction) == 0


@pytest.mark.parametrize(
    ("said", "name"),
    [
        ("how is Carlos Pérez doing?", "Carlos P"),
        ("what does Carlos Pérez owe?", "Carlos P"),
        ("¿cuánto debe Carlos Pérez?", "Carlos P"),
        ("who is in Reggaeton Kids?", "Reggaeton Kids"),
        ("who hasn't paid in Reggaeton Kids", "Reggaeton Kids"),
        ("at risk in Reggaeton Kids", "Reggaeton Kids"),
        ("quién está en Reggaeton Kids", "Reggaeton Kids"),
        ("classes missing attendance at Sala Luz", "Sala Luz"),
        ("schedule at Sala Luz this week", "Sala Luz"),
        ("clases sin asistencia en Sala Luz", "Sala Luz"),
        ("send Carlos Pérez a reminder about the money they owe", "Carlos P"),
    ],
)
async def test_a_name_that_exists_nowhere_is_reported_and_nobody_else_is_answered_about(
    school: School, said: str, name: str
) -> None:
    answer = await school.say(school.admin, said)
    assert answer.outcome == "clarify" and answer.tool_calls == [], answer  # no tool ran on anyone
    assert name in answer.answer.replace("Perez", "Pérez")
    assert re.search(r"couldn't find|No encuentro", answer.answer), answer.answer
    assert named_in(answer.answer, await school.names(school.admin)) == set()  # no one else's data
    assert await school.count(PendingAction) == 0


async def test_a_venue_of_another_organization_is_not_found_here_and_found_there(school: School) -> None:
    here = await school.say(school.admin, "classes missing attendance at Sala Luz")
    assert here.tool_calls == [] and "Sala Luz" in here.answer, here
    assert named_in(here.answer, await school.names(school.irene)) == {"Sala Luz"}  # none of theirs
    sala_sur = await school.say(school.admin, "classes missing attendance at Sala Sur")  # control here
    assert sala_sur.tool_calls[0]["args"].get("venue") == "Sala Sur", sala_sur
    there = await school.say(school.irene, "who is at Sala Luz this week")  # control: its own studio
    assert there.tool_calls[0]["args"].get("venue") == "Sala Luz", there
    assert "Sala Luz" in there.answer.splitlines()[0]


@pytest.mark.parametrize(
    "said", ["how is Lola Vegas doing?", "what does Lola Vegas owe?", "¿cuánto debe Lola Vegas?"]
)
async def test_a_near_miss_name_is_matched_to_the_one_person_it_fits(school: School, said: str) -> None:
    answer = await school.say(school.admin, said)
    assert answer.tool_calls == [{"name": "student_overview", "args": {"student": "Lola Vega"}}], answer
    assert answer.answer.startswith("Lola Vega:")  # says whose data it is
    assert named_in(answer.answer, await school.students()) == {"Lola Vega"}  # not Lorena Vega, nor a Lola
    exact = await school.say(school.admin, said.replace("Vegas", "Vega"))  # control: the exact name
    assert exact.answer == answer.answer


@pytest.mark.parametrize("said", ["how is Lola doing?", "who is Lola", "Lola's balance", "cómo va Lola"])
async def test_a_first_name_shared_by_several_students_is_asked_about(school: School, said: str) -> None:
    answer = await school.say(school.admin, said)
    assert answer.outcome == "clarify", answer
    lolas = {n for n in await school.names(school.admin) if n.startswith("Lola ")}
    assert len(lolas) > 1 and len(named_in(answer.answer, lolas)) > 1  # the question offers them
    assert "Balance" not in answer.answer and "Saldo" not in answer.answer  # nobody's data yet
    one = await school.say(school.admin, said.replace("Lola", "Lola Vega"))  # control: a full name
    assert one.outcome == "answered" and one.answer.startswith("Lola Vega:"), one
