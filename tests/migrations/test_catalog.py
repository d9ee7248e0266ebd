"""The catalog says what PostgreSQL enforces: RLS on every tenant table, an app role that can't escape."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from channels.embedded import APP_ROLE, DatabaseUrls
from domain.db import create_engine
from domain.models import Base
from migrations.catalog import role_safety, tenant_table_security
from migrations.checkpoints import CHECKPOINT_TABLES
from migrations.runner import setup_checkpoints
from tests.conftest import REPORT


def model_tenant_tables() -> set[str]:
    """Our tenant tables, plus LangGraph's checkpoint tables (not in our models, tenant data all the same)."""
    ours = {t.name for t in Base.metadata.tables.values() if "organization_id" in t.c}
    return ours | {"organizations", *CHECKPOINT_TABLES}


async def test_every_tenant_table_has_forced_rls_with_policies_for_all_four_commands(
    connection: AsyncConnection,
) -> None:
    tables = await connection.run_sync(tenant_table_security)
    assert {t.name for t in tables} == model_tenant_tables()
    not_isolated = [t for t in tables if not t.isolated]
    assert not_isolated == []
    forced = sum(t.rls_forced for t in tables)
    REPORT["RLS catalog"] = f"{len(tables)} tenant tables, {forced} forced"
    assert forced == len(tables) >= 16


async def test_checkpoint_tables_take_their_organization_from_the_thread_id(
    connection: AsyncConnection,
) -> None:
    rows = await connection.execute(
        text(
            "SELECT c.relname, a.attgenerated FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "WHERE c.relname = ANY(:tables) AND a.attname = 'organization_id' AND NOT a.attisdropped"
        ),
        {"tables": list(CHECKPOINT_TABLES)},
    )
    generated = {name: kind for name, kind in rows}
    assert generated == dict.fromkeys(CHECKPOINT_TABLES, "s")  # stored, generated: the library never sets it


async def test_setting_up_the_checkpoint_tables_again_changes_nothing(database_urls: DatabaseUrls) -> None:
    """``upgrade`` runs on every start: a second run finds the checkpoint tables isolated and alters none."""
    engine = create_engine(database_urls.owner)
    try:
        async with engine.connect() as conn:
            before = {t.name: t for t in await conn.run_sync(tenant_table_security)}
            await conn.rollback()
        assert setup_checkpoints(database_urls.owner, APP_ROLE) == []
        async with engine.connect() as conn:
            after = {t.name: t for t in await conn.run_sync(tenant_table_security)}
    finally:
        await engine.dispose()
    assert after == before
    assert all(after[name].isolated for name in CHECKPOINT_TABLES)


async def test_app_role_is_not_superuser_cannot_bypass_rls_and_owns_no_table(
    connection: AsyncConnection,
) -> None:
    assert await connection.scalar(text("SELECT current_user")) == APP_ROLE
    safety = await connection.run_sync(role_safety, APP_ROLE)
    assert (safety.superuser, safety.bypass_rls, safety.owned_tables, safety.member_of_table_owner) == (
        False,
        False,
        0,
        False,
    )
    assert safety.safe


@pytest.mark.parametrize(
    ("table", "privilege", "granted"),
    [
        ("class_sessions", "DELETE", False),
        ("class_sessions", "UPDATE", True),  # control: sessions are cancelled by update
        ("audit_log", "UPDATE", False),
        ("audit_log", "DELETE", False),
        ("audit_log", "INSERT", True),  # control: the log is appended to
        ("organizations", "DELETE", False),
        ("students", "DELETE", True),  # control: ordinary tables keep full DML under RLS
        ("checkpoint_migrations", "INSERT", False),  # the library's schema version is the owner's
        ("checkpoint_migrations", "SELECT", True),
        ("checkpoints", "DELETE", True),  # control: conversations are pruned, under RLS
    ],
)
async def test_history_tables_are_protected_by_grants(
    connection: AsyncConnection, table: str, privilege: str, granted: bool
) -> None:
    has = await connection.scalar(
        text("SELECT has_table_privilege(current_user, :t, :p)"), {"t": f"public.{table}", "p": privilege}
    )
    assert has is granted


async def test_the_catalog_check_notices_a_tenant_table_without_rls(database_urls: DatabaseUrls) -> None:
    """Positive control for the check itself: a new tenant table without policies is reported."""
    engine = create_engine(database_urls.owner)
    try:
        async with engine.connect() as conn:
            transaction = await conn.begin()
            await conn.execute(text("CREATE TABLE probe_unprotected (id uuid, organization_id uuid)"))
            tables = {t.name: t for t in await conn.run_sync(tenant_table_security)}
            await transaction.rollback()
    finally:
        await engine.dispose()
    assert not tables["probe_unprotected"].isolated
    assert tables["students"].isolated
