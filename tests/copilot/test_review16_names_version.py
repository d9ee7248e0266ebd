"""The names version a turn keys its directory by comes with the organization's row read when the
thread opens (review of issue 16). A trigger bumps that column, so an ``Organization`` the session
already holds has the old number: the turn must read the row afresh, or a name added since the
session's last turn is unknown to the planner."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from copilot.checkpoints import TenantSaver
from copilot.service import Copilot
from domain.groups import service as groups
from domain.groups.schemas import GroupIn
from tests.copilot.helpers import ask, studio_with_class


async def test_a_name_added_in_the_same_session_is_known_to_the_next_turn(
    session: AsyncSession, checkpointer: TenantSaver
) -> None:
    studio = await studio_with_class(session)
    copilot, chat = Copilot(checkpointer), str(uuid.uuid4())
    first = await ask(copilot, session, studio.admin, "who is in salsa beginners?", chat)
    assert first.outcome == "answered"
    await groups.create_group(
        session,
        studio.admin,
        data=GroupIn(name="Heels Beginners", venue_id=studio.venue.id, teacher_id=studio.lucia.id),
    )
    second = await ask(copilot, session, studio.admin, "who is in heels beginners?", chat)
    # Not Salsa Beginners, the closest name the session's first turn knew.
    assert second.tool_calls == [{"name": "group_roster", "args": {"group": "Heels Beginners"}}]
