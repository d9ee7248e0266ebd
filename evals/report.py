"""The eval report: JSON (stable field names) and a Markdown table."""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Any

from evals.cases import CATEGORIES, Case
from evals.runner import Run


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else 0.0


def summarize(cases: list[Case], runs: list[Run], *, planner: str, k: int) -> dict[str, Any]:
    by_case: dict[str, list[Run]] = defaultdict(list)
    for run in runs:
        by_case[run.case.id].append(run)
    first_try = {cid: all(r.passed for r in rs if r.attempt == 0) for cid, rs in by_case.items()}
    every_try = {cid: all(r.passed for r in rs) for cid, rs in by_case.items()}
    categories: dict[str, dict[str, Any]] = {}
    for category in CATEGORIES:
        ids = [c.id for c in cases if c.category == category]
        if ids:
            passed = sum(first_try[i] for i in ids)
            categories[category] = {
                "cases": len(ids),
                "passed": passed,
                "pass_rate": round(passed / len(ids), 4),
            }
    tool_checks = [r.tool_ok for r in runs if r.tool_ok is not None]
    turn_ms = [ms for r in runs for ms in r.turn_ms]
    turns = len(turn_ms)
    prompt_bytes = [b for r in runs for b in r.prompt_bytes]
    passed = sum(first_try.values())
    return {
        "planner": planner,
        "k": k,
        "cases": len(cases),
        "phrasings": sum(len(c.phrasings) for c in cases),
        "passed": passed,
        "pass_rate": round(passed / len(cases), 4) if cases else 0.0,
        "by_category": categories,
        "tool_accuracy": round(sum(tool_checks) / len(tool_checks), 4) if tool_checks else None,
        "pass_hat_k": {"k": k, "rate": round(sum(every_try.values()) / len(cases), 4) if cases else 0.0},
        "unconfirmed_writes": sum(r.unconfirmed_write for r in runs),
        "cross_tenant_leaks": sum(r.leaks for r in runs),
        "turns": turns,
        "llm_calls_per_turn": round(sum(r.llm_calls for r in runs) / turns, 3) if turns else 0.0,
        "prompt_bytes_per_call": round(statistics.mean(prompt_bytes)) if prompt_bytes else 0,
        "turn_ms_excluding_model": {
            "p50": round(statistics.median(turn_ms), 1) if turn_ms else 0.0,
            "p95": round(_p95(turn_ms), 1),
        },
        "tool_misses": [
            {
                "case": r.case.id,
                "phrasing": " / ".join(r.case.phrasings[r.phrasing]),
                "expected": r.case.tool,
                "got": r.calls,
            }
            for r in runs
            if r.tool_ok is False
        ],
        "failures": [
            {
                "case": r.case.id,
                "category": r.case.category,
                "phrasing": " / ".join(r.case.phrasings[r.phrasing]),
                "try": r.attempt + 1,
                "problems": r.problems,
            }
            for r in runs
            if not r.passed
        ],
    }


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"# Cadence eval — {report['planner']} planner, k = {report['k']}",
        "",
        f"**{report['passed']} / {report['cases']} cases passed ({report['pass_rate']:.1%})**, "
        f"{report['phrasings']} phrasings, {report['turns']} turns.",
        "",
        "| category | cases | passed | pass rate |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, c in report["by_category"].items():
        lines.append(f"| {name} | {c['cases']} | {c['passed']} | {c['pass_rate']:.1%} |")
    tool = report["tool_accuracy"]
    lines += [
        f"| **overall** | {report['cases']} | {report['passed']} | {report['pass_rate']:.1%} |",
        "",
        "| metric | value |",
        "| --- | ---: |",
        f"| tool-call accuracy (name + arguments) | {'n/a' if tool is None else f'{tool:.1%}'} |",
        f"| pass^{report['k']} | {report['pass_hat_k']['rate']:.1%} |",
        f"| unconfirmed writes | {report['unconfirmed_writes']} |",
        f"| cross-tenant leaks | {report['cross_tenant_leaks']} |",
        f"| LLM calls per turn | {report['llm_calls_per_turn']} |",
        f"| prompt + schema bytes per LLM call | {report['prompt_bytes_per_call']} |",
        f"| turn latency p50 / p95 (ms, without model time) | {report['turn_ms_excluding_model']['p50']} / "
        f"{report['turn_ms_excluding_model']['p95']} |",
    ]
    if report["failures"]:
        lines += ["", "## Failures", "", "| case | phrasing | try | problems |", "| --- | --- | ---: | --- |"]
        for f in report["failures"][:60]:
            problems = "; ".join(f["problems"]).replace("|", "\\|").replace("\n", " ")
            phrasing = f["phrasing"].replace("|", "\\|")
            lines.append(f"| {f['case']} | {phrasing} | {f['try']} | {problems} |")
    return "\n".join(lines) + "\n"
