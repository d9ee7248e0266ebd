"""A case that expands to no instance would count as passed without running: loading refuses it."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from evals import cases, truth

CASE = """
- id: overview-of-each
  category: read
  for_each: students
  skip: {skip}
  limit: 2
  phrasings: ["how is {{student}} doing?"]
"""


async def _three(*_: Any) -> list[dict[str, Any]]:
    return [{"student": name} for name in ("Ana López", "Lola Vega", "Nora García")]


async def _org(*_: Any) -> uuid.UUID:
    return uuid.uuid4()


@pytest.fixture
def skipping(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One case over three students, skipping the number given."""
    (tmp_path / "read.yaml").write_text(CASE.format(skip=request.param), encoding="utf-8")
    monkeypatch.setattr(cases, "CASES_DIR", tmp_path)
    monkeypatch.setattr(cases, "_source", _three)
    monkeypatch.setattr(truth, "org_id", _org)


@pytest.mark.parametrize("skipping", [3], indirect=True)
@pytest.mark.usefixtures("skipping")
async def test_a_case_whose_items_are_all_skipped_is_refused() -> None:
    with pytest.raises(ValueError, match="overview-of-each"):
        await cases.load(None, today=date(2026, 11, 26))  # type: ignore[arg-type]


@pytest.mark.parametrize("skipping", [1], indirect=True)
@pytest.mark.usefixtures("skipping")
async def test_a_case_with_items_left_expands_to_them() -> None:
    loaded = await cases.load(None, today=date(2026, 11, 26))  # type: ignore[arg-type]
    assert [c.id for c in loaded] == ["overview-of-each-1", "overview-of-each-2"]
