"""The payout preview downloads as one table (CSV / Excel): a row per line with its teacher, the same lines as
its JSON, and a teacher's file holds only her own pay (the office's the whole school's, the control)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from domain.attendance import service as attendance
from domain.attendance.models import AttendanceStatus
from domain.attendance.schemas import Mark
from domain.db import use_tenant
from tests.channels.http.test_teacher_visibility import NOW, logged_in, scene


async def test_the_payout_preview_downloads_its_lines_and_a_teacher_only_hers(
    session: AsyncSession, make_client: Callable[[], AsyncClient]
) -> None:
    s = await scene(session)
    await use_tenant(session, s.studio.admin)
    today = s.studio.admin.today()
    ana = Mark(student_id=s.studio.students["Ana"].id, status=AttendanceStatus.PRESENT)
    await attendance.mark_attendance(
        session, s.studio.admin, s.own_class.id, marks=[ana], today=today, now=NOW
    )
    await session.flush()
    period = {"start": today.replace(day=1).isoformat(), "end": today.isoformat()}
    for who, user_id in (("teacher", s.studio.teacher.user_id), ("office", s.studio.admin.user_id)):
        client = await logged_in(session, make_client(), user_id)
        preview = (await client.get("/payouts/preview", params=period)).json()
        lines = [(t["teacher_name"], line["description"]) for t in preview["teachers"] for line in t["lines"]]
        download = await client.get("/payouts/preview", params={**period, "format": "csv"})
        assert download.status_code == 200 and "text/csv" in download.headers["content-type"], download.text
        rows = list(csv.DictReader(io.StringIO(download.text)))
        names = {r[k] for r in rows for k in r if k and "teacher" in k.lower() and "name" in k.lower()}
        assert len(rows) == len(lines) > 0, (who, rows, lines)
        assert names == {name for name, _ in lines}, names
        if who == "teacher":
            assert names == {"Lucía Romero"}, names
        else:
            assert "Lucía Romero" in names and len(names) > 1, names  # the whole school's, the control
