"""A 50,000-line bank statement imported (parsed, keyed, matched, stored), as a ratio to a bare indexed
SELECT measured in the same run, and its peak memory.

The statement is a generated CAMT.053 (the heaviest format to read: XML through defusedxml): 50,000
entries, one in five paid by a demo student's guardian with the student's name in the remittance, the
rest from strangers, fees and card payments. It is imported into the `small` demo school of a database
of its own (``cadence_bank_bench``, recreated each run); each timed import runs in a transaction that
is rolled back, so every round imports the same 50,000 new lines into the same database.

Cases:
  * baseline — one student by primary key in a full tenant transaction (the figure every suite divides by);
  * import — ``banking.import_statement`` on the 50,000-line file, p50 of a few rounds;
  * parse only — ``formats.parse`` on the same bytes (no database), to show where the time goes.
Peak memory: how far the process's resident size rose at its peak during the first import, over what it
was just before (the statement's bytes already in memory). On Linux the kernel's peak is reset right
before the import (``/proc/self/clear_refs``), so seeding the demo school does not hide the import's own
peak; elsewhere the lifetime peak (``ru_maxrss``) is all there is, and the rise may read 0.

Figures (2 shared cores, one run each, 2026-11-30; the bare SELECT itself varied 2–4 ms between runs):
before the fast path (b8e18ef, one round) 50,000 lines imported in 85.0 s = 21,183x the bare SELECT,
parse 7.2 s, peak +179 MB; after (086d294) 28.6 s = 13,449x, parse 5.8 s, peak +63 MB. At 5,000 lines:
11.5 s = 6,570x -> 2.6 s = 2,446x. Profiled (cProfile): matching every line against all 220 students
was most of it; then the ORM's one INSERT per line; the CAMT parse spent its time in ``{*}`` wildcard
lookups matched in Python.

The CSV path (CADENCE_BENCH_BANK_FORMAT=csv: the same 50,000 lines as a bunq export, 5.2 MB), 2026-11-30,
one run each: before the row-by-row reader (2cf6457) 106.3 s = 36,899x (bare SELECT 2.9 ms), parse 6.8 s,
peak +101 MB; after (0eef315) 45.8 s = 13,701x (3.3 ms), parse 2.3 s, peak +105 MB. The times moved with
the machine's load (in one process the new parse_csv takes 0.94x the old one's CPU time); the peak did
not move because the import still holds every parsed line and its row until it is stored. The reader
itself: parse_csv's peak 65.5 -> 59.5 MB, 5.1 MB when its lines are taken one at a time (tracemalloc) —
the rest needs an import that consumes them so. MT940 (``mt-940``) and Norma 43 (``csb43``) build the
whole statement's model: no stream there.
"""

from __future__ import annotations

import os
import random
import resource
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from channels.embedded import APP_ROLE, EmbeddedPostgres
from domain.auth import service as auth
from domain.banking import formats
from domain.banking import service as banking
from domain.db import create_engine, session_factory, unit_of_work
from domain.demo.seed import seed_demo
from domain.orgs import service as orgs
from domain.students.models import Student
from domain.tenancy import TenantContext
from migrations.runner import analyze, upgrade

