"""Serving the app over HTTP: one uvicorn process, or several worker processes behind one socket.

With ``CADENCE_WORKERS`` > 1 uvicorn's supervisor starts that many processes that accept on the same
listening socket; each imports the app through ``app_from_environment`` (a spawned process cannot be
handed an app object), so everything a worker needs travels in ``CADENCE_*`` environment variables.
Each worker has its own event loop, database pool (``CADENCE_DATABASE_POOL_SIZE``) and checkpointer;
they share nothing in memory, which is also what lets them run on several machines.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket

import uvicorn
from fastapi import FastAPI
from uvicorn.protocols.http.auto import AutoHTTPProtocol

from channels.http.app import create_app
from channels.http.limits import server_options
from domain.settings import Settings, get_settings

FACTORY = "channels.http.serving:app_from_environment"
WORKER_HEALTHCHECK_SECONDS = 60


def no_delay(transport: asyncio.BaseTransport) -> None:
    """Send small writes at once (TCP_NODELAY). asyncio sets it only on sockets whose ``proto`` is TCP,
    and the listening socket uvicorn shares with its workers is made with proto 0, so with several
    workers each keep-alive response waited for the delayed ACK: /healthz took 52 ms instead of 5."""
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class NoDelayHTTPProtocol(AutoHTTPProtocol):  # type: ignore[valid-type,misc]
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        no_delay(transport)
        super().connection_made(transport)


def app_from_environment() -> FastAPI:
    """The app as one worker builds it: configured entirely from ``CADENCE_*`` variables."""
    settings = get_settings()
    if not settings.database_url:
        raise RuntimeError("a worker process needs CADENCE_DATABASE_URL (cadence up sets it)")
    return create_app(settings, database_url=settings.database_url, settle_heap=True)


def serve(settings: Settings, *, database_url: str, host: str, port: int, workers: int) -> None:
    """Serve until interrupted. Ctrl-C (SIGINT) or SIGTERM stops the workers and returns."""
    options = {"host": host, "port": port, "log_level": "info", **server_options()}
    if workers <= 1:  # in this process, as before: no supervisor, no second import of the app
        uvicorn.run(create_app(settings, database_url=database_url, settle_heap=True), **options)
        return
    # The workers read their configuration from the environment: the database may be the embedded one
    # this process started, so its URL is passed on explicitly.
    os.environ["CADENCE_DATABASE_URL"] = database_url
    # The supervisor kills a worker that does not answer its health check in time; importing the app
    # on a busy two-core machine (Celery starting beside it) took longer than uvicorn's 5 s and every
    # worker was killed and respawned over and over.
    uvicorn.run(
        FACTORY,
        factory=True,
        workers=workers,
        http=NoDelayHTTPProtocol,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        **options,
    )
