"""A class said by when it is, not by its group's name: "my next class", "the 8pm class", "la clase de
las 8" — end to end through the copilot over the demo school (tests/evals/school.py).

The class meant is computed here from the tables (the asker's classes, the school's wall clock), never
from the planner; a teacher's time never reaches another teacher's class, and an hour two classes share
is asked about rather than guessed.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from domain.actions.models import PendingAction
from domain.attendance.models import AttendanceRecord
from domain.db import use_tenant
from domain.groups.models import Group
from domain.sessions.models import ClassSession, SessionStatus
from domain.teachers.models import Teacher
from domain.tenancy import TenantContext
from tests.evals.school import NOW, TODAY, School, school

__all__ = ["school"]

SCHOOL_NOW = NOW.astimezone(ZoneInfo("Europe/Madrid")).replace(tzinfo=None)


async def classes(school: School, day: date) -> list[tuple[str, time, str]]:
    """(group, start, teacher's user) of the classes on ``day`` that are not cancelled."""
    await use_tenant(school.session, school.admin)
    rows = await school.session.execute(
        select(Group.name, ClassSession.start_time, Teacher.user_id)
        .join(Group, Group.id == ClassSession.group_id)
        .join(Teacher, Teacher.id == ClassSession.teacher_id)
        .where(ClassSession.date == day, ClassSession.status != SessionStatus.CANCELLED)
        .order_by(ClassSession.start_time)
    )
    return [(name, start, str(user)) for name, start, user in rows.all() if start is not None]


async def next_class_of(school: School, who: TenantContext) -> tuple[str, date, time]:
    for offset in range(14):
        day = TODAY + timedelta(days=offset)
        for name, start, user in await classes(school, day):
            if user == str(who.user_id) and datetime.combine(day, start) > SCHOOL_NOW:
                return name, day, start
    raise AssertionError("the teacher has no class in the next two weeks")


@pytest.mark.parametrize("said", ["who's in my next class", "quién viene a mi próxima clase"])
async def test_the_roster_of_my_next_class_is_the_teachers_own_next_class(school: School, said: str) -> None:
    group, _, _ = await next_class_of(school, school.martina)
    answer = await school.say(school.martina, said)
    # The tool made for a teacher's own next class (the catalogue says so: blind set 6's writers chose it)
    assert answer.tool_calls == [{"name": "my_next_class", "args": {}}], answer
    members = await school.members(group)
    assert group in answer.answer and members and all(m in answer.answer for m in members), answer.answer


@pytest.mark.parametrize("said", ["when is my next class", "mi proxima clase"])
async def test_my_next_class_is_said_with_its_day_and_time(school: School, said: str) -> None:
    group, _, start = await next_class_of(school, school.martina)
    answer = await school.say(school.martina, said)
    assert answer.tool_calls == [{"name": "my_next_class", "args": {}}], answer
    assert group in answer.answer and start.strftime("%H:%M") in answer.answer, answer.answer
    # The office's "the next class" is the schedule's: the school's next class, not anyone's own
    office = await school.say(school.admin, said)
    assert office.tool_calls == [{"name": "schedule", "args": {"next": True}}], office


async def test_the_roll_for_my_8pm_class_is_proposed_for_that_class_and_written_only_on_yes(
    school: School,
) -> None:
    mine = [(g, s) for g, s, user in await classes(school, TODAY) if user == str(school.martina.user_id)]
    group, start = mine[0]
    said = f"take the roll for my {start.hour - 12}pm class, everyone was there"
    await use_tenant(school.session, school.admin)
    marks_before = len((await school.session.scalars(select(AttendanceRecord.id))).all())
    answer = await school.say(school.martina, said)
    assert answer.pending_action is not None, answer
    assert group in answer.pending_action["preview"], answer.pending_action
    await use_tenant(school.session, school.admin)
    assert len((await school.session.scalars(select(AttendanceRecord.id))).all()) == marks_before
    assert await school.count(PendingAction) == 1


async def test_an_hour_with_no_class_of_the_teacher_is_asked_about_not_answered_with_a_colleagues(
    school: School,
) -> None:
    others = [(g, s) for g, s, user in await classes(school, TODAY) if user != str(school.martina.user_id)]
    theirs, start = next((g, s) for g, s in others if s.minute == 30)  # e.g. Salsa Improvers at 18:30
    said = f"who is in the {start:%H:%M} class"
    answer = await school.say(school.martina, said)  # cannot: not her class
    assert answer.outcome == "clarify" and answer.tool_calls == [], answer
    assert theirs not in answer.answer
    control = await school.say(school.admin, said)  # can: the office sees every class
    assert control.tool_calls == [
        {"name": "group_roster", "args": {"group": theirs, "on": TODAY.isoformat()}}
    ]


async def test_a_class_at_an_hour_two_groups_share_is_asked_about_with_both(school: School) -> None:
    by_hour: dict[int, list[str]] = {}
    for name, start, _ in await classes(school, TODAY):
        by_hour.setdefault(start.hour, []).append(name)
    hour, shared = next((h, names) for h, names in by_hour.items() if len(names) > 1)
    answer = await school.say(
        school.admin, f"who's in the {hour % 12 or 12}{'am' if hour < 12 else 'pm'} class"
    )
    assert answer.outcome == "clarify" and answer.tool_calls == [], answer
    assert all(name in answer.answer for name in shared), answer.answer


async def test_tomorrows_class_by_its_hour_in_spanish(school: School) -> None:
    tomorrow = TODAY + timedelta(days=1)
    held = await classes(school, tomorrow)
    name, start = next((n, s) for n, s, _ in held if s.minute == 30 and [o for _, o, _ in held].count(s) == 1)
    said = f"quien viene a la clase de las {start.hour - 12} y media de mañana"
    answer = await school.say(school.admin, said)
    assert answer.tool_calls == [
        {"name": "group_roster", "args": {"group": name, "on": tomorrow.isoformat()}}
    ]
