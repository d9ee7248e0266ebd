"""What the app role may do, re-applied after every migration so new tables are covered.

Everything is revoked first and granted again, so the result is exact and idempotent. Row access
inside those grants is further limited by RLS on every tenant table.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

# Tables whose history must survive the application itself: no DELETE (and no UPDATE for the log).
RESTRICTED_TABLES: dict[str, str] = {
    "organizations": "SELECT, INSERT, UPDATE",  # archived, never deleted
    "class_sessions": "SELECT, INSERT, UPDATE",
    "audit_log": "SELECT, INSERT",
    "domain_events": "SELECT, INSERT, UPDATE",
    "notifications": "SELECT, INSERT, UPDATE",  # who was told what, kept
    "notification_opt_outs": "SELECT, INSERT, UPDATE",  # withdrawn, never deleted
    "webhook_endpoints": "SELECT, INSERT, UPDATE",  # disabled, never deleted
    "group_slots": "SELECT, INSERT, UPDATE",  # ended from a date, never deleted
    "closures": "SELECT, INSERT, UPDATE",  # withdrawn, never deleted
    "calendar_feeds": "SELECT, INSERT, UPDATE",  # revoked, never deleted
    "alembic_version": "SELECT",
    "checkpoint_migrations": "SELECT",  # LangGraph's schema version: only the owner's setup() writes it
}
FULL_DML = "SELECT, INSERT, UPDATE, DELETE"


def grant_app_privileges(connection: Connection, app_role: str) -> None:
    role = connection.dialect.identifier_preparer.quote(app_role)
    tables = connection.execute(
        text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    ).scalars()
    connection.execute(text(f"GRANT USAGE ON SCHEMA public TO {role}"))
    connection.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}"))
    for table in tables:
        privileges = RESTRICTED_TABLES.get(table, FULL_DML)
        connection.execute(text(f'GRANT {privileges} ON TABLE public."{table}" TO {role}'))
    connection.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"))
    connection.execute(text(f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {role}"))
