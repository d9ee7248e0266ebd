from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from domain.models import Base
from migrations.privileges import grant_app_privileges

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    url = config.attributes.get("owner_url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("no owner database URL: set CADENCE_DATABASE_OWNER_URL or use `cadence db migrate`")
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
            app_role = config.attributes.get("app_role")
            if app_role:
                grant_app_privileges(connection, app_role)
    engine.dispose()


run_migrations_online()
