"""Serving under many users: the database pool keeps and reuses its connections, and ``cadence up``
serves HTTP from several worker processes beside Celery's worker and beat, all stopped by one Ctrl-C."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from channels.embedded import DatabaseUrls
from domain.db import create_engine
from domain.settings import get_settings
from tests.committed import committed_database

ROOT = Path(__file__).resolve().parents[2]
CONCURRENT = 24  # more transactions at once than the pool keeps


async def test_the_pool_reuses_its_connections_instead_of_opening_new_ones(
    database_urls: DatabaseUrls,
) -> None:
    """SQLAlchemy's default pool (5 kept + 10 overflow) closed every overflow connection when it came back,
    so each burst of requests opened new PostgreSQL sessions; ours keeps them and requests wait instead."""
    engine = create_engine(database_urls.app)
    backends: list[int] = []

    async def transaction() -> None:
        async with engine.connect() as conn:
            pid = await conn.scalar(text("SELECT pg_backend_pid() FROM pg_sleep(0.02)"))
            backends.append(int(pid or 0))

    try:
        for _ in range(3):
            await asyncio.gather(*(transaction() for _ in range(CONCURRENT)))
    finally:
        await engine.dispose()
    assert len(backends) == 3 * CONCURRENT  # every transaction ran: none timed out waiting
    assert len(set(backends)) <= get_settings().database_pool_size


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _processes_in_group(pgid: int) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # gone meanwhile
        fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": state, ppid, pgrp, …
        if fields[0] != "Z" and int(fields[2]) == pgid:
            found.append(f"{entry.name} {cmdline}")
    return found


def _wait_until_healthy(base_url: str, up: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert up.poll() is None, f"cadence up exited early:\n{log.read_text()}"
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"cadence up did not answer /healthz in time:\n{log.read_text()}")


def _http_workers(pgid: int) -> list[str]:
    """uvicorn's workers are spawned children of ``cadence up`` (multiprocessing's spawn_main)."""
    return [p for p in _processes_in_group(pgid) if "spawn_main" in p and "resource_tracker" not in p]


def test_cadence_up_serves_from_several_workers_and_ctrl_c_stops_everything(
    database_urls: DatabaseUrls, tmp_path: Path
) -> None:
    urls = committed_database("cadence_serving_test")
    port = _free_port()
    env = {
        **os.environ,
        "CADENCE_DATABASE_URL": urls.app,
        "CADENCE_DATABASE_OWNER_URL": urls.owner,
        "CADENCE_DATA_DIR": str(tmp_path),  # its own Redis and beat schedule
        "CADENCE_REDIS_URL": "",
    }
    log = tmp_path / "up.log"
    command = [sys.executable, "-m", "channels.cli.main", "up", "--no-seed", "--workers", "2"]
    with log.open("wb") as out:
        up = subprocess.Popen(  # noqa: S603 - our own interpreter and command
            [*command, "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as a terminal's Ctrl-C reaches
        )
    pgid = up.pid
    try:
        base_url = f"http://127.0.0.1:{port}"
        _wait_until_healthy(base_url, up, log)
        assert len(_http_workers(pgid)) == 2, _processes_in_group(pgid)
        with httpx.Client(base_url=base_url, timeout=10) as client:
            answers = [client.get("/healthz").status_code for _ in range(20)]
            unauthenticated = client.get("/api/v1/students")
        assert answers == [200] * 20
        assert unauthenticated.status_code == 401  # the API is served too, behind its login
        celery = [p for p in _processes_in_group(pgid) if "celery" in p]
        assert any(" worker " in p for p in celery) and any(" beat " in p for p in celery), celery

        os.killpg(pgid, signal.SIGINT)  # what Ctrl-C in the terminal sends
        assert up.wait(timeout=90) == 0, log.read_text()
        deadline = time.monotonic() + 30
        while _processes_in_group(pgid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _processes_in_group(pgid) == []
        assert "Cadence stopped." in log.read_text()
    finally:
        if up.poll() is None or _processes_in_group(pgid):
            os.killpg(pgid, signal.SIGKILL)
            up.wait(timeout=10)


@pytest.mark.parametrize("workers", ["0", "-1"])
def test_a_worker_count_below_one_is_refused_before_anything_starts(workers: str, tmp_path: Path) -> None:
    result = subprocess.run(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-m", "channels.cli.main", "up", "--workers", workers],
        cwd=ROOT,
        env={**os.environ, "CADENCE_DATA_DIR": str(tmp_path)},
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stdout
    assert b"--workers" in result.stderr
    assert not (tmp_path / "pg").exists()  # no server was started for a refused command


def test_worker_connections_send_small_writes_at_once() -> None:
    """A socket made like uvicorn's shared one (proto 0) gets no TCP_NODELAY from asyncio; ours sets it."""
    from channels.http.serving import no_delay

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        with socket.create_connection(listener.getsockname()) as _client:
            accepted, _ = listener.accept()
            with accepted:
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0  # the control

                class Transport(asyncio.BaseTransport):
                    def get_extra_info(self, name: str, default: object = None) -> object:
                        return accepted if name == "socket" else default

                no_delay(Transport())
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
