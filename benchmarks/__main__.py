"""`make bench`: run every benchmark and print its figures."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from benchmarks import (
    bank_import,
    copilot,
    core_domain,
    directory,
    exports,
    load,
    money,
    reports,
    schedule,
    telegram,
    tenant_overhead,
)
from domain.settings import get_settings

SUITES = {
    "tenant": tenant_overhead.main,
    "core": core_domain.main,
    "money": money.main,
    "copilot": copilot.main,
    "directory": directory.main,
    "schedule": schedule.main,
    "telegram": telegram.main,
    "reports": reports.main,
}
# Asked for by name only (`python -m benchmarks load`): it serves the app and takes a few minutes.
ON_REQUEST = {"load": load.main, "exports": exports.main}  # exports: ~335k rows, a few minutes
ON_REQUEST["bank"] = bank_import.main  # a 50,000-line statement imported: a few minutes


def main() -> None:
    """`python -m benchmarks [SUITE ...]`: every suite by default."""
    suites = {**SUITES, **ON_REQUEST}
    chosen = sys.argv[1:] or list(SUITES)
    unknown = [name for name in chosen if name not in suites]
    if unknown:
        raise SystemExit(f"unknown suite(s) {unknown}; choose from {', '.join(suites)}")
    data_dir: Path = get_settings().data_dir.absolute()  # CADENCE_DATA_DIR, .cadence by default
    for name in chosen:
        print(f"== {name} ==")
        asyncio.run(suites[name](data_dir))


if __name__ == "__main__":
    main()
