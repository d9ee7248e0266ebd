from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from channels.cli.doctor import run_checks
from channels.cli.main import app
from channels.embedded import DatabaseUrls, EmbeddedRedis
from channels.runtime import Runtime
from tests.migrations.test_catalog import model_tenant_tables


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> object:
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"))
    yield server.start()
    server.stop()


def test_doctor_passes_every_check_on_the_migrated_database(
    database_urls: DatabaseUrls, redis_url: str
) -> None:
    results = run_checks(Runtime(database=database_urls, redis_url=redis_url))
    assert [(r.name, r.ok) for r in results] == [
        ("database reachable", True),
        ("migrations current", True),
        ("RLS forced on every tenant table", True),
        ("app role safe", True),
        ("Redis reachable", True),
    ]
    rls = next(r for r in results if r.name.startswith("RLS"))
    n = len(model_tenant_tables())
    assert f"{n} tenant tables, {n} forced" in rls.detail


def test_doctor_fails_when_redis_is_unreachable_or_the_role_is_unsafe(
    database_urls: DatabaseUrls, tmp_path: Path
) -> None:
    owner_as_app = DatabaseUrls(app=database_urls.owner, owner=database_urls.owner)
    results = {
        r.name: r
        for r in run_checks(Runtime(database=owner_as_app, redis_url=f"unix://{tmp_path}/none.sock"))
    }
    assert results["database reachable"].ok
    assert not results["app role safe"].ok and "bypassrls=True" in results["app role safe"].detail
    assert not results["Redis reachable"].ok


def test_db_shell_runs_psql_as_the_app_role_or_the_owner(
    database_urls: DatabaseUrls, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CADENCE_DATABASE_URL", database_urls.app)
    monkeypatch.setenv("CADENCE_DATABASE_OWNER_URL", database_urls.owner)
    from domain.settings import get_settings

    get_settings.cache_clear()
    try:
        runner = CliRunner()
        result = runner.invoke(app, ["db", "shell", "--", "-tAc", "select current_user"])
        assert result.exit_code == 0, result.output
        assert capfd.readouterr().out.strip() == "cadence_app"
        result = runner.invoke(app, ["db", "shell", "--owner", "--", "-tAc", "select current_user"])
        assert result.exit_code == 0
        assert capfd.readouterr().out.strip() == "cadence_owner"
    finally:
        get_settings.cache_clear()


def test_migrate_without_an_owner_url_explains_what_to_set(
    database_urls: DatabaseUrls, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CADENCE_DATABASE_URL", database_urls.app)
    monkeypatch.delenv("CADENCE_DATABASE_OWNER_URL", raising=False)
    from domain.settings import get_settings

    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["db", "migrate"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "CADENCE_DATABASE_OWNER_URL" in result.output
