"""The unpaid list narrowed to one group ("who in Salsa hasn't paid?"), and saying whose list it is."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from domain.groups import memberships
from domain.payments import service as payments
from domain.students import service as students
from domain.students.schemas import StudentIn
from tests.domain.studio import START, build_studio
from tools import runner
from tools.base import ToolContext


async def test_the_unpaid_list_can_be_narrowed_to_a_group(session: AsyncSession) -> None:
    studio = await build_studio(session, names=("Ana García", "José Martínez"))
    admin, today = studio.admin, studio.admin.today()
    lola = await students.create_student(session, admin, data=StudentIn(full_name="Lola Bachatera"))
    await memberships.enroll(session, admin, student_id=lola.id, group_id=studio.bachata.id, start_date=START)
    await payments.generate_tuition(session, admin, month=today, today=today)
    ctx = ToolContext(session=session, tenant=admin, today=today, now=datetime.now(UTC))

    everyone = (await runner.execute(ctx, "unpaid_students", {})).output.text
    assert all(name in everyone for name in ("Ana García", "José Martínez", "Lola Bachatera"))
    salsa = (await runner.execute(ctx, "unpaid_students", {"group": "salsa"})).output.text
    assert "in Salsa Beginners" in salsa and "Ana García" in salsa and "Lola Bachatera" not in salsa
    bachata = (await runner.execute(ctx, "unpaid_students", {"group": "Bachata Improvers"})).output.text
    assert "Lola Bachatera" in bachata and "Ana García" not in bachata
