"""Timing helpers: interleaved rounds, percentiles, ratios to a baseline measured in the same run."""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Timing:
    name: str
    samples_ms: list[float]
    # This process's CPU time per sample (user + system): the work a case does here, steadier than wall
    # time on a busy machine (it leaves out waiting, PostgreSQL's own work and other processes' turns,
    # though a crowded CPU still slows it somewhat).
    cpu_ms: list[float] = field(default_factory=list)

    @property
    def cpu_p50(self) -> float:
        return statistics.median(self.cpu_ms) if self.cpu_ms else float("nan")

    @property
    def p50(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def measure(
    cases: dict[str, Callable[[], Awaitable[object]]], *, rounds: int, warmup: int = 20
) -> list[Timing]:
    """Run the cases interleaved (one of each per round) so machine noise hits them alike."""
    for _ in range(warmup):
        for case in cases.values():
            await case()
    samples: dict[str, list[float]] = {name: [] for name in cases}
    cpu: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, case in cases.items():
            cpu_start, start = time.process_time(), time.perf_counter()
            await case()
            samples[name].append((time.perf_counter() - start) * 1000)
            cpu[name].append((time.process_time() - cpu_start) * 1000)
    return [Timing(name, values, cpu[name]) for name, values in samples.items()]


def report(timings: list[Timing], baseline: str) -> str:
    base = next(t for t in timings if t.name == baseline)
    lines = [f"{'case':<48} {'p50 ms':>8} {'p95 ms':>8} {'p50 ratio':>10} {'cpu p50 ms':>11}"]
    for t in timings:
        lines.append(f"{t.name:<48} {t.p50:>8.3f} {t.p95:>8.3f} {t.p50 / base.p50:>9.2f}x {t.cpu_p50:>11.3f}")
    return "\n".join(lines)
