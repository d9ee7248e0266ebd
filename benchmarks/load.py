"""`python -m benchmarks load`: the served app under concurrent clients, as ``cadence up`` serves it.

Starts ``cadence up --no-jobs`` on loopback against its own database (the small demo, plus one admin per
client, since each person has one conversation) and drives ``/healthz``, one REST read and the web chat
at 1, 8 and 32 concurrent clients for a bounded time each, then stops it. Two configurations in one
run, so their ratios share the machine's noise: ``before`` (one worker, SQLAlchemy's 5 + 10 overflow
pool) and ``after`` (CADENCE_WORKERS=2, the kept pool). Requests per second, p50/p95/p99 and errors.
Then, per configuration, one person sends four chat messages at once (issue 16): how many are answered,
whether each got the answer its message gets alone, and whether the conversation recorded them in the
order they were sent.

The clients speak plain HTTP/1.1 over keep-alive connections (asyncio streams) so that the load
generator, which shares the two cores with the server, costs as little as it can.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from channels.embedded import APP_ROLE, DatabaseUrls, EmbeddedPostgres
from channels.http.deps import SESSION_COOKIE
from domain.auth import service as auth
from domain.db import create_engine, session_factory, unit_of_work, use_tenant
from domain.demo.seed import is_seeded, seed_demo
from domain.groups.models import Group, GroupStatus
from domain.orgs import service as orgs
from domain.orgs.models import OrganizationMember
from domain.tenancy import Role, TenantContext
from migrations.runner import analyze, upgrade

DATABASE = "cadence_load"
CONCURRENCY = (1, 8, 32)
SECONDS = float(os.environ.get("CADENCE_LOAD_SECONDS", "5"))  # per endpoint and concurrency
WARMUP_SECONDS = 1.0
PASSWORD = "load-clients-2026"  # noqa: S105 - the benchmark's own local users
ROOT = Path(__file__).resolve().parents[1]
CONFIGURATIONS = {
    "before": {
        "CADENCE_WORKERS": "1",
        "CADENCE_DATABASE_POOL_SIZE": "5",
        "CADENCE_DATABASE_MAX_OVERFLOW": "10",
    },
    "after": {"CADENCE_WORKERS": "2"},
}


@dataclass
class Person:
    cookie: str
    csrf: str


@dataclass
class Result:
    samples_ms: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    def percentile(self, q: float) -> float:
        if not self.samples_ms:
            return float("nan")
        ordered = sorted(self.samples_ms)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    @property
    def rps(self) -> float:
        return len(self.samples_ms) / self.seconds if self.seconds else 0.0


class HttpConnection:
    """One keep-alive HTTP/1.1 connection: Content-Length and chunked bodies (the chat streams)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.cookies: dict[str, str] = {}  # the Set-Cookie values of the last response

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes = b""
    ) -> tuple[int, bytes]:
        if self.writer is None or self.reader is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        fields: dict[bytes, bytes] = {}
        self.cookies = {}
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            fields[name.strip().lower()] = value.strip()
            if name.strip().lower() == b"set-cookie":
                cookie, _, _attributes = value.strip().decode().partition(";")
                key, _, cookie_value = cookie.partition("=")
                self.cookies[key] = cookie_value
        if fields.get(b"transfer-encoding") == b"chunked":
            content = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                content += await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        else:
            content = await self.reader.readexactly(int(fields.get(b"content-length", b"0")))
        if fields.get(b"connection") == b"close":
            await self.close()
        return status, content

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None


Request = Callable[[HttpConnection, int], Awaitable[bool]]  # (connection, client number) -> ok


def endpoints(people: list[Person]) -> dict[str, Request]:
    async def healthz(conn: HttpConnection, _: int) -> bool:
        status, _body = await conn.request("GET", "/healthz", {})
        return status == 200

    async def rest_read(conn: HttpConnection, client: int) -> bool:
        status, _body = await conn.request("GET", "/api/v1/teachers", {"Cookie": people[client].cookie})
        return status == 200

    async def chat(conn: HttpConnection, client: int) -> bool:
        person = people[client]
        body = json.dumps({"text": "who hasn't paid this month?"}).encode()
        headers = {"Cookie": person.cookie, "X-CSRF-Token": person.csrf, "Content-Type": "application/json"}
        status, content = await conn.request("POST", "/api/v1/chat/messages", headers, body)
        return status == 200 and b"event: done" in content and b"event: error" not in content

    return {"/healthz": healthz, "GET /api/v1/teachers": rest_read, "chat (who hasn't paid)": chat}


