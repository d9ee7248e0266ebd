"""Run Alembic from code: upgrade to head, and tell whether the database is current."""

from __future__ import annotations

from pathlib import Path

import psycopg
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from langgraph.checkpoint.postgres import PostgresSaver
from psycopg.rows import dict_row
from sqlalchemy import create_engine, make_url, pool

from migrations.checkpoints import isolate_checkpoint_tables
from migrations.privileges import grant_app_privileges

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
    setup_checkpoints(owner_url, app_role)


def setup_checkpoints(owner_url: str, app_role: str) -> list[str]:
    """LangGraph's checkpoint tables, created by the library's own setup (it builds indexes
    CONCURRENTLY, so outside a transaction) as the owner; then put under tenant RLS like every other
    tenant table (``migrations/checkpoints.py``), and the app role gets DML on them.

    Returns the statements the RLS step had to run: none on a database that is already current."""
    libpq = make_url(owner_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq, autocommit=True, prepare_threshold=0, row_factory=dict_row) as conn:
        PostgresSaver(conn).setup()
    engine = create_engine(owner_url, poolclass=pool.NullPool)
    try:
        with engine.begin() as connection:
            ran = isolate_checkpoint_tables(connection)
            grant_app_privileges(connection, app_role)
    finally:
        engine.dispose()
    return ran


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
