"""SQL for tenant isolation, shared by the migrations that add tenant tables.

The current tenant is the transaction-local setting ``app.org_id``. A connection that once set it
reads '' afterwards, never NULL, hence the NULLIF: '' means "no tenant", which matches no row.
"""

from __future__ import annotations

CURRENT_ORG = "NULLIF(current_setting('app.org_id', true), '')::uuid"


def tenant_rls_sql(table: str, column: str = "organization_id") -> list[str]:
    """Enable and force RLS on ``table`` with one policy per command, all on ``column``."""
    match = f"{column} = {CURRENT_ORG}"
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY {table}_tenant_select ON {table} FOR SELECT USING ({match})",
        f"CREATE POLICY {table}_tenant_insert ON {table} FOR INSERT WITH CHECK ({match})",
        f"CREATE POLICY {table}_tenant_update ON {table} FOR UPDATE USING ({match}) WITH CHECK ({match})",
        f"CREATE POLICY {table}_tenant_delete ON {table} FOR DELETE USING ({match})",
    ]


def drop_tenant_rls_sql(table: str) -> list[str]:
    return [
        *(
            f"DROP POLICY IF EXISTS {table}_tenant_{cmd} ON {table}"
            for cmd in ("select", "insert", "update", "delete")
        ),
        f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY",
    ]
