"""Where the database and Redis are: the configured servers, or embedded ones started on demand."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.engine import make_url

from channels.embedded import DatabaseUrls, EmbeddedPostgres, EmbeddedRedis
from domain.settings import Settings

EMBEDDED_DATABASE = "cadence"


class ConfigurationError(RuntimeError):
    pass


@dataclass
class Runtime:
    database: DatabaseUrls
    redis_url: str | None
    embedded_postgres: EmbeddedPostgres | None = None

    @property
    def app_role(self) -> str:
        username = make_url(self.database.app).username
        if not username:
            raise ConfigurationError("CADENCE_DATABASE_URL must name the app role's user")
        return username


@contextmanager
def runtime(
    settings: Settings, *, with_redis: bool = False, database: str = EMBEDDED_DATABASE
) -> Iterator[Runtime]:
    """Yield the servers' URLs, starting embedded ones for whatever is not configured; stop them after."""
    pg: EmbeddedPostgres | None = None
    redis: EmbeddedRedis | None = None
    try:
        if settings.database_url:
            owner = settings.database_owner_url or ""
            urls = DatabaseUrls(app=settings.database_url, owner=owner)
        else:
            pg = EmbeddedPostgres(settings.data_dir)
            pg.start()
            urls = pg.ensure_database(database)
        redis_url = settings.redis_url
        if with_redis and not redis_url:
            redis = EmbeddedRedis(settings.data_dir)
            redis_url = redis.start()
        yield Runtime(database=urls, redis_url=redis_url, embedded_postgres=pg)
    finally:
        if redis is not None:
            redis.stop()
        if pg is not None:
            pg.stop()


def require_owner_url(rt: Runtime) -> str:
    if not rt.database.owner:
        raise ConfigurationError(
            "Migrations run as the owner role: "
            "set CADENCE_DATABASE_OWNER_URL as well as CADENCE_DATABASE_URL."
        )
    return rt.database.owner