AT_ONCE = (
    "who hasn't paid this month?",
    "what's on today?",
    "payout preview for last month",
    "who is in {group}?",
)
AT_ONCE_STAGGER = 0.005  # seconds between sends: all four in flight together, yet sent in a known order
AT_ONCE_ROUNDS = 5


async def _say(
    port: int, person: Person, text: str, ids: dict[str, str] | None = None
) -> tuple[float, str | None]:
    """One chat message on its own connection: (ms to its last byte, the answer, None on an error).
    ``ids``: the message's ``id`` and the ``after`` it names, as a client sending several at once does."""
    conn = HttpConnection(port)
    body = json.dumps({"text": text, **(ids or {})}).encode()
    headers = {"Cookie": person.cookie, "X-CSRF-Token": person.csrf, "Content-Type": "application/json"}
    started = time.perf_counter()
    try:
        status, content = await conn.request("POST", "/api/v1/chat/messages", headers, body)
    finally:
        await conn.close()
    elapsed = (time.perf_counter() - started) * 1000
    done = content.split(b"event: done\ndata: ", 1)
    if status != 200 or len(done) != 2 or b"event: error" in content:
        return elapsed, None
    return elapsed, str(json.loads(done[1].split(b"\n\n", 1)[0])["answer"])


async def four_at_once(port: int, person: Person, group: str, rounds: int = AT_ONCE_ROUNDS) -> str:
    """Issue 16: one person sends four messages at once; four answers, each the one its own message gets
    when sent alone, and the conversation's record of them in the order they were sent. Each names the
    one before it (``after``): without that, the order would be the one in which the requests reach the
    conversation's lock after their own authentication, and with several workers two messages sent 5 ms
    apart may swap there."""
    questions = [q.format(group=group) for q in AT_ONCE]
    alone = [await _say(port, person, q) for q in questions]

    async def send(n: int, text: str, ids: list[str]) -> tuple[float, str | None]:
        await asyncio.sleep(n * AT_ONCE_STAGGER)
        # Each message names the one sent before it (the chat API's ``after``): sent together, they are
        # answered in the order sent, whichever worker process each request reaches first.
        return await _say(port, person, text, {"id": ids[n], **({"after": ids[n - 1]} if n else {})})

    answered = own = in_order = 0
    last_ms: list[float] = []
    for _ in range(rounds):
        started = time.perf_counter()
        ids = [str(uuid.uuid4()) for _ in questions]
        together = await asyncio.gather(*(send(n, q, ids) for n, q in enumerate(questions)))
        last_ms.append((time.perf_counter() - started) * 1000)
        conn = HttpConnection(port)
        try:
            status, content = await conn.request("GET", "/api/v1/chat/history", {"Cookie": person.cookie})
        finally:
            await conn.close()
        recorded = [t["said"] for t in json.loads(content)][-4:] if status == 200 else []
        answered += sum(answer is not None for _, answer in together)
        own += sum(a is not None and a == b for (_, a), (_, b) in zip(together, alone, strict=True))
        in_order += recorded == questions
    return (
        f"{answered}/{4 * rounds} answered, {own}/{4 * rounds} the answer its message gets alone, "
        f"{in_order}/{rounds} rounds recorded in the order sent; last answer after "
        f"{statistics.median(last_ms):.0f} ms p50 (one alone: {sorted(ms for ms, _ in alone)[1]:.0f} ms)"
    )


