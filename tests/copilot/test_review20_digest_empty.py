"""Review of issue 20: the weekly digest's new sections (late payers, classes much emptier than usual, the
forecast) and the agenda's emptier classes hold on an organization with no history at all: an answer in
each section, never an exception that would stop the whole summary."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from copilot import summaries
from copilot.summaries import admin_digest
from domain.db import use_tenant
from tests.factories import make_org, make_user
from tools.base import ToolContext

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 8, tzinfo=UTC)


async def test_a_digest_of_an_empty_school_answers_every_section(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def nowhere(*args: object, **kwargs: object) -> None:
        return None

    monkeypatch.setattr(summaries, "_draw_digest_chart", nowhere)
    _org, admin = await make_org(session, await make_user(session, "admin"))
    await use_tenant(session, admin)
    digest = dict(
        (await admin_digest(ToolContext(session=session, tenant=admin, today=TODAY, now=NOW))).sections
    )
    assert len(digest) == 9
    for heading in (
        "Who may pay next month's tuition late",
        "Classes much emptier than usual (last 7 days)",
        "Tuition expected in the next three months",
    ):
        assert digest[heading].strip(), heading
