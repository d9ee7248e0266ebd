"""Run Alembic from code: upgrade to head, and tell whether the database is current."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, pool

MIGRATIONS_DIR = Path(__file__).resolve().parent


def alembic_config(owner_url: str, app_role: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option(
        "file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(rev)s_%%(slug)s"
    )
    config.attributes["owner_url"] = owner_url
    config.attributes["app_role"] = app_role
    return config


def upgrade(owner_url: str, app_role: str) -> None:
    command.upgrade(alembic_config(owner_url, app_role), "head")


def revisions(owner_url: str) -> tuple[str | None, str | None]:
    """(current revision of the database, head revision of the code)."""
    head = ScriptDirectory.from_config(alembic_config(owner_url)).get_current_head()
    engine = create_engine(owner_url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
    return current, head


def analyze(owner_url: str) -> None:
    """Fresh planner statistics after a bulk load (what autovacuum would soon do)."""
    engine = create_engine(owner_url, poolclass=pool.NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
    finally:
        engine.dispose()
