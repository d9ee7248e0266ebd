"""`cadence telegram simulate`'s conversation, scripted: the fake Bot API server starts, the user is
linked with a code, /roll shows numbered buttons, a number taps one, Save and Confirm record the roll."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from channels.telegram.simulate import simulate
from copilot.service import Copilot
from domain.attendance.models import AttendanceStatus
from domain.auth.models import User
from domain.db import unit_of_work
from tests.channels.telegram_fake import class_today, copilot_fixture, marks  # noqa: F401 - a fixture
from tests.channels.telegram_support import studio
from tests.copilot.conftest import checkpointer  # noqa: F401 - the fixture, shared


async def test_a_scripted_simulation_takes_the_roll(
    sessions: async_sessionmaker[AsyncSession], copilot: Copilot
) -> None:
    school = await studio(sessions)
    lesson = await class_today(sessions, school, school.admin.today())
    async with unit_of_work(sessions) as session:
        teacher = await session.get(User, school.teacher.user_id)
        assert teacher is not None
        email = teacher.email
    typed: Iterator[str] = iter(["/roll", "2", "4", "1", "q", "never read"])
    said: list[str] = []

    async def read() -> str | None:
        return next(typed, None)

    await simulate(sessions, copilot, email=email, org_slug=school.org.slug, read=read, write=said.append)

    assert said[0].startswith("Fake Bot API at http://127.0.0.1:")
    assert said[1].startswith("Connected. You work with:")
    assert "  [2] ✅ José Martínez" in said and "  [4] 💾 Save" in said
    assert "  [2] ❌ José Martínez" in said  # the tap, shown as the updated roll
    assert "  [1] Confirm" in said
    assert await marks(sessions, school, lesson.id) == {
        "Ana": AttendanceStatus.PRESENT,
        "José": AttendanceStatus.ABSENT,
        "Sofía": AttendanceStatus.PRESENT,
    }
    assert next(typed) == "never read"  # q stopped it
