"""What one person or API key keeps at once is bounded: a new spreadsheet drops its owner's oldest files
beyond the count or the bytes allowed, and nobody else's (another person's files are the control)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.exports import kept
from domain.exports.models import ExportedFile
from tests.domain.studio import build_studio

NOW = datetime(2026, 11, 30, 10, tzinfo=UTC)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def test_a_new_file_makes_room_by_dropping_its_owners_oldest(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    studio = await build_studio(session)
    monkeypatch.setattr(kept, "KEPT_PER_OWNER", 3)
    monkeypatch.setattr(kept, "KEPT_BYTES_PER_OWNER", 1000)

    async def keep(tenant: object, name: str, size: int) -> kept.KeptFile:
        return await kept.keep(
            session,
            studio.admin if tenant == "admin" else studio.staff,
            filename=name,
            media_type=XLSX,
            content=b"x" * size,
            now=NOW,
        )

    theirs = await keep("staff", "staff.xlsx", 10)  # the control: another person's file stays
    for n in range(4):
        await keep("admin", f"{n}.xlsx", 10)
    names = [f.filename for f in (await session.scalars(select(ExportedFile))).all()]
    assert sorted(names) == ["1.xlsx", "2.xlsx", "3.xlsx", "staff.xlsx"]  # three of the admin's: the newest

    await keep("admin", "big.xlsx", 985)  # 985 + the newest 10 = 995; one more file would pass 1,000 bytes
    names = [f.filename for f in (await session.scalars(select(ExportedFile))).all()]
    assert sorted(names) == ["3.xlsx", "big.xlsx", "staff.xlsx"]
    found, content = await kept.fetch(session, studio.staff, theirs.id, now=NOW)
    assert found.filename == "staff.xlsx" and content == b"x" * 10
