"""Rules learnt from blind set 5's first run, one test each, end to end through the copilot over the demo
school (tests/evals/school.py): what the words are about decides the tool, not the first word that looks
like another one.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from domain.actions.models import PendingAction
from domain.db import use_tenant
from domain.groups.models import Group, StudentGroup
from domain.groups.service import active_on
from domain.payments.models import Payment
from domain.sessions.models import ClassSession
from domain.students.models import Student
from domain.text import fold
from domain.venues.models import Venue
from tests.evals.school import TODAY, School, school

__all__ = ["school"]


@pytest.mark.parametrize(
    ("said", "tool", "args"),
    [
        # "borrarse" is leaving the school, not deleting anything
        ("kien esta a punto de borrarse??", "dropout_risk", {}),
        ("¿Quién puede estar a punto de dejar Jazz Teens?", "dropout_risk", {"group": "Jazz Teens"}),
        # a group losing students is the group's health; a student about to leave is a dropout risk
        ("¿Qué grupos están perdiendo alumnos?", "group_health", {}),
        ("ESTADO DEL GRUPO TANGO ADULTS", "group_health", {"group": "Tango Adults"}),
        # what a teacher is owed, said as what we have to pay her
        (
            "¿Cuánto hay que pagarle a Paula Vázquez por octubre?",
            "payout_preview",
            {"teacher": "Paula Vázquez", "month": "2026-10"},
        ),
        # money received by transfer, not a receipt to attach
        (
            "cuanta pasta entro x transferencia en octubre",
            "revenue_summary",
            {"method": "bank_transfer", "start": "2026-10-01", "end": "2026-10-31"},
        ),
        ("clases sin lista de iker", "missing_attendance", {"teacher": "Iker Garrido"}),
        ("any1 got knee injury notes", "search_notes", {"query": "knee injury"}),
        ("Does anyone have a note about back problems?", "search_notes", {"query": "back problems"}),
    ],
)
async def test_what_the_words_are_about_decides_the_tool(
    school: School, said: str, tool: str, args: dict[str, str]
) -> None:
    answer = await school.say(school.admin, said)
    assert answer.tool_calls and answer.tool_calls[0]["name"] == tool, answer
    called = answer.tool_calls[0]["args"]
    assert {k: called.get(k) for k in args} == args, called
    assert await school.count(PendingAction) == 0


@pytest.mark.parametrize(
    ("said", "student", "amount"),
    [
        ("Registra 50 euros de Inés Peña, llegó ayer por transferencia", "Inés Peña", "50.00"),
        ("leo sanchez a traido 40 en metalico", "Leo Sánchez", "40.00"),
        ("got a transfer from Natalia Jiménez for 126.50 on Monday", "Natalia Jiménez", "126.50"),
    ],
)
async def test_a_payment_said_the_everyday_way_is_proposed_and_not_recorded(
    school: School, said: str, student: str, amount: str
) -> None:
    payments = await school.count(Payment)
    answer = await school.say(school.admin, said)
    assert answer.pending_action is not None, answer
    preview = answer.pending_action["preview"]
    assert student in preview and (amount in preview or amount.replace(".", ",") in preview), preview
    assert await school.count(Payment) == payments  # only proposed


@pytest.mark.parametrize(
    "said", ["hazle un descuento del 20% a lola vega", "change Lola Vega's monthly fee to 35 euros"]
)
async def test_a_discount_or_a_fee_change_is_refused_not_answered_with_the_students_file(
    school: School, said: str
) -> None:
    answer = await school.say(school.admin, said)
    assert answer.outcome == "refused" and answer.tool_calls == [], answer
    assert await school.count(PendingAction) == 0


@pytest.mark.parametrize(
    ("said", "word"), [("how is {name} doing", "own classes"), ("¿Cómo va {name}?", "tus clases")]
)
async def test_a_teacher_asking_about_a_student_outside_her_classes_is_told_it_is_not_hers(
    school: School, said: str, word: str
) -> None:
    hers = await school.students(seen_by=school.martina)  # under her tenant: what RLS lets her see
    others = sorted(await school.students() - hers)
    answer = await school.say(school.martina, said.format(name=others[0]))  # cannot: not in her classes
    assert answer.outcome == "failed" and word in answer.answer, answer
    assert others[0] in answer.answer  # the name said, and nothing about that student
    control = await school.say(school.martina, said.format(name=sorted(hers)[0]))  # can: her own student
    assert control.outcome == "answered" and sorted(hers)[0] in control.answer, control
    office = await school.say(school.admin, said.format(name=others[0]))  # the office sees everyone
    assert office.outcome == "answered" and others[0] in office.answer, office


@pytest.mark.parametrize(
    ("said", "args"),
    [
        ("¿Cómo va Abril Cruz?", {"student": "Abril Cruz"}),
        ("asistencia de abril cruz en octubre", {"student": "Abril Cruz", "start": "2026-10-01"}),
        ("asistencia de salsa improvers en abril", {"group": "Salsa Improvers", "start": "2026-04-01"}),
    ],
)
async def test_a_name_with_a_month_in_it_is_that_person_never_another_with_the_rest_of_it(
    school: School, said: str, args: dict[str, str]
) -> None:
    answer = await school.say(school.admin, said)
    called = answer.tool_calls[0]["args"] if answer.tool_calls else {}
    assert {k: called.get(k) for k in args} == args, answer


@pytest.mark.parametrize(
    ("thread", "args"),
    [
        # one narrowing replaced, the other kept
        (
            ["Emma Pascual's attendance in lindy hop advanced in november", "and in tango beginners?"],
            {"student": "Emma Pascual", "group": "Tango Beginners"},
        ),
        # a first name several kinds share is the kind the conversation is about
        (
            ["what's the attendance like in Sofía Castro's classes this month", "and Andrés?"],
            {"teacher": "Andrés Martin"},
        ),
        # "that month" is the last answer's month, for another question
        (
            ["¿Cuánto le toca cobrar a Alba Müller de octubre?", "¿cuántas clases dio ella ese mes?"],
            {"teacher": "Alba Müller", "start": "2026-10-01", "end": "2026-10-31"},
        ),
        # the one absentee is who "she" is next
        (
            [
                "mark zouk advanced today, everyone came except Lola Campos",
                "how has she been attending since october?",
            ],
            {"student": "Lola Campos", "start": "2026-10-01"},
        ),
    ],
)
async def test_a_follow_up_keeps_what_it_does_not_change(
    school: School, thread: list[str], args: dict[str, str]
) -> None:
    chat = str(uuid.uuid4())  # threads are kept by the checkpointer beyond the test's transaction
    for said in thread[:-1]:
        await school.say(school.admin, said, chat)
    answer = await school.say(school.admin, thread[-1], chat)
    called = answer.tool_calls[0]["args"] if answer.tool_calls else {}
    assert {k: fold(str(called.get(k))) for k in args} == {k: fold(v) for k, v in args.items()}, called


async def test_which_one_is_answered_by_the_group_they_are_in(school: School) -> None:
    chat = str(uuid.uuid4())
    asked = await school.say(school.admin, "how is noah doing", chat)  # five students are called Noah
    assert asked.outcome == "clarify" and isinstance(asked.data, dict), asked
    offered: list[str] = asked.data["options"]
    await use_tenant(school.session, school.admin)
    groups = (await school.session.scalars(select(Group.name))).all()
    group, noah = "", ""
    for candidate in groups:
        inside = [o for o in offered if o in await school.members(candidate)]
        if len(inside) == 1:
            group, noah = candidate, inside[0]
            break
    assert noah, f"no group holds exactly one of {offered}"
    answer = await school.say(school.admin, f"the one in {group.lower()}", chat)
    assert answer.tool_calls == [{"name": "student_overview", "args": {"student": noah}}], answer


@pytest.mark.parametrize("said", ["{name} paid me 45 in cash", "{name} me ha dado 45 en efectivo"])
async def test_a_teachers_cash_is_proposed_as_cash_to_verify_never_as_a_payment(
    school: School, said: str
) -> None:
    hers = sorted(await school.students(seen_by=school.martina))[0]
    payments = await school.count(Payment)
    answer = await school.say(school.martina, said.format(name=hers))
    assert answer.tool_calls and answer.tool_calls[0]["name"] == "report_cash", answer
    assert answer.pending_action is not None and hers in answer.pending_action["preview"], answer
    assert await school.count(Payment) == payments
    transfer = await school.say(
        school.martina, f"{hers} paid 45 by transfer"
    )  # cannot: a payment is the office's
    assert transfer.outcome == "refused" and transfer.tool_calls == [], transfer
    office = await school.say(school.admin, said.format(name=hers))  # the office records the payment itself
    assert office.tool_calls and office.tool_calls[0]["name"] == "record_payment", office


@pytest.mark.parametrize(
    "said", ["who at Studio Norte might be about to drop out", "alumnos en riesgo de dejarlo de Studio Norte"]
)
async def test_dropout_risk_narrows_to_the_students_of_a_venue(school: School, said: str) -> None:
    answer = await school.say(school.admin, said)
    assert answer.tool_calls == [{"name": "dropout_risk", "args": {"venue": "Studio Norte"}}], answer
    await use_tenant(school.session, school.admin)
    there = select(Venue.id).where(Venue.name == "Studio Norte").scalar_subquery()
    groups_there = (
        select(Group.id)
        .where(Group.venue_id == there)
        .union(select(ClassSession.group_id).where(ClassSession.venue_id == there))
    )
    query = (
        select(Student.full_name)
        .join(StudentGroup, StudentGroup.student_id == Student.id)
        .where(StudentGroup.group_id.in_(groups_there), active_on(TODAY))
    )
    at_venue = set((await school.session.scalars(query)).all())
    listed = {s["full_name"] for s in answer.data["at_risk"]}
    assert listed and listed <= at_venue, listed - at_venue  # nobody from elsewhere
    everyone = await school.say(school.admin, "who might be about to drop out")  # the whole school's list
    assert everyone.tool_calls == [{"name": "dropout_risk", "args": {}}], everyone
    assert everyone.data["students_checked"] > answer.data["students_checked"]


@pytest.mark.parametrize("said", ["how much does {name} owe", "cuánto debe {name}"])
async def test_a_teacher_asking_what_her_student_owes_is_refused_and_the_office_is_answered(
    school: School, said: str
) -> None:
    hers = sorted(await school.students(seen_by=school.martina))[0]
    answer = await school.say(school.martina, said.format(name=hers))  # cannot: money is the office's
    assert answer.outcome == "refused" and answer.tool_calls == [], answer
    office = await school.say(school.admin, said.format(name=hers))  # can
    assert office.tool_calls == [{"name": "student_overview", "args": {"student": hers}}], office
