"""Eval cases as data (``evals/cases/*.yaml``): templates expanded over the demo's own names.

A case has phrasings (a string, or a list of turns for a conversation); every phrasing must pass
for the case to pass. ``for_each`` names a source below and a limit; ``{placeholders}`` in the
case are filled from each item.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.ext.asyncio import AsyncSession

from evals import truth
from evals.truth import rows

CASES_DIR = Path(__file__).resolve().parent / "cases"
CATEGORIES = ("read", "write", "multiturn", "refusal", "adversarial")


@dataclass(frozen=True)
class Case:
    id: str
    category: str
    user: str
    phrasings: list[list[str]]  # each: the turns of one conversation
    org: str = "demo-school"
    tool: dict[str, Any] | None = None  # expected call of the last turn (BFCL-style accuracy)
    facts: dict[str, Any] | None = None  # a truth query and its parameters
    outcome: list[str] = field(default_factory=list)  # allowed outcomes of the last turn
    confirm: bool = False  # say "yes" after the last turn, then judge the state
    state: dict[str, Any] | None = None
    forbid: list[str] = field(default_factory=list)  # text that must not appear in any answer


async def _source(session: AsyncSession, org: uuid.UUID, name: str, today: date) -> list[dict[str, Any]]:
    kind, _, arg = name.partition(":")
    if kind == "groups":
        return [{"group": g} for g in await truth.active_groups(session, org)]
    if kind == "students":
        return [{"student": s} for s in await truth.unique_students(session, org, today=today)]
    if kind == "teachers":
        return [{"teacher": t} for t in await truth.teachers(session, org)]
    if kind == "class_on":  # a group with one class that day, and one of its members then
        day = date.fromisoformat(arg)
        found = await rows(
            session,
            """
            SELECT g.name, min(s.full_name) FROM class_sessions cs JOIN groups g ON g.id = cs.group_id
            JOIN student_groups m ON m.group_id = g.id AND m.start_date <= cs.date
                 AND (m.end_date IS NULL OR m.end_date >= cs.date)
            JOIN students s ON s.id = m.student_id
            WHERE cs.organization_id = :org AND cs.date = :day AND cs.status <> 'cancelled'
              AND (SELECT count(*) FROM students o WHERE o.organization_id = :org AND o.full_name = s.full_name) = 1
            GROUP BY g.name HAVING count(DISTINCT cs.id) = 1 ORDER BY g.name
            """,
            org=org,
            day=day,
        )
        return [{"group": g, "student": s, "date": day.isoformat()} for g, s in found]
    if kind == "scheduled_after":  # the next scheduled class of each group after that day
        day = date.fromisoformat(arg)
        found = await rows(
            session,
            """
            SELECT DISTINCT ON (g.name) g.name, cs.date FROM class_sessions cs JOIN groups g ON g.id = cs.group_id
            WHERE cs.organization_id = :org AND cs.date > :day AND cs.status = 'scheduled'
              AND (SELECT count(*) FROM class_sessions o WHERE o.group_id = g.id AND o.date = cs.date) = 1
            ORDER BY g.name, cs.date
            """,
            org=org,
            day=day,
        )
        return [{"group": g, "date": d.isoformat()} for g, d in found]
    if kind == "coverable":  # the next scheduled class of each group, and another teacher to cover it
        found = await rows(
            session,
            """
            SELECT DISTINCT ON (g.name) g.name, cs.date,
                   (SELECT o.full_name FROM teachers o WHERE o.organization_id = :org AND o.archived_at IS NULL
                      AND o.id <> cs.teacher_id ORDER BY o.full_name LIMIT 1)
            FROM class_sessions cs JOIN groups g ON g.id = cs.group_id
            WHERE cs.organization_id = :org AND cs.date > :day AND cs.status = 'scheduled'
              AND (SELECT count(*) FROM class_sessions o WHERE o.group_id = g.id AND o.date = cs.date) = 1
            ORDER BY g.name, cs.date
            """,
            org=org,
            day=date.fromisoformat(arg),
        )
        return [{"group": g, "date": d.isoformat(), "teacher": t} for g, d, t in found]
    if kind == "venue_days":  # for each venue, the next day after ``arg`` with a scheduled class there
        found = await rows(
            session,
            """
            SELECT DISTINCT ON (v.name) v.name, cs.date FROM class_sessions cs JOIN venues v ON v.id = cs.venue_id
            WHERE cs.organization_id = :org AND cs.date > :day AND cs.status = 'scheduled'
            ORDER BY v.name, cs.date
            """,
            org=org,
            day=date.fromisoformat(arg),
        )
        return [{"venue": v, "date": d.isoformat()} for v, d in found]
    if kind == "one_slot_groups":  # active groups meeting once a week, and their next weekday after ``arg``
        found = await rows(
            session,
            """
            SELECT g.name, min(sl.weekday) FROM groups g JOIN group_slots sl ON sl.group_id = g.id
            WHERE g.organization_id = :org AND g.status = 'active' AND sl.valid_until IS NULL
            GROUP BY g.name HAVING count(*) = 1 ORDER BY g.name
            """,
            org=org,
        )
        start = date.fromisoformat(arg)
        return [
            {"group": g, "date": (start + timedelta(days=(w - start.weekday()) % 7 or 7)).isoformat()}
            for g, w in found
        ]
    if kind == "movable":  # a student in one active group, and another active group
        found = await rows(
            session,
            """
            SELECT s.full_name, g.name, (SELECT o.name FROM groups o WHERE o.organization_id = :org
                   AND o.status = 'active' AND o.id <> g.id ORDER BY o.name LIMIT 1)
            FROM students s JOIN student_groups m ON m.student_id = s.id AND m.end_date IS NULL
            JOIN groups g ON g.id = m.group_id AND g.status = 'active'
            WHERE s.organization_id = :org AND m.start_date < :today
              AND array_length(string_to_array(s.full_name, ' '), 1) <= 3
              AND (SELECT count(*) FROM student_groups x WHERE x.student_id = s.id AND x.end_date IS NULL) = 1
              AND (SELECT count(*) FROM students o WHERE o.organization_id = :org
                   AND split_part(o.full_name, ' ', 1) = split_part(s.full_name, ' ', 1)) = 1
            ORDER BY s.full_name
            """,
            org=org,
            today=today,
        )
        return [{"student": s, "from_group": f, "group": t} for s, f, t in found]
    if kind == "list":
        return [{"item": item} for item in arg.split("|")]
    raise ValueError(f"unknown source {name!r}")


def _fill(value: Any, item: dict[str, Any]) -> Any:
    if isinstance(value, str):
        return re.sub(r"\{(\w+)\}", lambda m: str(item.get(m.group(1), m.group(0))), value)
    if isinstance(value, list):
        return [_fill(v, item) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, item) for k, v in value.items()}
    return value


def _case(raw: dict[str, Any], item: dict[str, Any], suffix: str) -> Case:
    filled = _fill(raw, item)
    phrasings = [p if isinstance(p, list) else [p] for p in filled["phrasings"]]
    return Case(
        id=f"{filled['id']}{suffix}",
        category=filled["category"],
        user=filled.get("user", "admin@demo-school.example"),
        org=filled.get("org", "demo-school"),
        phrasings=phrasings,
        tool=filled.get("tool"),
        facts=filled.get("facts"),
        outcome=list(filled.get("outcome", [])),
        confirm=bool(filled.get("confirm", False)),
        state=filled.get("state"),
        forbid=list(filled.get("forbid", [])),
    )


async def load(session: AsyncSession, *, today: date, only: str | None = None) -> list[Case]:
    org = await truth.org_id(session, "demo-school")
    base = {"today": today.isoformat(), "yesterday": (today - timedelta(days=1)).isoformat()}
    cases: list[Case] = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8")):
            if only and raw["category"] != only:
                continue
            if "for_each" not in raw:
                cases.append(_case(raw, base, ""))
                continue
            items = await _source(session, org, raw["for_each"], today)
            skip = int(raw.get("skip", 0))
            chosen = items[skip : skip + int(raw.get("limit", 10))]
            if not chosen:  # a case that never runs would count as passed: refuse it instead
                raise ValueError(
                    f"{raw['id']}: {raw['for_each']} gives {len(items)} items, none after skip {skip}"
                )
            for i, item in enumerate(chosen):
                cases.append(_case(raw, {**base, **item}, f"-{i + 1}"))
    return cases
