"""Read the PostgreSQL catalog to verify tenant isolation (used by `cadence doctor` and the tests)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

COMMANDS = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE"})


@dataclass(frozen=True)
class TableSecurity:
    name: str
    rls_enabled: bool
    rls_forced: bool
    policy_commands: frozenset[str]

    @property
    def isolated(self) -> bool:
        return self.rls_enabled and self.rls_forced and self.policy_commands >= COMMANDS


@dataclass(frozen=True)
class RoleSafety:
    name: str
    superuser: bool
    bypass_rls: bool
    owned_tables: int
    member_of_table_owner: bool

    @property
    def safe(self) -> bool:
        return not (self.superuser or self.bypass_rls or self.owned_tables or self.member_of_table_owner)


def tenant_table_security(connection: Connection) -> list[TableSecurity]:
    """Every table with an ``organization_id`` column, plus ``organizations`` itself."""
    rows = connection.execute(
        text(
            """
            SELECT c.relname AS name, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
                   coalesce(array_agg(DISTINCT p.cmd) FILTER (WHERE p.cmd IS NOT NULL), '{}') AS cmds
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
            LEFT JOIN pg_policies p ON p.schemaname = 'public' AND p.tablename = c.relname
            WHERE c.relkind = 'r' AND (
                c.relname = 'organizations' OR EXISTS (
                    SELECT 1 FROM pg_attribute a
                    WHERE a.attrelid = c.oid AND a.attname = 'organization_id' AND NOT a.attisdropped))
            GROUP BY c.relname, c.relrowsecurity, c.relforcerowsecurity
            ORDER BY c.relname
            """
        )
    )
    result = []
    for r in rows:
        commands = {"SELECT", "INSERT", "UPDATE", "DELETE"} if "ALL" in r.cmds else set(r.cmds)
        result.append(TableSecurity(r.name, r.enabled, r.forced, frozenset(commands)))
    return result


def role_safety(connection: Connection, role: str) -> RoleSafety:
    row = connection.execute(
        text(
            """
            SELECT r.rolname, r.rolsuper, r.rolbypassrls,
                   (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE c.relowner = r.oid AND c.relkind IN ('r', 'p', 'v', 'm')
                      AND n.nspname NOT IN ('pg_catalog', 'information_schema')) AS owned,
                   EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                           WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relowner <> r.oid
                             AND pg_has_role(r.oid, c.relowner, 'MEMBER')) AS member_of_owner
            FROM pg_roles r WHERE r.rolname = :role
            """
        ),
        {"role": role},
    ).one()
    return RoleSafety(row.rolname, row.rolsuper, row.rolbypassrls, int(row.owned), bool(row.member_of_owner))
