"""The organization's names version: bumped in the same transaction as any change to a name people say.

The copilot's planner caches each organization's name directory (students, groups, teachers, venues)
per process, keyed by this version, so a rename is seen by the very next turn in every process. A
trigger, not the services, bumps it, so every writer (imports, the demo seeder, a psql session) is
counted.

The version is taken from a sequence, never ``+ 1``: a rolled-back bump must never hand its number to
the next committed one, or a directory read inside the rolled-back transaction could be cached under
a version that later means something else.

The trigger function runs as the invoker (the app role under RLS): a row of organization X can only be
written with the tenant set to X, so X's own row is the one it may update; nothing is bypassed.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table → the columns that decide whether and how a name is in the planner's directory
NAME_COLUMNS = {
    "students": ("full_name", "search_name", "status", "archived_at"),
    "groups": ("name", "search_name", "status"),
    "teachers": ("full_name", "search_name", "archived_at"),
    "venues": ("name", "search_name", "archived_at"),
}

BUMP_FUNCTION = """
CREATE FUNCTION cadence_bump_names_version() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  -- Statement-level for inserts and deletes (an import of 2,000 students bumps once),
  -- row-level for updates, where the trigger's WHEN already kept only real name changes.
  IF TG_LEVEL = 'STATEMENT' THEN
    UPDATE organizations SET names_version = nextval('organization_names_version_seq')
    WHERE id IN (SELECT DISTINCT organization_id FROM changed_rows);
  ELSE
    UPDATE organizations SET names_version = nextval('organization_names_version_seq')
    WHERE id = NEW.organization_id;
  END IF;
  RETURN NULL;
END
$$
"""


def _triggers(table: str, columns: tuple[str, ...]) -> list[str]:
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
    return [
        f"CREATE TRIGGER {table}_names_inserted AFTER INSERT ON {table} "
        "REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION cadence_bump_names_version()",
        f"CREATE TRIGGER {table}_names_deleted AFTER DELETE ON {table} "
        "REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION cadence_bump_names_version()",
        f"CREATE TRIGGER {table}_names_updated AFTER UPDATE ON {table} FOR EACH ROW "
        f"WHEN ({changed}) EXECUTE FUNCTION cadence_bump_names_version()",
    ]


def upgrade() -> None:
    op.add_column(
        "organizations",
        sa.Column("names_version", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
    )
    op.execute("CREATE SEQUENCE organization_names_version_seq AS bigint")
    op.execute(BUMP_FUNCTION)
    for table, columns in NAME_COLUMNS.items():
        for statement in _triggers(table, columns):
            op.execute(statement)


def downgrade() -> None:
    for table in NAME_COLUMNS:
        for event in ("inserted", "deleted", "updated"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_names_{event} ON {table}")
    op.execute("DROP FUNCTION IF EXISTS cadence_bump_names_version()")
    op.execute("DROP SEQUENCE IF EXISTS organization_names_version_seq")
    op.drop_column("organizations", "names_version")