# CADENCE_BENCH_BANK_LINES=5000 for a quicker run while working on the import (the figure to report is 50,000)
LINES = int(os.environ.get("CADENCE_BENCH_BANK_LINES", "50000"))
# CADENCE_BENCH_BANK_FORMAT=csv: the same lines as a bunq CSV export (the CSV path) instead of CAMT.053
FORMAT = os.environ.get("CADENCE_BENCH_BANK_FORMAT", "camt")
ROUNDS = 2  # each round imports 50,000 lines: minutes on a shared machine
BASELINE_EACH_ROUND = 60
DATABASE = "cadence_bank_bench"

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>BENCH-1</MsgId><CreDtTm>2026-11-30T10:00:00</CreDtTm></GrpHdr>
<Stmt><Id>BENCH</Id><CreDtTm>2026-11-30T10:00:00</CreDtTm>
<Acct><Id><IBAN>ES9121000418450200051332</IBAN></Id><Ccy>EUR</Ccy></Acct>
"""
ENTRY = (
    '<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{side}</CdtDbtInd><Sts>BOOK</Sts>'
    "<BookgDt><Dt>{booked}</Dt></BookgDt><ValDt><Dt>{valued}</Dt></ValDt><AcctSvcrRef>BENCH{n:08d}</AcctSvcrRef>"
    "<NtryDtls><TxDtls><RltdPties><Dbtr><Nm>{payer}</Nm></Dbtr><DbtrAcct><Id><IBAN>ES76{n:020d}</IBAN></Id>"
    "</DbtrAcct></RltdPties><RmtInf><Ustrd>{purpose}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n"
)
STRANGERS = (
    "LOPEZ MARTIN SL",
    "IBERDROLA CLIENTES",
    "AMAZON EU SARL",
    "JUAN PEREZ",
    "COMISION MANTENIMIENTO",
)


CSV_HEAD = '"Date","Amount","Account","Counterparty","Name","Description"\n'
CSV_ROW = '"{booked}","{amount}","NL00BUNQ0000000001","ES76{n:020d}","{payer}","{purpose}"\n'


def statement(names: list[str], rng: random.Random, start: date) -> bytes:
    parts = [CSV_HEAD if FORMAT == "csv" else HEAD]
    for n in range(LINES):
        booked = start + timedelta(days=n % 28)
        if n % 5 == 0 and names:
            name = rng.choice(names)
            payer, purpose, amount, side = f"{name} FAMILY", f"Cuota {name}", "45.00", "CRDT"
        else:
            payer, purpose = rng.choice(STRANGERS), f"Ref {n}"
            amount, side = f"{rng.randint(100, 99_999) / 100:.2f}", rng.choice(("CRDT", "DBIT"))
        if FORMAT == "csv":  # bunq: decimal commas, money out negative
            signed = (amount if side == "CRDT" else f"-{amount}").replace(".", ",")
            parts.append(CSV_ROW.format(booked=booked, amount=signed, n=n, payer=payer, purpose=purpose))
            continue
        parts.append(
            ENTRY.format(
                amount=amount,
                side=side,
                booked=booked,
                valued=booked + timedelta(days=1),
                n=n,
                payer=payer,
                purpose=purpose,
            )
        )
    if FORMAT != "csv":
        parts.append("</Stmt></BkToCstmrStmt></Document>\n")
    return "".join(parts).encode()


def _resident_before_import() -> float:
    """The resident size now, in MB, with the kernel's peak reset to it (Linux), else the lifetime peak."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return _status_mb("VmRSS")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _peak_resident() -> float:
    try:
        return _status_mb("VmHWM")
    except (OSError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _status_mb(field: str) -> float:
    for row in Path("/proc/self/status").read_text().splitlines():
        if row.startswith(f"{field}:"):
            return int(row.split()[1]) / 1024  # kB
    raise ValueError(field)


class _RollBack(Exception):  # not an error: leaves the database as it was after each timed import
    pass


async def main(data_dir: Path) -> None:
    server = EmbeddedPostgres(data_dir)
    server.start()
    try:
        urls = server.ensure_database(DATABASE, recreate=True)
        upgrade(urls.owner, APP_ROLE)
        engine = create_engine(urls.app)
        sessions = session_factory(engine)
        today = datetime.now(UTC).date()
        await seed_demo(sessions, today=today, size="small", seed=7)
        analyze(urls.owner)
        async with unit_of_work(sessions) as s:
            org_id = await orgs.organization_id_by_slug(s, "demo-school")
            admin = await auth.find_user_by_email(s, "admin@demo-school.example")
            assert org_id and admin
            membership = await auth.membership_in(s, user_id=admin.id, org_id=org_id)
            assert membership
        tenant: TenantContext = membership.tenant(admin.id)
        async with unit_of_work(sessions, tenant) as s:
            students = (await s.execute(select(Student.id, Student.full_name))).all()
        rng = random.Random(3)  # noqa: S311 - benchmark inputs
        data = statement([name for _, name in students], rng, today.replace(day=1))
        ids = [sid for sid, _ in students]
        print(
            f"statement: {LINES:,} {'bunq CSV rows' if FORMAT == 'csv' else 'CAMT.053 entries'}, "
            f"{len(data) / 1e6:.1f} MB; {len(ids)} students to match"
        )

        async def lookup() -> float:
            started = time.perf_counter()
            async with unit_of_work(sessions, tenant) as session:
                (await session.execute(select(Student.full_name).where(Student.id == rng.choice(ids)))).one()
            return (time.perf_counter() - started) * 1000

        async def import_once() -> float:
            started = time.perf_counter()
            try:
                async with unit_of_work(sessions, tenant) as session:
                    result = await banking.import_statement(session, tenant, filename="bench.xml", data=data)
                    assert result.lines_new == LINES, result
                    raise _RollBack
            except _RollBack:
                pass
            return (time.perf_counter() - started) * 1000

        for _ in range(20):
            await lookup()
        resident = [_resident_before_import()]  # MB
        baseline: list[float] = []
        imports: list[float] = []
        parses: list[float] = []
        for _ in range(ROUNDS):  # interleaved, so machine noise hits every case alike
            baseline += [await lookup() for _ in range(BASELINE_EACH_ROUND)]
            imports.append(await import_once())
            resident.append(_peak_resident())
            started = time.perf_counter()
            formats.parse(data)
            parses.append((time.perf_counter() - started) * 1000)
        base = statistics.median(baseline)
        print(f"{'case':<44} {'p50 ms':>10} {'ratio to baseline':>18}")
        print(f"{'bare indexed SELECT (one student)':<44} {base:>10.3f} {1:>17.0f}x")
        for name, samples in (
            (f"import {LINES:,} lines (parse+match+store)", imports),
            ("parse only", parses),
        ):
            p50 = statistics.median(samples)
            print(f"{name:<44} {p50:>10.1f} {p50 / base:>17,.0f}x")
        per_line = statistics.median(imports) / LINES * 1000
        print(f"per line: {per_line:.1f} µs = {per_line / 1000 / base:.3f}x the bare SELECT")
        print(
            f"peak memory: during the first import the process's resident size peaked "
            f"{resident[1] - resident[0]:.0f} MB above the {resident[0]:.0f} MB it had just before, "
            f"at {resident[1]:.0f} MB "
            f"(the file is {len(data) / 1e6:.1f} MB)"
        )
        await engine.dispose()
    finally:
        server.stop()
