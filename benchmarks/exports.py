"""Exports on the `large` demo: all attendance (~335k marks) as CSV and xlsx, streamed, with peak memory.

Each case runs in a fresh Python process. After the setup (migrations, imports, the row count) the kernel's
high-water mark of resident memory is reset (``/proc/self/clear_refs``), so the peak reported is the export's
own, and "over start" is how far it rose above the process's memory just before the export:
  * idle — no export: the floor;
  * csv stream / xlsx stream — the export as ``GET /attendance?format=…`` sends it: rows off a server-side
    cursor (2,000 at a time) into the writer, chunks handed on and dropped;
  * csv materialised — the same CSV after loading every row first (what a naive export does): the
    contrast that shows the stream does not hold the rows.
Times are ratios to the usual baseline (one student by primary key, p50) measured in the same run.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
from pathlib import Path

from sqlalchemy import select

from benchmarks.harness import measure
from benchmarks.large_demo import open_large_demo, student_lookup
from channels.embedded import EmbeddedPostgres
from domain.db import unit_of_work
from domain.exports import attendance
from domain.exports.writers import Format, chunks
from domain.students.models import Student

CASES = ("idle", "csv stream", "xlsx stream", "csv materialised")


async def _run(case: str, data_dir: Path) -> dict[str, float]:
    server = EmbeddedPostgres(data_dir)
    server.start()  # attaches to the server the parent started
    demo = await open_large_demo(server, fresh=False)
    tenant = demo.admin
    try:
        async with unit_of_work(demo.sessions, tenant) as session:
            query = await attendance.attendance_query(session, tenant)
            total = await attendance.count(session, query)
        start_mb = _status_mb("VmRSS")
        _reset_peak()
        started = time.perf_counter()
        size = 0
        if case == "idle":
            pass
        elif case == "csv materialised":
            async with unit_of_work(demo.sessions, tenant) as session:
                rows = [attendance.attendance_cells(r) for r in (await session.execute(query)).all()]
            async for chunk in chunks(Format.CSV, attendance.ATTENDANCE, rows, language="en", timezone="UTC"):
                size += len(chunk)
        else:
            fmt = Format.CSV if case.startswith("csv") else Format.XLSX
            rows_stream = attendance.stream_attendance(demo.sessions, tenant, query)
            async for chunk in chunks(fmt, attendance.ATTENDANCE, rows_stream, language="en", timezone="UTC"):
                size += len(chunk)
        seconds = time.perf_counter() - started
    finally:
        await demo.engine.dispose()
    return {
        "rows": total,
        "bytes": size,
        "seconds": seconds,
        "start_mb": start_mb,
        "peak_mb": _status_mb("VmHWM"),
    }


def _reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as refs:  # a kernel interface: resets the high-water mark
        refs.write("5")  # VmHWM := the current RSS


def _status_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status (Linux), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def run_case(case: str, data_dir: str) -> None:
    """Entry point of one child process: prints its figures as JSON."""
    print(json.dumps(asyncio.run(_run(case, Path(data_dir)))))


async def main(data_dir: Path) -> None:
    server = EmbeddedPostgres(data_dir)
    server.start()
    try:
        demo = await open_large_demo(server, fresh=False)
        async with unit_of_work(demo.sessions, demo.admin) as s:
            student_ids = list((await s.execute(select(Student.id))).scalars())
        [baseline] = await measure(
            {"baseline": student_lookup(demo, student_ids, random.Random(3))},  # noqa: S311 - inputs
            rounds=200,
        )
        await demo.engine.dispose()
        figures = {}
        for case in CASES:
            code = f"from benchmarks.exports import run_case; run_case({case!r}, {str(data_dir)!r})"
            child = await asyncio.create_subprocess_exec(
                sys.executable, "-c", code, stdout=asyncio.subprocess.PIPE
            )
            out, _ = await child.communicate()
            if child.returncode != 0:
                raise RuntimeError(f"{case}: the child process failed ({child.returncode})")
            figures[case] = json.loads(out.decode().strip().splitlines()[-1])
        print(
            f"all attendance of the large demo: {figures['idle']['rows']:,} marks; "
            f"baseline p50 {baseline.p50:.3f} ms"
        )
        print(
            f"{'case':<18} {'peak RSS MB':>12} {'over start MB':>14} {'file MB':>8} {'seconds':>8} "
            f"{'x baseline':>11}"
        )
        for case, f in figures.items():
            print(
                f"{case:<18} {f['peak_mb']:>12.1f} {f['peak_mb'] - f['start_mb']:>14.1f} "
                f"{f['bytes'] / 1e6:>8.1f} {f['seconds']:>8.2f} {f['seconds'] * 1000 / baseline.p50:>10.0f}x"
            )
    finally:
        server.stop()
