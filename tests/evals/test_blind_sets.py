"""The copilot on blind sets (tests/copilot/blind/*.yaml): questions written without seeing how it
understands language. Each set keeps at least its floor (evals/floor.py); the failures are written to
artifacts/blind-<set>.md for whoever improves the planner."""

from __future__ import annotations

from pathlib import Path

from channels.embedded import DatabaseUrls, libpq_url
from copilot.checkpoints import TenantSaver
from copilot.offline import OfflinePlanner
from domain.db import create_engine
from evals import blind
from evals.floor import check_blind_floor
from tests.conftest import REPORT

SETS = sorted((Path(__file__).resolve().parents[1] / "copilot" / "blind").glob("*.yaml"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


def test_the_blind_sets_are_described_and_well_formed() -> None:
    assert SETS, "no blind sets"
    for path in SETS:
        loaded = blind.load(path)
        assert loaded.how_written and loaded.language in ("en", "es"), path.name
        assert len({c.id for c in loaded.cases}) == len(loaded.cases), f"{path.name}: duplicate ids"


async def test_the_offline_planner_keeps_its_floor_on_every_blind_set(eval_database: DatabaseUrls) -> None:
    engine = create_engine(eval_database.app)
    problems: list[str] = []
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        async with TenantSaver.from_conn_string(libpq_url(eval_database.app)) as saver:
            runner = blind.BlindRunner(engine, saver, OfflinePlanner())
            for path in SETS:
                score = await runner.score(blind.load(path))
                REPORT[f"blind set {score.name}"] = score.summary()
                (ARTIFACTS / f"blind-{score.name}.md").write_text(
                    f"# {score.name}: {score.summary()}\n\n{blind.failures(score)}\n", encoding="utf-8"
                )
                problems += check_blind_floor(score.name, score.rate)
    finally:
        await engine.dispose()
    assert problems == []


def test_a_writes_planned_arguments_compare_by_value_whatever_their_key_order() -> None:
    """A pending action's arguments come back from JSONB with their keys in another order than the
    expected call's plan; the same marks must count as the same effect, and different ones must not."""
    marks = [{"student_id": "a", "status": "absent"}, {"student_id": "b", "status": "present"}]
    stored = [{"status": "present", "student_id": "b"}, {"status": "absent", "student_id": "a"}]
    assert blind.same_effect(
        blind.Effect("mark_attendance", planned={"marks": marks}),
        blind.Effect("mark_attendance", planned={"marks": stored}),
    )
    other = [{"status": "present", "student_id": "b"}, {"status": "present", "student_id": "a"}]
    assert not blind.same_effect(
        blind.Effect("mark_attendance", planned={"marks": marks}),
        blind.Effect("mark_attendance", planned={"marks": other}),
    )
