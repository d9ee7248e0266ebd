"""`cadence bank import` end to end on a committed database: a dry run stores nothing, the import stores
the lines once, a bad file or an unknown school exits 1 with the reason."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from channels.cli.main import app
from channels.embedded import DatabaseUrls
from domain.banking.models import BankLine
from domain.db import create_engine, session_factory, unit_of_work
from domain.tenancy import TenantContext
from tests.committed import committed_database
from tests.domain.studio import build_studio

CAMT = Path(__file__).resolve().parents[2] / "fixtures/banks/camt053/oca-test-camt053.xml"


@dataclass
class World:
    urls: DatabaseUrls
    admin: TenantContext
    slug: str


@pytest.fixture(scope="module")
def world(database_urls: DatabaseUrls) -> Iterator[World]:
    urls = committed_database("cadence_bank_cli_test")

    async def seed() -> World:
        engine = create_engine(urls.app)
        try:
            async with session_factory(engine)() as session:
                studio = await build_studio(session, names=("Ana García",))
                await session.commit()
                return World(urls, studio.admin, studio.org.slug)
        finally:
            await engine.dispose()

    yield asyncio.run(seed())


async def _lines(world: World) -> int:
    engine = create_engine(world.urls.app)
    try:
        async with unit_of_work(session_factory(engine), world.admin) as session:
            return int(await session.scalar(select(func.count()).select_from(BankLine)) or 0)
    finally:
        await engine.dispose()


def test_cli_dry_run_then_import_then_again(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CADENCE_DATABASE_URL", world.urls.app)
    monkeypatch.setenv("CADENCE_DATABASE_OWNER_URL", world.urls.owner)
    from domain.settings import get_settings

    get_settings.cache_clear()
    try:
        runner = CliRunner()
        dry = runner.invoke(app, ["bank", "import", str(CAMT), "--org", world.slug, "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert "Read as camt: 4 lines, 4 new" in dry.output and "Dry run: nothing stored." in dry.output
        assert asyncio.run(_lines(world)) == 0
        done = runner.invoke(app, ["bank", "import", str(CAMT), "--org", world.slug])
        assert done.exit_code == 0, done.output
        assert "Read as camt: 4 lines, 4 new" in done.output and "Imported into" in done.output
        assert asyncio.run(_lines(world)) == 4
        again = runner.invoke(app, ["bank", "import", str(CAMT), "--org", world.slug, "--format", "camt"])
        assert again.exit_code == 0 and "imported before" in again.output
        bad = tmp_path / "cut.xml"
        bad.write_bytes(CAMT.read_bytes()[:500])
        refused = runner.invoke(app, ["bank", "import", str(bad), "--org", world.slug])
        assert refused.exit_code == 1 and "incomplete or damaged" in refused.output
        other = tmp_path / "other.xml"
        other.write_bytes(CAMT.read_bytes() + b"\n")  # another file: not caught as the same one
        forced = runner.invoke(
            app, ["bank", "import", str(other), "--org", world.slug, "--format", "norma43"]
        )
        assert forced.exit_code == 1 and "Norma 43" in forced.output  # the user's format wins
        unknown = runner.invoke(app, ["bank", "import", str(CAMT), "--org", "no-such-school"])
        assert unknown.exit_code == 1 and "No organization" in unknown.output
        assert asyncio.run(_lines(world)) == 4
    finally:
        get_settings.cache_clear()