async def drive(port: int, request: Request, clients: int, seconds: float) -> Result:
    """``clients`` loops, each on its own connection, sending one request after another until time is up."""
    result = Result()
    stop_at = time.perf_counter() + WARMUP_SECONDS + seconds
    measure_from = time.perf_counter() + WARMUP_SECONDS

    async def loop(client: int) -> None:
        conn = HttpConnection(port)
        try:
            while (started := time.perf_counter()) < stop_at:
                try:
                    ok = await request(conn, client)
                except (OSError, asyncio.IncompleteReadError, ValueError):
                    ok = False
                    await conn.close()
                finished = time.perf_counter()
                # counted when it ends inside the window: slow requests (chat at 32) are not lost
                if measure_from <= finished <= stop_at:
                    result.samples_ms.append((finished - started) * 1000)
                    result.errors += 0 if ok else 1
        finally:
            await conn.close()

    await asyncio.gather(*(loop(i) for i in range(clients)))
    result.seconds = seconds
    return result


async def _prepare(urls: DatabaseUrls, clients: int) -> str:
    """The small demo and ``clients`` admins of demo-school (load-N@…), made once and kept; returns the
    name of one of its groups (for a question about it)."""
    engine = create_engine(urls.app)
    try:
        sessions = session_factory(engine)
        if not await is_seeded(sessions):
            print("seeding the small demo…", file=sys.stderr)
            await seed_demo(sessions, today=datetime.now(UTC).date(), size="small", seed=7)
        async with unit_of_work(sessions) as session:
            org_id = await orgs.organization_id_by_slug(session, "demo-school")
            assert org_id is not None
            for n in range(clients):
                email = f"load-{n}@demo-school.example"
                if await auth.find_user_by_email(session, email) is None:
                    user = await auth.signup(session, email=email, password=PASSWORD, name=f"Load {n}")
                    await use_tenant(session, TenantContext(org_id=org_id, role=Role.ADMIN))
                    session.add(OrganizationMember(organization_id=org_id, user_id=user.id, role=Role.ADMIN))
                    await session.flush()
                    await use_tenant(session, None)
        async with unit_of_work(sessions, TenantContext(org_id=org_id, role=Role.ADMIN)) as session:
            group = await session.scalar(
                select(Group.name).where(Group.status == GroupStatus.ACTIVE).order_by(Group.name).limit(1)
            )
            assert group is not None
    finally:
        await engine.dispose()
    analyze(urls.owner)
    return group


async def _log_in(port: int, clients: int) -> list[Person]:
    people = []
    conn = HttpConnection(port)
    try:
        for n in range(clients):
            body = json.dumps({"email": f"load-{n}@demo-school.example", "password": PASSWORD}).encode()
            status, content = await conn.request(
                "POST", "/api/v1/auth/login", {"Content-Type": "application/json"}, body
            )
            assert status == 200, content
            people.append(
                Person(
                    cookie=f"{SESSION_COOKIE}={conn.cookies[SESSION_COOKIE]}",
                    csrf=json.loads(content)["csrf_token"],
                )
            )
    finally:
        await conn.close()
    return people


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tail(log: Path) -> str:
    return log.read_text()[-3000:]


