"""Rules learnt from blind set 6's first run (es 130/151), one test each, end to end through the copilot
over the demo school (tests/evals/school.py): the tools the catalogue offers are reached by what people
say about them, and a narrowed insight is about what was named, never the whole school's list.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from domain.actions.models import PendingAction
from domain.db import use_tenant
from domain.groups.models import Group
from domain.teachers.models import Teacher
from tests.evals.school import School, school

__all__ = ["school"]


@pytest.mark.parametrize(
    ("said", "tool", "args"),
    [
        # a report (rows and a chart) is the report tool, with its kind, grouping and step
        (
            "asistencia x grupo x semanas este mes, con grafico",
            "report",
            {"report": "attendance", "by": "group", "every": "week", "start": "2026-11-01"},
        ),
        (
            "Sácame un informe de ingresos por mes desde enero",
            "report",
            {"report": "revenue", "every": "month"},
        ),
        ("attendance report by teacher per month", "report", {"report": "attendance", "by": "teacher"}),
        # the teachers' cash awaiting the office, and the office saying it was counted
        ("efectivo x verificar??", "cash_to_verify", {}),
        ("is there any cash waiting to be verified", "cash_to_verify", {}),
        # the three insight tools, in both languages, narrowed by what is named
        (
            "¿Quién de Jazz Beginners va a pagar tarde el mes que viene?",
            "late_payment_risk",
            {"group": "Jazz Beginners"},
        ),
        ("prevision d ingresos prox 6 meses", "revenue_forecast", {"months": "6"}),
        (
            "clases medio vacias la semana pasada",
            "attendance_anomalies",
            {"start": "2026-11-16", "end": "2026-11-22"},
        ),
        ("any unusually empty classes in Tango Adults", "attendance_anomalies", {"group": "Tango Adults"}),
        (
            "notas sobre lesiones de los de Contemporary Kids",
            "search_notes",
            {"query": "lesiones", "group": "Contemporary Kids"},
        ),
    ],
)
async def test_what_the_catalogue_offers_is_reached_by_what_people_say(
    school: School, said: str, tool: str, args: dict[str, str]
) -> None:
    answer = await school.say(school.admin, said)
    assert answer.tool_calls and answer.tool_calls[0]["name"] == tool, answer
    called = answer.tool_calls[0]["args"]
    assert {k: str(called.get(k)) for k in args} == args, called
    assert answer.outcome == "answered", answer
    assert await school.count(PendingAction) == 0


async def test_a_forecast_is_an_answer_not_a_failure(school: School) -> None:
    """Its data carries its own past "error" (a percentage): that made the turn read as failed."""
    answer = await school.say(school.admin, "revenue forecast for the next 3 months")
    assert answer.tool_calls == [{"name": "revenue_forecast", "args": {"months": "3"}}], answer
    assert answer.outcome == "answered" and answer.data["error"] is not None, answer
    failed = await school.say(school.admin, "who is in Reggaeton Kids?")  # control: a refusal still fails
    assert failed.outcome != "answered", failed


async def test_a_groups_late_payers_are_the_schools_list_of_its_members(school: School) -> None:
    whole = await school.say(school.admin, "top 50 who will pay late")
    group = "Jazz Beginners"
    members = await school.members(group)
    ranked = [p["full_name"] for p in whole.data["late"]]
    assert any(name not in members for name in ranked), "control: the school's list reaches other groups"
    narrowed = await school.say(school.admin, f"top 50 in {group} who will pay late")
    assert narrowed.tool_calls[0]["args"].get("group") == group, narrowed
    listed = [p["full_name"] for p in narrowed.data["late"]]
    assert listed == [name for name in ranked if name in members]
    assert narrowed.answer.startswith(f"In {group}: "), narrowed.answer
    assert narrowed.data["students_checked"] <= len(members) < whole.data["students_checked"]


async def test_a_teachers_emptier_classes_are_the_schools_in_her_groups(school: School) -> None:
    await use_tenant(school.session, school.admin)
    whole = await school.say(school.admin, "classes much emptier than usual since september")
    flagged = {(c["group_name"], c["date"]) for c in whole.data["classes"]}
    teacher_of = dict(
        (
            await school.session.execute(
                select(Group.name, Teacher.full_name).join(Teacher, Teacher.id == Group.teacher_id)
            )
        ).all()
    )
    teachers = sorted({teacher_of[g] for g, _ in flagged if g in teacher_of})
    assert len(teachers) >= 2, "control: the school's anomalies span several teachers"
    teacher = teachers[0]
    narrowed = await school.say(school.admin, f"classes of {teacher} much emptier than usual since september")
    assert narrowed.tool_calls[0]["args"].get("teacher") == teacher, narrowed
    hers = {(c["group_name"], c["date"]) for c in narrowed.data["classes"]}
    assert hers == {(g, d) for g, d in flagged if teacher_of.get(g) == teacher}
    assert hers and hers != flagged
    assert teacher in narrowed.answer.split("\n")[0], narrowed.answer


async def test_a_teacher_asking_to_cancel_a_class_not_hers_is_told_before_any_question(
    school: School,
) -> None:
    await use_tenant(school.session, school.admin)
    theirs = set(
        (
            await school.session.scalars(
                select(Group.name)
                .join(Teacher, Teacher.id == Group.teacher_id)
                .where(Teacher.user_id == school.martina.user_id)
            )
        ).all()
    )
    other = (
        await school.session.scalars(select(Group.name).where(Group.name.not_in(theirs)).order_by(Group.name))
    ).first()
    assert other is not None and theirs
    refused = await school.say(school.martina, f"cancel {other} tomorrow", chat=str(uuid.uuid4()))
    assert refused.outcome == "refused" and other in refused.answer and "?" not in refused.answer, refused
    own = await school.say(school.martina, f"cancel {sorted(theirs)[0]} tomorrow", chat=str(uuid.uuid4()))
    assert own.outcome == "clarify", own  # her own class: asked why (the positive control)
    assert await school.count(PendingAction) == 0


async def test_a_sick_day_keeps_its_reason(school: School) -> None:
    answer = await school.say(school.martina, "mañana no puedo dar clase, tengo médico")
    assert answer.tool_calls and answer.tool_calls[0]["name"] == "report_sick_day", answer
    assert answer.tool_calls[0]["args"].get("reason") == "médico", answer.tool_calls


@pytest.mark.parametrize(
    ("said", "group", "first"),
    [
        ("pasa lista de jazz advanced: faltaron las dos saras, el resto vino", "Jazz Advanced", "Sara"),
        ("Jazz Advanced today: everyone was there except both Saras", "Jazz Advanced", "Sara"),
    ],
)
async def test_both_students_of_one_first_name_are_each_marked_absent(
    school: School, said: str, group: str, first: str
) -> None:
    """ "Both Léas", "las dos Saras": every student of the class with that first name, not a question."""
    named = sorted(m for m in await school.members(group) if m.split()[0] == first)
    assert len(named) == 2, named  # the class really has two
    answer = await school.say(school.admin, said, chat=str(uuid.uuid4()))
    assert answer.pending_action is not None, answer
    assert all(name in answer.pending_action["preview"] for name in named), answer.pending_action
    one = await school.say(school.admin, said.replace("las dos saras", "sara").replace("both Saras", "Sara"))
    assert one.pending_action is None and one.outcome == "clarify", one  # control: one Sara is asked about


async def test_emptier_classes_at_a_venue_are_the_schools_held_there(school: School) -> None:
    whole = await school.say(school.admin, "classes much emptier than usual since september")
    at = {c["group_name"] for c in whole.data["classes"]}
    assert at, "control: the school has emptier classes"
    narrowed = await school.say(school.admin, "emptier than usual classes at Studio Centro since september")
    assert narrowed.tool_calls[0]["args"].get("venue") == "Studio Centro", narrowed
    theirs = {(c["group_name"], c["date"]) for c in narrowed.data["classes"]}
    assert theirs <= {(c["group_name"], c["date"]) for c in whole.data["classes"]}
    assert len(theirs) < len(whole.data["classes"])
    assert narrowed.answer.startswith("Classes at Studio Centro"), narrowed.answer
