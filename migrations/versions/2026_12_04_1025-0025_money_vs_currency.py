"""Money recorded and the organization's currency changed at the same moment cannot cross.

Amounts (charges, payments, teacher payouts) carry no currency of their own: they are in the
organization's currency, which may change only while no money is recorded. The check and the change run in
one transaction, but a first payment recorded at the same moment was not seen by the check and ended up
relabelled. Each statement that inserts money now takes the organization's *shared* transaction lock
(statements of many transactions hold it together, so recording money never waits on other money); the
currency change takes it *exclusively* before its check (``domain.orgs.service``), so it waits for money
being recorded to commit — and then sees it — while money recorded after it waits for the change.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04 10:25:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY_TABLES = ("charges", "payments", "teacher_payouts")
# The first key of pg_advisory_xact_lock(int, int) for "money of this organization" (domain.orgs.service).
NAMESPACE = 0x25C0


def upgrade() -> None:
    op.execute(
        f"""
CREATE FUNCTION cadence_money_lock() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared({NAMESPACE}, hashtext(coalesce(current_setting('app.org_id', true), '')));
    RETURN NULL;
END $$;
"""
    )
    for table in MONEY_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_money_lock BEFORE INSERT ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION cadence_money_lock()"
        )


def downgrade() -> None:
    for table in MONEY_TABLES:
        op.execute(f"DROP TRIGGER {table}_money_lock ON {table}")
    op.execute("DROP FUNCTION cadence_money_lock()")