def _start(command: list[str], env: dict[str, str]) -> tuple[subprocess.Popen[bytes], Path]:
    """``cadence up`` in its own process group (stopped like Ctrl-C stops it), its output in a file."""
    with tempfile.NamedTemporaryFile(prefix="cadence-load-", suffix=".log", delete=False) as out:
        up = subprocess.Popen(  # noqa: S603 - our own interpreter and command
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return up, Path(out.name)


def _stop(up: subprocess.Popen[bytes], log: Path) -> None:
    with contextlib.suppress(ProcessLookupError):  # it may have exited already
        os.killpg(up.pid, signal.SIGINT)
    try:
        up.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(up.pid, signal.SIGKILL)
        up.wait()
    log.unlink(missing_ok=True)


async def _wait_until_up(port: int, up: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if up.poll() is not None:
            raise SystemExit(f"cadence up exited ({up.returncode}):\n{_tail(log)}")
        conn = HttpConnection(port)
        try:
            if (await conn.request("GET", "/healthz", {}))[0] == 200:
                return
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            await conn.close()
        await asyncio.sleep(0.5)
    raise SystemExit(f"cadence up did not answer in time:\n{_tail(log)}")


@dataclass
class Served:
    name: str
    port: int
    up: subprocess.Popen[bytes]
    log: Path
    people: list[Person] = field(default_factory=list)


def _serve(name: str, urls: DatabaseUrls, data_dir: Path) -> Served:
    """``cadence up --no-jobs`` with this configuration's environment, on a free loopback port."""
    port = _free_port()
    env = {
        **os.environ,
        **CONFIGURATIONS[name],
        "CADENCE_DATABASE_URL": urls.app,
        "CADENCE_DATABASE_OWNER_URL": urls.owner,
        "CADENCE_DATA_DIR": str(data_dir),
    }
    command = [sys.executable, "-m", "channels.cli.main", "up", "--no-seed", "--no-jobs", "--port", str(port)]
    up, log = _start(command, env)
    return Served(name, port, up, log)


async def run_configurations(
    names: list[str], urls: DatabaseUrls, data_dir: Path, group: str
) -> dict[str, dict[tuple[str, int], Result]]:
    """Every configuration served at once, and each endpoint and concurrency driven against one after
    the other, so that the machine's noise of that moment falls on all of them alike."""
    servers: list[Served] = []
    runs: dict[str, dict[tuple[str, int], Result]] = {name: {} for name in names}
    try:
        for name in names:  # one after the other: each `cadence up` migrates, and two at once collide
            servers.append(served := _serve(name, urls, data_dir))
            await _wait_until_up(served.port, served.up, served.log)
            served.people = await _log_in(served.port, max(CONCURRENCY))
        for endpoint in endpoints([]):
            for clients in CONCURRENCY:
                for served in servers:
                    request = endpoints(served.people)[endpoint]
                    result = await drive(served.port, request, clients, SECONDS)
                    runs[served.name][endpoint, clients] = result
                    print(
                        f"  {served.name:<6} {endpoint:<24} {clients:>3} clients {result.rps:>8.1f} req/s "
                        f"p50 {result.percentile(0.5):>7.1f} p95 {result.percentile(0.95):>7.1f} "
                        f"p99 {result.percentile(0.99):>7.1f} ms  errors {result.errors}",
                        flush=True,
                    )
        for served in servers:
            figure = await four_at_once(served.port, served.people[0], group)
            print(f"  {served.name:<6} one person, four messages at once: {figure}", flush=True)
    finally:
        for served in servers:
            _stop(served.up, served.log)  # SIGINT to its group, as Ctrl-C stops it
    return runs


def _summary(runs: dict[str, dict[tuple[str, int], Result]]) -> None:
    chat = next(e for e in next(iter(runs.values())) if e[0].startswith("chat"))[0]
    print(
        "\nratios in this run (targets: 0 errors; /healthz p99 at 32 < 100 ms; "
        "chat 8/1 >= 1.8x with 2 workers)"
    )
    for name, results in runs.items():
        errors = sum(r.errors for r in results.values())
        total = sum(len(r.samples_ms) for r in results.values())
        healthz = results["/healthz", 32]
        scale = results[chat, 8].rps / results[chat, 1].rps if results[chat, 1].rps else float("nan")
        print(
            f"  {name:<6} errors {errors}/{total}; "
            f"/healthz p99 at 32 clients {healthz.percentile(0.99):.1f} ms; "
            f"chat req/s 8 vs 1 client {scale:.2f}x"
        )
    if {"before", "after"} <= runs.keys():
        print("  after / before, requests per second:")
        for key, after in runs["after"].items():
            before = runs["before"][key]
            ratio = after.rps / before.rps if before.rps else float("nan")
            p99 = after.percentile(0.99) / before.percentile(0.99)
            print(f"    {key[0]:<24} {key[1]:>3} clients  {ratio:>5.2f}x req/s  {p99:>5.2f}x p99")


async def main(data_dir: Path) -> None:
    server = EmbeddedPostgres(data_dir)
    server.start()
    try:
        urls = server.ensure_database(DATABASE)
        upgrade(urls.owner, APP_ROLE)
        group = await _prepare(urls, max(CONCURRENCY))
        chosen = [c for c in os.environ.get("CADENCE_LOAD_CONFIGURATIONS", "before,after").split(",") if c]
        print(
            f"{SECONDS:.0f} s per endpoint and concurrency, after {WARMUP_SECONDS:.0f} s of warm-up; "
            f"{os.cpu_count()} cores"
        )
        runs = await run_configurations(chosen, urls, data_dir, group)
        _summary(runs)
    finally:
        server.stop()
