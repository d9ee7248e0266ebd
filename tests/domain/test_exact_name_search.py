"""A name said exactly as the school writes it resolves without scoring every other name (issue 16).

``exact_wins`` must pick what the fuzzy ranking would pick first — never another row, never one the
caller may not see — and fall back to the ranking when the exact name is not one row's alone.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from domain import search
from domain.db import use_tenant
from domain.groups import service as groups
from domain.students import service as students
from domain.students.schemas import StudentIn
from tests.domain.studio import build_studio


def no_fuzzy_scoring(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every fuzzy ranking (the cost the exact name avoids)."""
    ranked: list[str] = []
    original = search.best_matches

    def recording(query: str, *args: Any, **kwargs: Any) -> list[search.Match]:
        ranked.append(query)
        return original(query, *args, **kwargs)

    monkeypatch.setattr(search, "best_matches", recording)
    return ranked


async def test_an_exact_name_is_the_row_the_ranking_puts_first_without_ranking(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    studio = await build_studio(session, names=("Ana García", "Ana Garcías", "Anabel García"))
    ranked = no_fuzzy_scoring(monkeypatch)
    fuzzy = await students.search_students(session, studio.admin, query="ana garcia", limit=3)
    assert ranked == ["ana garcia"] and len(fuzzy) == 3 and fuzzy[0].name == "Ana García"
    ranked.clear()
    exact = await students.search_students(
        session, studio.admin, query="Ana  GARCÍA", limit=3, exact_wins=True
    )
    assert exact == [search.Match(fuzzy[0].id, "Ana García", 100.0)] and fuzzy[0].score == 100.0
    assert ranked == []  # nobody else was scored
    group = await groups.search_groups(session, studio.admin, query="salsa beginners", exact_wins=True)
    assert [g.id for g in group] == [studio.salsa.id] and ranked == []
    # Not a whole name: ranked as before.
    partial = await students.search_students(session, studio.admin, query="ana", limit=3, exact_wins=True)
    assert ranked == ["ana"] and partial == await students.search_students(
        session, studio.admin, query="ana", limit=3
    )


async def test_a_name_two_students_share_is_ranked_as_before(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    studio = await build_studio(session, names=("Ana García", "José Martínez"))
    await students.create_student(session, studio.admin, data=StudentIn(full_name="Ana García"))
    ranked = no_fuzzy_scoring(monkeypatch)
    both = await students.search_students(session, studio.admin, query="Ana García", exact_wins=True)
    assert ranked == ["Ana García"] and [m.name for m in both] == ["Ana García", "Ana García"]


async def test_an_exact_name_the_caller_may_not_see_is_not_found(session: AsyncSession) -> None:
    studio = await build_studio(session)  # every student in Lucía's Salsa Beginners
    outside = await students.create_student(session, studio.admin, data=StudentIn(full_name="Nora Vidal"))
    as_admin = await students.search_students(session, studio.admin, query="Nora Vidal", exact_wins=True)
    assert [m.id for m in as_admin] == [outside.id]  # control: the office finds her
    await use_tenant(session, studio.teacher)
    as_teacher = await students.search_students(session, studio.teacher, query="Nora Vidal", exact_wins=True)
    assert as_teacher == [] == await students.search_students(session, studio.teacher, query="Nora Vidal")
    mine = await students.search_students(session, studio.teacher, query="Ana García", exact_wins=True)
    assert [m.id for m in mine] == [studio.students["Ana"].id]  # control: her own student
