"""`make bench`: run every benchmark and print its figures."""

from __future__ import annotations

import asyncio
from pathlib import Path

from benchmarks import tenant_overhead


def main() -> None:
    asyncio.run(tenant_overhead.main(Path(".cadence").absolute()))


if __name__ == "__main__":
    main()
