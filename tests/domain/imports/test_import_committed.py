"""The import with real commits: the same file applied at the same moment by several requests creates its
students once (the others are told it was already applied), and `cadence import students` end to end."""

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
from domain.db import create_engine, session_factory, unit_of_work
from domain.imports import service as imports
from domain.imports.models import ImportBatch
from domain.imports.schemas import ImportResult
from domain.orgs.models import Organization
from domain.students.models import Student
from domain.tenancy import TenantContext
from tests.committed import committed_database
from tests.domain.studio import build_studio

CONCURRENT = 6
FILE = (
    "Nombre completo;Teléfono;Grupo\n"
    "Nora Quinn;600111227;Salsa Beginners\n"
    "Óscar Ruiz;600111228;Contemporáneo\n"
)
RACED = "Full name;Groups\nCarla Vega;Hip Hop\nPablo Soto;\n"


@dataclass
class World:
    urls: DatabaseUrls
    admin: TenantContext
    slug: str


@pytest.fixture(scope="module")
def world(database_urls: DatabaseUrls) -> Iterator[World]:
    urls = committed_database("cadence_imports_test")

    async def seed() -> World:
        engine = create_engine(urls.app)
        try:
            async with session_factory(engine)() as session:
                studio = await build_studio(session, names=("Ana García",))
                slug = studio.org.slug
                await session.commit()
                return World(urls, studio.admin, slug)
        finally:
            await engine.dispose()

    yield asyncio.run(seed())


async def _students(world: World, name: str) -> int:
    engine = create_engine(world.urls.app)
    try:
        async with unit_of_work(session_factory(engine), world.admin) as session:
            return int(await session.scalar(select(func.count()).where(Student.full_name == name)) or 0)
    finally:
        await engine.dispose()


def test_the_same_file_applied_at_once_is_applied_once(world: World) -> None:
    data = RACED.encode()

    async def race() -> list[ImportResult]:
        engine = create_engine(world.urls.app, pool_size=CONCURRENT)
        sessions = session_factory(engine)
        start = asyncio.Event()

        async def one() -> ImportResult:
            await start.wait()
            async with unit_of_work(sessions, world.admin) as session:
                return await imports.apply_import(
                    session, world.admin, data=data, filename="a.csv", today=world.admin.today()
                )

        try:
            tasks = [asyncio.create_task(one()) for _ in range(CONCURRENT)]
            await asyncio.sleep(0.05)
            start.set()
            return await asyncio.gather(*tasks)
        finally:
            await engine.dispose()

    results = asyncio.run(race())
    assert sorted(r.already_applied for r in results) == [False] + [True] * (CONCURRENT - 1)
    assert len({r.batch_id for r in results}) == 1
    assert asyncio.run(_students(world, "Carla Vega")) == 1  # the control: it was created, once


def test_cli_dry_run_then_import_then_again(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CADENCE_DATABASE_URL", world.urls.app)
    monkeypatch.setenv("CADENCE_DATABASE_OWNER_URL", world.urls.owner)
    from domain.settings import get_settings

    get_settings.cache_clear()
    try:
        sheet = tmp_path / "alumnos.csv"
        sheet.write_text(FILE, encoding="utf-8")
        runner = CliRunner()
        dry = runner.invoke(app, ["import", "students", str(sheet), "--org", world.slug, "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert "new student Nora Quinn" in dry.output and "Dry run: nothing changed." in dry.output
        assert "2 new, 0 existing, 0 with errors" in dry.output
        assert asyncio.run(_students(world, "Nora Quinn")) == 0
        done = runner.invoke(app, ["import", "students", str(sheet), "--org", world.slug])
        assert done.exit_code == 0, done.output
        assert "2 students created" in done.output and "1 groups" in done.output
        assert asyncio.run(_students(world, "Nora Quinn")) == 1
        again = runner.invoke(app, ["import", "students", str(sheet), "--org", world.slug])
        assert again.exit_code == 0 and "imported before" in again.output
        assert asyncio.run(_students(world, "Nora Quinn")) == 1
        bad = tmp_path / "bad.csv"
        bad.write_text("Name;Email\nPia Ortiz;pia@\n", encoding="utf-8")
        refused = runner.invoke(app, ["import", "students", str(bad), "--org", world.slug])
        assert refused.exit_code == 1 and "Nothing imported" in refused.output
        assert "Email: Not a valid email" in refused.output
        unknown = runner.invoke(app, ["import", "students", str(sheet), "--org", "no-such-school"])
        assert unknown.exit_code == 1 and "No organization" in unknown.output
    finally:
        get_settings.cache_clear()


def test_batches_are_the_organizations_own(world: World) -> None:
    async def count() -> tuple[int, int]:
        engine = create_engine(world.urls.app)
        try:
            sessions = session_factory(engine)
            async with unit_of_work(sessions, world.admin) as session:
                own = int(await session.scalar(select(func.count()).select_from(ImportBatch)) or 0)
            async with unit_of_work(sessions, None) as session:  # no tenant: no rows (RLS)
                none = int(await session.scalar(select(func.count()).select_from(ImportBatch)) or 0)
                assert await session.scalar(select(func.count()).select_from(Organization)) == 0
            return own, none
        finally:
            await engine.dispose()

    own, none = asyncio.run(count())
    assert own >= 1 and none == 0
