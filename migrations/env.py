from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from domain.models import Base
from migrations.privileges import grant_app_privileges

config = context.config
target_metadata = Base.metadata


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """LangGraph's checkpoint tables are created by the library itself (migrations.runner), not by
    our models: autogenerate must not offer to drop them."""
    return not (
        type_ in {"table", "index"}
        and reflected
        and compare_to is None
        and (name or "").startswith("checkpoint")
    )


def run_migrations_online() -> None:
    url = config.attributes.get("owner_url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("no owner database URL: set CADENCE_DATABASE_OWNER_URL or use `cadence db migrate`")
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            compare_type=True,
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()
            app_role = config.attributes.get("app_role")
            if app_role:
                grant_app_privileges(connection, app_role)
    engine.dispose()


run_migrations_online()
