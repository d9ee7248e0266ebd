"""The ``drivers`` world: leavers leave for causes the planned rows show, and the ``fade`` world is unchanged.

Mechanism tests pool the small school over a few seeds (each plan takes well under a second) so
that rates are measured on hundreds of students, not a handful.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from domain.attendance.models import AttendanceStatus
from domain.demo.seed import plan_demo
from domain.demo.simulator import PROFILES, OrgPlan, Simulation
from domain.demo.world import Leaving, recital_day

TODAY = date(2026, 11, 26)
CAME = {AttendanceStatus.PRESENT, AttendanceStatus.LATE}
SEEDS = tuple(range(1, 13))
# Computed from the simulator as it was before the drivers world existed (git ad93ae5).
FADE_DIGESTS = {
    7: "93ca8bdd24097066fd38ed5dcb360074e54436cf50aa9f81a5082ec0e5b762ec",
    3: "d1dda305fbea668072f31c200f4e111a22d8c7312bb98a9ebbcdc75f2a0dcce6",
}


def plan_digest(plans: list[OrgPlan]) -> str:
    """Every organization's settings and every table's rows, in planned order, keys included."""
    digest = hashlib.sha256()
    for plan in plans:
        emails = sorted((str(k), v) for k, v in plan.teacher_emails.items())
        digest.update(repr((plan.slug, plan.name, plan.type, plan.admin, plan.members, emails)).encode())
        for table, rows in plan.rows.items():
            digest.update(f"\n#{table}:{len(rows)}\n".encode())
            for row in rows:
                digest.update(repr(sorted(row.items())).encode())
                digest.update(b"\n")
    return digest.hexdigest()


@pytest.mark.parametrize("seed", sorted(FADE_DIGESTS))
def test_the_fade_world_plans_exactly_the_rows_it_always_did(seed: int) -> None:
    assert plan_digest(plan_demo(size="small", seed=seed, today=TODAY)) == FADE_DIGESTS[seed]
    assert plan_digest(plan_demo(size="small", seed=seed, today=TODAY, leaving="fade")) == FADE_DIGESTS[seed]


def test_the_drivers_world_is_deterministic_and_its_own() -> None:
    first = plan_digest(plan_demo(size="small", seed=7, today=TODAY, leaving=Leaving.DRIVERS))
    again = plan_digest(plan_demo(size="small", seed=7, today=TODAY, leaving="drivers"))
    other_seed = plan_digest(plan_demo(size="small", seed=8, today=TODAY, leaving="drivers"))
    assert first == again
    assert first not in {other_seed, FADE_DIGESTS[7]}


def test_an_unknown_world_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown leaving"):
        plan_demo(size="small", seed=7, today=TODAY, leaving="vanish")


# -- the pooled drivers world -----------------------------------------------------------------------


@dataclass
class Pupil:
    world: int  # which seed's school
    id: uuid.UUID
    founding: bool  # already there when the history starts: their tenure before it is unseen
    first: date
    leaves: date | None
    reason: str
    warns: bool
    late_payer: bool
    propensity: float
    groups: set[uuid.UUID]
    marks: list[tuple[date, bool]]
    charges: list[tuple[date, date, date | None]]  # month, due date, paid on (None: unpaid)


@dataclass
class World:
    pupils: list[Pupil]
    plans: list[OrgPlan]

    @property
    def leavers(self) -> list[Pupil]:
        return [p for p in self.pupils if p.leaves]


def _pupils(index: int, plan: OrgPlan) -> Iterator[Pupil]:
    rows = plan.rows
    day_of = {s["id"]: s["date"] for s in rows["class_sessions"]}
    marks: dict[uuid.UUID, list[tuple[date, bool]]] = defaultdict(list)
    for r in rows["attendance_records"]:
        marks[r["student_id"]].append((day_of[r["class_session_id"]], r["status"] in CAME))
    paid_on = {}
    received = {p["id"]: p["received_on"] for p in rows["payments"]}
    for a in rows["payment_allocations"]:
        paid_on[a["charge_id"]] = received[a["payment_id"]]
    charges: dict[uuid.UUID, list[tuple[date, date, date | None]]] = defaultdict(list)
    for c in rows["charges"]:
        charges[c["student_id"]].append((c["period_month"], c["due_date"], paid_on.get(c["id"])))
    starts: dict[uuid.UUID, list[date]] = defaultdict(list)
    groups: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for m in rows["student_groups"]:
        starts[m["student_id"]].append(m["start_date"])
        groups[m["student_id"]].add(m["group_id"])
    history_starts = min(t["joined_on"] for t in rows["simulated_traits"])
    for t in rows["simulated_traits"]:
        sid = t["student_id"]
        if not starts[sid]:
            continue  # private lessons only
        yield Pupil(
            index,
            sid,
            t["joined_on"] == history_starts,
            min(starts[sid]),
            t["dropout_on"],
            t["_reason"],
            t["_warns"],
            t["late_payer"],
            t["attendance_propensity"],
            groups[sid],
            sorted(marks[sid]),
            charges[sid],
        )


@pytest.fixture(scope="module")
def world() -> World:
    plans = [Simulation(seed, TODAY, leaving="drivers").school(PROFILES["small"]) for seed in SEEDS]
    return World([p for i, plan in enumerate(plans) for p in _pupils(i, plan)], plans)


def rate(marks: list[tuple[date, bool]]) -> float:
    return sum(came for _, came in marks) / len(marks)


def test_leavers_are_a_plausible_share_and_a_third_give_no_warning(world: World) -> None:
    years = sum(((p.leaves or TODAY) - p.first).days for p in world.pupils) / 365.25
    assert 0.12 < len(world.leavers) / years < 0.30  # leavers a year, per active student
    silent = [p for p in world.leavers if not p.warns]
    assert 0.25 <= len(silent) / len(world.leavers) <= 0.45
    assert {p.reason for p in silent} >= {"exogenous", "driven"}  # not only the exogenous ones


def test_new_students_leave_far_more_often_than_established_ones(world: World) -> None:
    """Leavers per student-month at risk, by observed tenure, among students who joined in the history."""
    at_risk: dict[bool, float] = defaultdict(float)
    left: dict[bool, int] = defaultdict(int)
    for p in world.pupils:
        if p.founding:
            continue
        end = p.leaves or TODAY
        early_until = min(end, p.first + timedelta(days=91))
        at_risk[True] += (early_until - p.first).days
        at_risk[False] += max(0, (end - (p.first + timedelta(days=182))).days)
        if p.leaves and p.leaves < p.first + timedelta(days=91):
            left[True] += 1
        elif p.leaves and p.leaves >= p.first + timedelta(days=182):
            left[False] += 1
    early, late = left[True] / at_risk[True], left[False] / at_risk[False]
    assert early > 1.8 * late, (early, late)


def _break_weeks(day: date) -> bool:
    return (
        (day.month == 6 and day >= recital_day(day.year))
        or (day.month == 9 and day.day <= 21)
        or (day.month == 1 and day.day >= 8)
    )


def _midterm_weeks(day: date) -> bool:
    return day.month in (2, 3, 4, 5, 10, 11)


def test_leaving_clusters_at_the_seasons_break_points(world: World) -> None:
    last = TODAY - timedelta(days=7)
    history = [min(p.first for p in world.pupils) + timedelta(days=d) for d in range(400)]
    days = [d for d in history if d <= last]
    in_breaks = [p for p in world.leavers if p.leaves and _break_weeks(p.leaves)]
    in_midterm = [p for p in world.leavers if p.leaves and _midterm_weeks(p.leaves)]
    per_break_day = len(in_breaks) / sum(map(_break_weeks, days))
    per_midterm_day = len(in_midterm) / sum(map(_midterm_weeks, days))
    assert per_break_day > 2.5 * per_midterm_day, (per_break_day, per_midterm_day)


def test_gradual_leavers_fade_in_their_last_weeks_and_sudden_ones_do_not(world: World) -> None:
    def drop(p: Pupil) -> tuple[list[tuple[date, bool]], list[tuple[date, bool]]]:
        assert p.leaves
        last = [m for m in p.marks if p.leaves - timedelta(weeks=3) <= m[0] <= p.leaves]
        usual = [m for m in p.marks if m[0] < p.leaves - timedelta(weeks=18)]
        return usual, last

    fading = [drop(p) for p in world.leavers if p.warns and p.reason == "driven"]
    sudden = [drop(p) for p in world.leavers if not p.warns]
    fading_usual = rate([m for usual, _ in fading for m in usual])
    fading_last = rate([m for _, last in fading for m in last])
    sudden_usual = rate([m for usual, _ in sudden for m in usual])
    sudden_last = rate([m for _, last in sudden for m in last])
    assert fading_last < fading_usual - 0.25, (fading_usual, fading_last)
    assert sudden_last > sudden_usual - 0.12, (sudden_usual, sudden_last)
    assert not [m for p in world.leavers for m in p.marks if p.leaves and m[0] > p.leaves]


def test_leavers_pay_late_or_not_at_all_more_than_stayers(world: World) -> None:
    def trouble(charges: list[tuple[date, date, date | None]]) -> float:
        bad = [1 for _, due, paid in charges if paid is None or paid > due + timedelta(days=7)]
        return len(bad) / len(charges)

    this_month = TODAY.replace(day=1)
    leavers_last_months = [
        c
        for p in world.leavers
        if p.leaves
        for c in p.charges
        if c[0] >= p.leaves.replace(day=1) - timedelta(days=62)
    ]
    stayers = [
        c for p in world.pupils if not p.leaves for c in p.charges if c[0] < this_month - timedelta(days=62)
    ]
    assert trouble(leavers_last_months) > 2 * trouble(stayers), (
        trouble(leavers_last_months),
        trouble(stayers),
    )
    # Silent leavers who are not habitual late payers leave no debt behind (this month is open for anyone).
    silent = [p for p in world.leavers if not p.warns and not p.late_payer]
    assert silent and not [c for p in silent for c in p.charges if c[2] is None and c[0] < this_month]
    # And an unpaid month is no proof: stayers have them too.
    assert [c for p in world.pupils if not p.leaves for c in p.charges if c[2] is None and c[0] < this_month]


def test_late_payers_and_students_who_always_came_less_leave_more(world: World) -> None:
    def share(pupils: list[Pupil]) -> float:
        return sum(bool(p.leaves) for p in pupils) / len(pupils)

    late = [p for p in world.pupils if p.late_payer]
    assert share(late) > share([p for p in world.pupils if not p.late_payer])
    low = [p for p in world.pupils if p.propensity < 0.7]
    high = [p for p in world.pupils if p.propensity > 0.85]
    assert share(low) > 1.3 * share(high), (share(low), share(high))


def _teacher_changes(plan: OrgPlan) -> dict[uuid.UUID, date]:
    """Groups whose regular (not substitute) teacher is someone else from some day on, and that day."""
    by_group: dict[uuid.UUID, list[tuple[date, uuid.UUID]]] = defaultdict(list)
    for s in plan.rows["class_sessions"]:
        if s["substitute_for_teacher_id"] is None:
            by_group[s["group_id"]].append((s["date"], s["teacher_id"]))
    changes = {}
    for group_id, taught in by_group.items():
        taught.sort()
        switches = [day for (_, a), (day, b) in itertools.pairwise(taught) if a != b]
        if switches:
            changes[group_id] = switches[0]
    return changes


def test_a_group_whose_teacher_changed_loses_more_students_in_the_weeks_after(world: World) -> None:
    """Leaving rates in the sixteen weeks after the change, against the rest of that school then."""
    changed, control = [0, 0], [0, 0]  # leavers, student-days at risk
    for index, plan in enumerate(world.plans):
        changes = _teacher_changes(plan)
        assert changes
        for group_id, day in changes.items():
            window_end = min(day + timedelta(weeks=16), TODAY)
            for p in world.pupils:
                if p.world != index or (group_id not in p.groups and p.groups & changes.keys()):
                    continue
                start, end = max(p.first, day), min(p.leaves or TODAY, window_end)
                if start < end:
                    tally = changed if group_id in p.groups else control
                    tally[0] += int(bool(p.leaves and start <= p.leaves <= window_end))
                    tally[1] += (end - start).days
    assert changed[0] / changed[1] > 1.4 * control[0] / control[1], (changed, control)


def test_friends_leave_together_from_a_shared_group(world: World) -> None:
    friends = [p for p in world.leavers if p.reason == "friend"]
    assert len(friends) >= 10
    for friend in friends:
        assert friend.leaves
        assert any(
            other.id != friend.id
            and other.groups & friend.groups
            and other.leaves
            and timedelta(0) <= friend.leaves - other.leaves <= timedelta(days=21)
            for other in world.leavers
        )


def test_when_a_group_closes_its_students_with_no_other_group_leave_or_move(world: World) -> None:
    left, moved = 0, 0
    for index, plan in enumerate(world.plans):
        closed = {g["id"]: g["_stops"] for g in plan.rows["groups"] if g["status"] == "closed"}
        starts: dict[uuid.UUID, list[tuple[date, uuid.UUID]]] = defaultdict(list)
        for m in plan.rows["student_groups"]:
            starts[m["student_id"]].append((m["start_date"], m["group_id"]))
        for p in world.pupils:
            if p.world != index:
                continue
            for group_id, closes_on in closed.items():
                if group_id not in p.groups or (p.leaves and p.leaves < closes_on):
                    continue
                later = [day for day, g in starts[p.id] if g != group_id and day > closes_on]
                if p.leaves == closes_on:
                    left += 1
                elif later and 14 <= (min(later) - closes_on).days <= 21:
                    moved += 1
    assert left >= 5 and moved >= 5, (left, moved)


def test_both_organizations_live_in_the_chosen_world() -> None:
    for plan in plan_demo(size="small", seed=7, today=TODAY, leaving="drivers"):
        assert all("_reason" in t for t in plan.rows["simulated_traits"]), plan.slug
    for plan in plan_demo(size="small", seed=7, today=TODAY):
        assert not any("_reason" in t for t in plan.rows["simulated_traits"]), plan.slug


def test_the_group_factor_weighs_a_new_teacher_a_closing_group_a_late_slot_and_a_recent_move() -> None:
    """Group changes are too rare in the small school to measure, so the hazard's factor is checked itself."""
    from datetime import time

    from domain.demo import leaving
    from domain.demo.world import Membership, Student

    drivers = leaving.DriversWorld(random.Random(1), TODAY, uuid.uuid4)
    student = Student(uuid.uuid4(), date(2025, 10, 1), 0.8, None, late_payer=False)
    first = date(2025, 10, 1)
    plain: dict[str, Any] = {"id": uuid.uuid4(), "_time": time(18), "status": "active", "_stops": None}
    late = {**plain, "id": uuid.uuid4(), "_time": time(21)}
    new_teacher = {**plain, "id": uuid.uuid4(), "_teacher_changed_on": date(2026, 9, 1)}
    groups: dict[uuid.UUID, dict[str, Any]] = {g["id"]: g for g in (plain, late, new_teacher)}

    def factor(group: dict[str, Any], start: date, day: date) -> float:
        mine = [Membership(uuid.uuid4(), student, group["id"], start, None)]
        return drivers._group_factor(day, mine, groups, first)

    assert factor(plain, first, date(2026, 10, 1)) == 1.0
    assert factor(late, first, date(2026, 10, 1)) == leaving.LATE_SLOT_FACTOR
    assert factor(new_teacher, first, date(2026, 10, 1)) == leaving.TEACHER_CHANGE_FACTOR
    assert factor(new_teacher, first, date(2027, 2, 1)) == 1.0  # sixteen weeks on, the group has settled
    assert factor(plain, date(2026, 9, 15), date(2026, 10, 1)) == leaving.MOVED_FACTOR
    assert factor(plain, date(2026, 9, 15), date(2027, 1, 15)) == 1.0
