"""The Celery worker and the single beat that ``cadence up`` runs beside the web app."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from channels.runtime import Runtime
from domain.settings import Settings


def celery_commands(settings: Settings) -> dict[str, list[str]]:
    celery = [sys.executable, "-m", "celery", "-A", "channels.worker"]
    return {
        # Threads: each task runs its own event loop with its own engine (see channels.worker).
        "worker": [*celery, "worker", "--pool=threads", "--concurrency=4", "--loglevel=INFO"],
        # One beat per deployment: two would schedule every job twice (harmless, but wasteful).
        "beat": [
            *celery,
            "beat",
            "--loglevel=INFO",
            f"--schedule={settings.data_dir.resolve() / 'celerybeat-schedule'}",
        ],
    }


@contextmanager
def background_jobs(rt: Runtime, settings: Settings) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Start the worker and the beat against this runtime's database and Redis; stop them after."""
    if not rt.redis_url:
        raise RuntimeError("the background jobs need Redis (CADENCE_REDIS_URL or the embedded one)")
    env = {**os.environ, "CADENCE_DATABASE_URL": rt.database.app, "CADENCE_REDIS_URL": rt.redis_url}
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    children = [
        subprocess.Popen(command, env=env)  # noqa: S603 - our own interpreter and module
        for command in celery_commands(settings).values()
    ]
    try:
        yield children
    finally:
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
