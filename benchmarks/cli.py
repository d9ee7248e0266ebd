"""CLI start-up: `cadence ask` one shot, process start to exit, with the embedded server already running.

Every case is a fresh process (what a person typing the command waits for), run interleaved with the
others so the machine's noise hits them alike. Reported: wall time p50/p95 and the CPU time the
process used (user + system, steadier than wall time on a shared machine), with ratios to the bare
interpreter start and, given ``--baseline REV``, to the same commands at that revision (exported with
``git archive`` and run from its own tree, against the same server and data).

    python -m benchmarks.cli [--rounds N] [--baseline REV] [--revision REV]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from channels.embedded import EmbeddedPostgres

REPOSITORY = Path(__file__).resolve().parent.parent
QUESTION = "who hasn't paid this month?"
ASKER = ("--org", "demo-school", "--user", "admin@demo-school.example", "--planner", "offline")
# The console script's own body, run with the tree under test first on sys.path.
CADENCE = "import sys; from channels.cli.main import app; sys.exit(app(prog_name='cadence'))"


@dataclass
class Samples:
    name: str
    wall_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)

    @property
    def wall_p50(self) -> float:
        return statistics.median(self.wall_ms)

    @property
    def wall_p95(self) -> float:
        ordered = sorted(self.wall_ms)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    @property
    def cpu_p50(self) -> float:
        return statistics.median(self.cpu_ms)


@dataclass(frozen=True)
class Case:
    name: str
    argv: Sequence[str]
    tree: Path


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(case: Case, env: dict[str, str], into: Samples) -> None:
    cpu_before = _children_cpu_seconds()
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our interpreter and our own arguments
        [sys.executable, *case.argv], cwd=case.tree, env=env, capture_output=True, text=True, check=False
    )
    into.wall_ms.append((time.perf_counter() - started) * 1000)
    into.cpu_ms.append((_children_cpu_seconds() - cpu_before) * 1000)
    if done.returncode != 0:
        raise RuntimeError(f"{case.name} exited {done.returncode}: {done.stderr[-2000:]}")


def cases_for(tree: Path, label: str) -> list[Case]:
    return [
        Case(f"import channels.cli.main{label}", ["-c", "import channels.cli.main"], tree),
        Case(f"cadence --help{label}", ["-c", CADENCE, "--help"], tree),
        Case(f"cadence ask (offline, a read){label}", ["-c", CADENCE, "ask", QUESTION, *ASKER], tree),
    ]


def measure(cases: list[Case], env: dict[str, str], *, rounds: int, warmup: int = 1) -> list[Samples]:
    """Each case once per round, in turn, so that a busy moment of the machine hits them alike."""
    for _ in range(warmup):
        for case in cases:
            _run(case, env, Samples(case.name))
    samples = {case.name: Samples(case.name) for case in cases}
    for _ in range(rounds):
        for case in cases:
            _run(case, env, samples[case.name])
    return list(samples.values())


def report(results: list[Samples], *, base: str, versus: dict[str, str]) -> str:
    """One line per case; ``versus`` pairs a case with the one it replaces (the baseline revision's)."""
    by_name = {s.name: s for s in results}
    lines = [
        f"{'case':<44} {'wall p50':>9} {'wall p95':>9} {'cpu p50':>8} {'÷ python':>9} {'÷ before':>9}",
    ]
    for s in results:
        before = by_name.get(versus.get(s.name, ""))
        against = f"{s.wall_p50 / before.wall_p50:>8.2f}x" if before else f"{'':>9}"
        lines.append(
            f"{s.name:<44} {s.wall_p50:>7.0f}ms {s.wall_p95:>7.0f}ms {s.cpu_p50:>6.0f}ms "
            f"{s.wall_p50 / by_name[base].wall_p50:>8.2f}x {against}"
        )
    return "\n".join(lines)


def export_revision(revision: str, into: Path) -> Path:
    """The tree at ``revision`` (tracked files only), to run the same commands as they were then."""
    into.mkdir(parents=True)
    archive = into / "tree.tar"
    subprocess.run(  # noqa: S603 - git with our own arguments
        ["git", "archive", "--format=tar", f"--output={archive}", revision],  # noqa: S607
        cwd=REPOSITORY,
        check=True,
    )
    tree = into / "tree"
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    return tree


def prepare(env: dict[str, str]) -> None:
    """Migrate and seed the small demo unless present (`demo seed` skips organizations that exist)."""
    for argv in (["db", "migrate"], ["demo", "seed"]):
        subprocess.run(  # noqa: S603 - our interpreter and our own arguments
            [sys.executable, "-c", CADENCE, *argv], cwd=REPOSITORY, env=env, check=True, capture_output=True
        )


def run(data_dir: Path, *, rounds: int, baseline: str | None, revision: str | None = None) -> str:
    env = {**os.environ, "CADENCE_DATA_DIR": str(data_dir)}
    for configured in ("CADENCE_DATABASE_URL", "CADENCE_DATABASE_OWNER_URL", "CADENCE_LLM_BASE_URL"):
        env.pop(configured, None)  # the embedded server held below and the offline planner
    server = EmbeddedPostgres(data_dir)
    server.start()  # held for the whole run: each command finds the server running, as asked
    try:
        prepare(env)
        versus: dict[str, str] = {}
        with tempfile.TemporaryDirectory(prefix="cadence-bench-cli-") as scratch:
            bare = Case("python -c pass", ["-c", "pass"], REPOSITORY)
            if revision:
                cases = [
                    bare,
                    *cases_for(export_revision(revision, Path(scratch) / "after"), f" @{revision}"),
                ]
            else:
                cases = [bare, *cases_for(REPOSITORY, "")]
            if baseline:
                before = cases_for(export_revision(baseline, Path(scratch) / "before"), f" @{baseline}")
                versus = {now.name: then.name for now, then in zip(cases[1:], before, strict=True)}
                cases += before
            results = measure(cases, env, rounds=rounds)
        return report(results, base=bare.name, versus=versus)
    finally:
        server.stop()


async def main(data_dir: Path) -> None:
    """The suites' signature (``benchmarks/__main__.py``): the working tree, 5 rounds, no baseline."""
    print(await asyncio.to_thread(run, data_dir, rounds=5, baseline=None))


def cli() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=7, help="runs of each command (default 7)")
    parser.add_argument("--baseline", help="a git revision to compare with, e.g. the commit before a change")
    parser.add_argument("--revision", help="measure this git revision instead of the working tree")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ.get("CADENCE_DATA_DIR", ".cadence")),
        help="the embedded server's data (CADENCE_DATA_DIR)",
    )
    arguments = parser.parse_args()
    print(
        run(
            arguments.data_dir.absolute(),
            rounds=arguments.rounds,
            baseline=arguments.baseline,
            revision=arguments.revision,
        )
    )


if __name__ == "__main__":
    cli()
