"""The copilot's enroll_student on a full group: the preview says it is full and offers the waitlist; the
confirmed action adds the student to the list (never enrols them); a group with room enrols as before."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.groups import service as groups
from domain.groups.models import StudentGroup, WaitlistEntry
from domain.groups.schemas import GroupUpdate
from domain.students import service as students
from domain.students.schemas import StudentIn
from domain.tenancy import TenantContext
from tests.domain.studio import Studio, build_studio
from tools import runner
from tools.base import ToolContext

NOW = datetime(2026, 11, 24, 18, tzinfo=UTC)


def ctx(session: AsyncSession, tenant: TenantContext, language: str = "en") -> ToolContext:
    return ToolContext(session=session, tenant=tenant, today=NOW.date(), now=NOW, language=language)


async def count(session: AsyncSession, model: type[object]) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def full_salsa(session: AsyncSession) -> Studio:
    studio = await build_studio(session)
    await groups.update_group(session, studio.admin, studio.salsa.id, data=GroupUpdate(capacity=3))
    await students.create_student(session, studio.admin, data=StudentIn(full_name="Hugo Sánchez"))
    return studio


async def test_a_full_group_previews_the_waitlist_and_confirming_adds_to_it(session: AsyncSession) -> None:
    studio = await full_salsa(session)
    members = await count(session, StudentGroup)
    proposed = await runner.call(
        ctx(session, studio.admin), "enroll_student", {"student": "Hugo", "group": "Salsa"}
    )
    assert proposed.pending is not None
    assert proposed.output.text.startswith(
        "Salsa Beginners is full (3 of 3), so Hugo Sánchez cannot be enrolled. "
        "Add Hugo Sánchez to the waitlist for Salsa Beginners instead?"
    )
    assert await count(session, WaitlistEntry) == 0  # nothing before confirmation
    done = await runner.confirm(ctx(session, studio.admin), proposed.pending.id)
    assert "Added to the waitlist" in done.text
    assert await count(session, WaitlistEntry) == 1
    assert await count(session, StudentGroup) == members  # on the list, not in the group


async def test_the_preview_is_in_spanish_too(session: AsyncSession) -> None:
    studio = await full_salsa(session)
    proposed = await runner.call(
        ctx(session, studio.admin, "es"), "enroll_student", {"student": "Hugo", "group": "Salsa"}
    )
    assert "Salsa Beginners está completo (3 de 3)" in proposed.output.text
    assert "lista de espera" in proposed.output.text


async def test_a_group_with_room_enrols_as_before_and_a_teacher_cannot(session: AsyncSession) -> None:
    studio = await full_salsa(session)
    members = await count(session, StudentGroup)
    proposed = await runner.call(
        ctx(session, studio.admin), "enroll_student", {"student": "Hugo", "group": "Bachata"}
    )
    assert proposed.pending is not None and proposed.output.text.startswith("Enroll Hugo Sánchez in Bachata")
    await runner.confirm(ctx(session, studio.admin), proposed.pending.id)
    assert await count(session, StudentGroup) == members + 1
    refused = await runner.call(
        ctx(session, studio.teacher), "enroll_student", {"student": "Hugo", "group": "Salsa"}
    )
    assert refused.pending is None
    assert await count(session, WaitlistEntry) == 0
