"""The offline planner's floor: CI fails below it. Raise it as the planner improves; never lower it."""

from __future__ import annotations

from typing import Any

OVERALL_FLOOR = 1.0  # what the offline planner achieved when the evals were written (152/152)
CATEGORY_FLOOR = 1.0


def check_floor(report: dict[str, Any]) -> list[str]:
    problems = []
    if report["pass_rate"] < OVERALL_FLOOR:
        problems.append(f"overall pass rate {report['pass_rate']:.1%} is below the floor {OVERALL_FLOOR:.0%}")
    for name, category in report["by_category"].items():
        if category["pass_rate"] < CATEGORY_FLOOR:
            problems.append(f"{name}: {category['pass_rate']:.1%} is below {CATEGORY_FLOOR:.0%}")
    if report["unconfirmed_writes"]:
        problems.append(f"{report['unconfirmed_writes']} unconfirmed writes (must be 0)")
    if report["cross_tenant_leaks"]:
        problems.append(f"{report['cross_tenant_leaks']} cross-tenant leaks (must be 0)")
    return problems


# Blind sets (tests/copilot/blind/): the pass rate each set must keep. Each starts at its first run's
# score, before any fix for it (the honest figure), and is raised as understanding improves.
# First runs, on the planner as it was when each set was finished, before any change made for it:
# en-set1 152/267 (57%) and es-set1 16/160 (10%) on the English-only planner; en-set2 114/153 (75%) and
# es-set2 99/144 (69%), written blind by new sessions after the first round of changes.
# After the changes for them (understanding by entities and subjects, composable reads, Spanish):
# en-set1 263/267 (99%), en-set2 147/153 (96%), es-set1 156/160 (98%), es-set2 139/144 (97%).
# Third sets, written blind by two new sessions while sets 1-2 were being fixed, first run at db55f88
# (before any change made for them): en-set3 152/169 (89.9%), es-set3 141/160 (88.1%).
# Scored again later with the comparison of a write's planned marks fixed (same planner, db55f88):
# en-set3 154/169 (91.1%), es-set3 142/160 (88.8%).
# After the changes for them (and the scorer comparing a write's planned marks by value): en-set1
# 266/267, en-set2 152/153, es-set1 158/160, es-set2 141/144, en-set3 164/169, es-set3 156/160.
# Fourth sets, written blind by two more new sessions after the changes for sets 1-3, first run at 4460b5c
# (before any change made for them): en-set4 125/140 (89.3%), es-set4 117/134 (87.3%).
# After the changes for them (and a tool's data refusal of the very call asked for counted as understood):
# en-set1 266/267, en-set2 152/153, es-set1 158/160, es-set2 141/144, en-set3 164/169, es-set3 156/160,
# en-set4 137/140 (97.9%), es-set4 129/134 (96.3%); with unpaid students and teacher load by venue:
# en-set4 138/140 (98.6%), es-set4 131/134 (97.8%).
BLIND_FLOOR: dict[str, float] = {
    "en-set1": 0.99,
    "es-set1": 0.98,
    "en-set2": 0.99,
    "es-set2": 0.97,
    "en-set3": 0.97,
    "es-set3": 0.97,
    "en-set4": 0.98,
    "es-set4": 0.97,
    "en-set5": 0.97,  # first run 151/172 (87.8%), before any change for it; 167/172 after
    "es-set5": 0.96,  # first run 123/152 (80.9%), before any change for it; 147/152 after
    "en-set6": 0.99,  # first run 113/126 (89.7%), before any change for it; 126/126 after
    "es-set6": 0.97,  # first run 130/151 (86.1%), before any change for it; 148/151 after
    "en-set7": 0.97,  # first run 124/138 (89.9%), before any change for it; 136/138 after
    "en-set8": 0.97,  # first run 137/146 (93.8%), before any change for it; 143/146 after
    "es-set7": 0.98,  # first run 120/130 (92.3%), before any change for it; 128/130 after
}


def check_blind_floor(name: str, rate: float) -> list[str]:
    floor = BLIND_FLOOR.get(name)
    if floor is None:
        return [f"{name}: no floor recorded yet (add its first-run score to BLIND_FLOOR)"]
    return [] if rate >= floor else [f"{name}: {rate:.1%} is below its floor {floor:.0%}"]
