"""`cadence doctor`: each check prints ok or FAIL with a short explanation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, create_engine, pool, text

from channels.runtime import Runtime
from migrations.catalog import role_safety, tenant_table_security


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str


def _migrations(connection: Connection) -> tuple[bool, str]:
    from alembic.script import ScriptDirectory

    from migrations.runner import alembic_config

    head = ScriptDirectory.from_config(alembic_config("")).get_current_head()
    current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()
    return current == head, f"database at {current or 'nothing'}, code at {head}"


def _rls(connection: Connection) -> tuple[bool, str]:
    tables = tenant_table_security(connection)
    bad = [t.name for t in tables if not t.isolated]
    forced = sum(t.rls_forced for t in tables)
    detail = f"{len(tables)} tenant tables, {forced} forced"
    return (not bad and bool(tables)), detail + (f"; not isolated: {', '.join(bad)}" if bad else "")


def _app_role(rt: Runtime) -> Callable[[Connection], tuple[bool, str]]:
    def check(connection: Connection) -> tuple[bool, str]:
        role = role_safety(connection, rt.app_role)
        return role.safe, (
            f"{role.name}: superuser={role.superuser}, bypassrls={role.bypass_rls}, "
            f"owns {role.owned_tables} tables, member of a table owner={role.member_of_table_owner}"
        )

    return check


def run_checks(rt: Runtime) -> list[CheckResult]:
    results: list[CheckResult] = []
    engine = create_engine(rt.database.app, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            user = connection.execute(text("SELECT current_user")).scalar_one()
            results.append(CheckResult("database reachable", True, f"connected as {user}"))
            checks: list[tuple[str, Callable[[Connection], tuple[bool, str]]]] = [
                ("migrations current", _migrations),
                ("RLS forced on every tenant table", _rls),
                ("app role safe", _app_role(rt)),
            ]
            for name, check in checks:
                try:
                    ok, detail = check(connection)
                except Exception as exc:  # a failed check is reported, not raised
                    connection.rollback()
                    ok, detail = False, f"{type(exc).__name__}: {exc}".splitlines()[0]
                results.append(CheckResult(name, ok, detail))
    except Exception as exc:
        results.append(CheckResult("database reachable", False, str(exc).splitlines()[0]))
    finally:
        engine.dispose()
    results.append(_redis(rt.redis_url))
    return results


def _redis(url: str | None) -> CheckResult:
    import redis  # only doctor talks to Redis from the CLI; loading it costs every command ~0.3 s

    if not url:
        return CheckResult("Redis reachable", False, "no CADENCE_REDIS_URL and no embedded Redis")
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=3)
        client.ping()
        client.close()
        return CheckResult("Redis reachable", True, url.split("@")[-1])
    except redis.RedisError as exc:
        return CheckResult("Redis reachable", False, str(exc))
