"""A sick day said in Spanish is answered in Spanish all the way: the preview names each class the
Spanish way, a day with no class is refused in Spanish, and the office is told in each admin's own
language (English for an admin who reads English: the control)."""

from __future__ import annotations

import uuid
from datetime import date, time, timedelta

from sqlalchemy import select, update

from domain.auth.models import User
from domain.db import use_tenant
from domain.notifications.models import Notification
from tests.evals.school import TODAY, School, school
from tests.evals.test_classes_said import next_class_of

__all__ = ["school"]


async def test_a_spanish_sick_day_is_said_in_spanish_to_the_teacher_and_to_a_spanish_admin(
    school: School,
) -> None:
    _, day, _ = await next_class_of(school, school.martina)
    if day == TODAY:  # a day to come with a class of hers, so the sick day has something to cover
        _, day, _ = await next_class_of_after(school, day)
    await use_tenant(school.session, school.admin)
    await school.session.execute(update(User).where(User.id == school.admin.user_id).values(language="es"))
    chat = str(uuid.uuid4())
    answer = await school.say(
        school.martina, f"estoy mala, no puedo dar clase el {day.isoformat()}", chat=chat
    )
    assert answer.pending_action is not None, answer
    preview = answer.pending_action["preview"]
    assert "de diciembre" in preview or "de noviembre" in preview, preview
    assert " on " not in preview and " at " not in preview, preview
    done = await school.say(school.martina, "sí", chat=chat)
    assert done.pending_action is None, done
    await use_tenant(school.session, school.admin)
    told = (
        await school.session.execute(
            select(Notification.recipient, Notification.subject, Notification.body).where(
                Notification.kind == "schedule_changed", Notification.period.like("absence:%")
            )
        )
    ).all()
    mine = [t for t in told if t.recipient == f"user:{school.admin.user_id}"]
    assert mine and "no puede dar clase" in mine[0].body and "está de baja" in mine[0].subject, told
    others = [t for t in told if t.recipient != f"user:{school.admin.user_id}"]
    assert all("can't teach" in t.body for t in others), others  # other admins keep English (control)


async def test_a_day_with_no_class_is_refused_in_the_language_it_was_asked_in(school: School) -> None:
    sunday = TODAY + timedelta(days=(6 - TODAY.weekday()) % 7 or 7)
    spanish = await school.say(school.martina, f"no puedo dar clase el {sunday.isoformat()}")
    english = await school.say(school.martina, f"I can't teach on {sunday.isoformat()}")
    assert spanish.pending_action is None and english.pending_action is None
    assert spanish.answer.startswith("No tienes ninguna clase"), spanish.answer
    assert english.answer.startswith("You have no class"), english.answer


async def next_class_of_after(school: School, day: date) -> tuple[str, date, time]:
    """Her first class on a later day than ``day`` (the next one may be later today)."""
    from tests.evals.test_classes_said import classes

    for offset in range(1, 15):
        later = TODAY + timedelta(days=offset)
        for name, start, user in await classes(school, later):
            if user == str(school.martina.user_id):
                return name, later, start
    raise AssertionError("no class of hers in two weeks")
