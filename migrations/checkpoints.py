"""Row-level security for LangGraph's checkpoint tables, applied after the library's own ``setup()``.

The library creates these tables itself (so they do not exist while Alembic runs on a fresh database)
and knows nothing of organizations. Each table gets an ``organization_id`` the library never writes:
a stored column generated from ``thread_id``, which the server always builds as
``<channel>:<organization uuid>:<chat>`` (``domain.conversations.service.thread_key``). A thread id of
any other shape yields NULL, which no policy matches, so a malformed id cannot slip past the policy.
Then RLS is enabled, forced, and given the same four policies as every other tenant table.

Idempotent and cheap to repeat (``upgrade`` runs on every ``make run``): the catalog is read first
and a statement runs only for what is missing, so a current database takes no table lock at all.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from migrations.rls import tenant_rls_sql

CHECKPOINT_TABLES = ("checkpoints", "checkpoint_blobs", "checkpoint_writes")

_UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# The organization named by a server-built thread id, or NULL for anything else.
THREAD_ORG = f"(substring(thread_id from '^[^:]+:({_UUID}):'))::uuid"


def _has_org_column(connection: Connection, table: str) -> bool:
    return bool(
        connection.execute(
            text(
                "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(:t) "
                "AND attname = 'organization_id' AND NOT attisdropped)"
            ),
            {"t": f"public.{table}"},
        ).scalar_one()
    )


def _rls_flags(connection: Connection, table: str) -> tuple[bool, bool]:
    row = connection.execute(
        text("SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = to_regclass(:t)"),
        {"t": f"public.{table}"},
    ).one()
    return bool(row[0]), bool(row[1])


def _policies(connection: Connection, table: str) -> set[str]:
    rows = connection.execute(
        text("SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = :t"),
        {"t": table},
    )
    return set(rows.scalars())


def isolate_checkpoint_tables(connection: Connection) -> list[str]:
    """Bring the checkpoint tables under tenant RLS; returns the statements it had to run."""
    ran: list[str] = []

    def run(statement: str) -> None:
        connection.execute(text(statement))
        ran.append(statement)

    for table in CHECKPOINT_TABLES:
        if not _has_org_column(connection, table):
            run(
                f"ALTER TABLE {table} ADD COLUMN organization_id uuid "
                f"GENERATED ALWAYS AS ({THREAD_ORG}) STORED"
            )
        enabled, forced = _rls_flags(connection, table)
        existing = _policies(connection, table)
        for statement in tenant_rls_sql(table):
            if statement.endswith("ENABLE ROW LEVEL SECURITY") and enabled:
                continue
            if statement.endswith("FORCE ROW LEVEL SECURITY") and forced:
                continue
            if statement.startswith("CREATE POLICY") and statement.split()[2] in existing:
                continue
            run(statement)
    return ran
