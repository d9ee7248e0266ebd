"""Tenant isolation: RLS on every tenant table, lookups that precede the tenant, append-only audit.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 09:01:00
"""

from collections.abc import Sequence

from alembic import op

from migrations.rls import drop_tenant_rls_sql, tenant_rls_sql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_TABLES = (
    "organization_members",
    "invitations",
    "api_keys",
    "students",
    "teachers",
    "venues",
    "groups",
    "student_groups",
    "class_sessions",
    "attendance_records",
    "private_sessions",
    "student_payments",
    "teacher_payouts",
    "audit_log",
    "domain_events",
)

# SECURITY DEFINER functions run as the owner (BYPASSRLS) and answer the few questions asked before
# a tenant is known. Each returns only what the caller needs to then act under RLS.
LOOKUP_FUNCTIONS = (
    """
    CREATE FUNCTION cadence_org_id_by_slug(p_slug text) RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
      SELECT id FROM organizations WHERE slug = p_slug AND archived_at IS NULL
    $$
    """,
    """
    CREATE FUNCTION cadence_user_memberships(p_user_id uuid)
    RETURNS TABLE (organization_id uuid, role member_role, name text, slug text,
                   type organization_type, timezone text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
      SELECT m.organization_id, m.role, o.name, o.slug::text, o.type, o.timezone
      FROM organization_members m JOIN organizations o ON o.id = m.organization_id
      WHERE m.user_id = p_user_id AND m.removed_at IS NULL AND o.archived_at IS NULL
      ORDER BY o.name
    $$
    """,
    """
    CREATE FUNCTION cadence_api_key_lookup(p_key_hash text)
    RETURNS TABLE (id uuid, organization_id uuid, scopes text[], expires_at timestamptz,
                   revoked_at timestamptz, timezone text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
      SELECT k.id, k.organization_id, k.scopes::text[], k.expires_at, k.revoked_at, o.timezone
      FROM api_keys k JOIN organizations o ON o.id = k.organization_id
      WHERE k.key_hash = p_key_hash AND o.archived_at IS NULL
    $$
    """,
    """
    CREATE FUNCTION cadence_invitation_lookup(p_token_hash text)
    RETURNS TABLE (id uuid, organization_id uuid, email text, role member_role,
                   expires_at timestamptz, accepted_at timestamptz, revoked_at timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
      SELECT id, organization_id, email, role, expires_at, accepted_at, revoked_at
      FROM invitations WHERE token_hash = p_token_hash
    $$
    """,
)
FUNCTION_SIGNATURES = (
    "cadence_org_id_by_slug(text)",
    "cadence_user_memberships(uuid)",
    "cadence_api_key_lookup(text)",
    "cadence_invitation_lookup(text)",
)


def upgrade() -> None:
    for table in TENANT_TABLES:
        for statement in tenant_rls_sql(table):
            op.execute(statement)
    # The tenant itself: a session sees only its own organization row, and can create only the
    # organization it has set as current (the service sets it before inserting).
    for statement in tenant_rls_sql("organizations", column="id"):
        op.execute(statement)

    for statement in LOOKUP_FUNCTIONS:
        op.execute(statement)
    for signature in FUNCTION_SIGNATURES:
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")

    op.execute(
        """
        CREATE FUNCTION cadence_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'insufficient_privilege';
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION cadence_refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER class_sessions_never_deleted BEFORE DELETE ON class_sessions "
        "FOR EACH ROW EXECUTE FUNCTION cadence_refuse_change()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS class_sessions_never_deleted ON class_sessions")
    op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
    op.execute("DROP FUNCTION IF EXISTS cadence_refuse_change()")
    for signature in FUNCTION_SIGNATURES:
        op.execute(f"DROP FUNCTION IF EXISTS {signature}")
    for table in (*TENANT_TABLES, "organizations"):
        for statement in drop_tenant_rls_sql(table):
            op.execute(statement)
