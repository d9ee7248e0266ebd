"""PgBouncer (Debian's ``pgbouncer`` package, installed by ``make test``) in transaction pooling mode in
front of the embedded PostgreSQL, on a free loopback port, for the tests that run through it.

The embedded server listens only on its unix socket, inside its data directory, which belongs to the
user PostgreSQL runs as (``pgserver`` when we are root). PgBouncer refuses to run as root, so it runs
as that same user and reaches the socket as its owner.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from channels.embedded import DatabaseUrls

# /usr/sbin is not on every PATH (a non-root shell's, say)
CANDIDATES = ("pgbouncer", "/usr/sbin/pgbouncer", "/usr/bin/pgbouncer")
SERVER_CONNECTIONS = 2  # few server connections for many clients: transactions must share them
# A copilot turn holds two transactions at once (its session's and the checkpointer's), so the pool the
# app uses must have a server connection for every session transaction plus one: with fewer, turns
# holding the session's wait for the checkpointer's forever (query_wait_timeout). Engine pool 10 + 10 + 1.
TURN_SERVER_CONNECTIONS = 21
WIDE = "_wide"  # the database alias with TURN_SERVER_CONNECTIONS


def pgbouncer_binary() -> str:
    for candidate in CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    raise AssertionError(
        "pgbouncer is missing: `make test` installs Debian's pgbouncer; run the tests through it"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _config(socket_dir: str, database: str, port: int, workdir: Path, users: list[str]) -> str:
    return f"""
[databases]
{database} = host={socket_dir} dbname={database}
{database}{WIDE} = host={socket_dir} dbname={database} pool_size={TURN_SERVER_CONNECTIONS}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {workdir / "users.txt"}
pool_mode = transaction
default_pool_size = {SERVER_CONNECTIONS}
min_pool_size = 0
reserve_pool_size = 0
max_client_conn = 500
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
logfile = {workdir / "pgbouncer.log"}
pidfile = {workdir / "pgbouncer.pid"}
admin_users = {users[0]}
"""


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"pgbouncer exited ({process.returncode}):\n{_read(log)}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"pgbouncer did not listen on {port}:\n{_read(log)}")


def _read(path: Path) -> str:
    return path.read_text() if path.exists() else "(no log)"


@contextmanager
def pgbouncer_in_front(urls: DatabaseUrls) -> Iterator[tuple[DatabaseUrls, DatabaseUrls]]:
    """Yield the same two roles' URLs, but through PgBouncer (transaction pooling) instead of the socket:
    over SERVER_CONNECTIONS server connections, and over TURN_SERVER_CONNECTIONS (for the copilot)."""
    app, owner = make_url(urls.app), make_url(urls.owner)
    socket_dir = str(app.query["host"])
    database = str(app.database)
    users = [str(app.username), str(owner.username)]
    data_owner = Path(socket_dir).stat().st_uid
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="cadence-pgbouncer-") as tmp:
        workdir = Path(tmp)
        (workdir / "users.txt").write_text("".join(f'"{user}" ""\n' for user in users))
        config = workdir / "pgbouncer.ini"
        config.write_text(_config(socket_dir, database, port, workdir, users))
        command = [pgbouncer_binary(), str(config)]
        if os.geteuid() == 0:  # it will not run as root: run it as the server's own user
            os.chown(workdir, data_owner, -1)
            for path in workdir.iterdir():
                os.chown(path, data_owner, -1)
            command[1:1] = ["-u", pwd.getpwuid(data_owner).pw_name]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)  # noqa: S603
        try:
            _wait_for_port(port, process, workdir / "pgbouncer.log")

            def through(url: str, alias: str = database) -> str:
                return (
                    make_url(url)
                    .set(host="127.0.0.1", port=port, database=alias, query={})
                    .render_as_string(hide_password=False)
                )

            wide = database + WIDE
            yield (
                DatabaseUrls(app=through(urls.app), owner=through(urls.owner)),
                DatabaseUrls(app=through(urls.app, wide), owner=through(urls.owner, wide)),
            )
        finally:
            process.send_signal(signal.SIGINT)  # PgBouncer's immediate shutdown
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
