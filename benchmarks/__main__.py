"""`make bench`: run every benchmark and print its figures."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from benchmarks import copilot, core_domain, money, schedule, telegram, tenant_overhead

SUITES = {
    "tenant": tenant_overhead.main,
    "core": core_domain.main,
    "money": money.main,
    "copilot": copilot.main,
    "schedule": schedule.main,
    "telegram": telegram.main,
}


def main() -> None:
    """`python -m benchmarks [SUITE ...]`: every suite by default."""
    chosen = sys.argv[1:] or list(SUITES)
    unknown = [name for name in chosen if name not in SUITES]
    if unknown:
        raise SystemExit(f"unknown suite(s) {unknown}; choose from {', '.join(SUITES)}")
    for name in chosen:
        print(f"== {name} ==")
        asyncio.run(SUITES[name](Path(".cadence").absolute()))


if __name__ == "__main__":
    main()
