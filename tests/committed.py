"""A separate, migrated database for tests that need real commits and real concurrency (the usual
fixture runs a whole test inside one rolled-back transaction, where two transactions never meet)."""

from __future__ import annotations

from pathlib import Path

from channels.embedded import APP_ROLE, DatabaseUrls, EmbeddedPostgres
from domain.settings import Settings
from migrations.runner import upgrade

ROOT = Path(__file__).resolve().parents[1]


def committed_database(name: str) -> DatabaseUrls:
    """``name`` recreated and migrated on the embedded server the session's fixture started."""
    data_dir = Settings().data_dir
    server = EmbeddedPostgres(data_dir if data_dir.is_absolute() else ROOT / data_dir)
    server.start()  # already running for the session: this attaches to it
    urls = server.ensure_database(name, recreate=True)
    upgrade(urls.owner, APP_ROLE)
    return urls
