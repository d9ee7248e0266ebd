"""The simulator plans deterministic, realistic history whose generating process is known."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest

from domain.attendance.models import AttendanceStatus
from domain.demo.seed import plan_demo
from domain.demo.simulator import PROFILES, OrgPlan, Simulation
from domain.demo.world import Calendar
from domain.sessions.models import SessionStatus
from domain.teachers.models import TeacherPaymentType

TODAY = date(2026, 11, 26)
CAME = {AttendanceStatus.PRESENT, AttendanceStatus.LATE}


def fingerprint(plan: OrgPlan) -> str:
    digest = hashlib.sha256()
    for table in sorted(plan.rows):
        for row in plan.rows[table]:
            digest.update(repr(sorted(row.items())).encode())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def school() -> OrgPlan:
    return Simulation(7, TODAY).school(PROFILES["small"])


def test_the_same_seed_and_day_give_the_same_organizations() -> None:
    first = [fingerprint(p) for p in plan_demo(size="small", seed=11, today=TODAY)]
    again = [fingerprint(p) for p in plan_demo(size="small", seed=11, today=TODAY)]
    other = [fingerprint(p) for p in plan_demo(size="small", seed=12, today=TODAY)]
    assert first == again
    assert first[0] != other[0]


def test_large_reaches_a_thousand_students_and_300k_marks_in_one_org() -> None:
    plan = Simulation(3, TODAY).school(PROFILES["large"])
    assert plan.count("students") >= 1000
    assert plan.count("attendance_records") >= 300_000


def test_the_school_has_the_expected_shape(school: OrgPlan) -> None:
    assert school.count("teachers") == 8 and school.count("groups") == 25 and school.count("venues") >= 3
    assert {t["payment_type"] for t in school.rows["teachers"]} == set(TeacherPaymentType)
    first, last = (
        min(s["date"] for s in school.rows["class_sessions"]),
        max(s["date"] for s in school.rows["class_sessions"]),
    )
    assert (TODAY - first).days >= 365 and last > TODAY  # a year of history and the next weeks scheduled
    per_student: dict[object, set[object]] = defaultdict(set)
    for m in school.rows["student_groups"]:
        per_student[m["student_id"]].add(m["group_id"])
    assert sum(len(g) > 1 for g in per_student.values()) > 30  # many students in several groups
    assert [e for e, _, _ in school.members][:3] == [
        "staff@demo-school.example",
        "teacher1@demo-school.example",
        "teacher2@demo-school.example",
    ]


def test_closed_days_have_no_classes_and_substitutes_and_cancellations_occur(school: OrgPlan) -> None:
    sessions = school.rows["class_sessions"]
    cal = Calendar(TODAY - timedelta(days=500), TODAY)
    assert not [s for s in sessions if cal.closed(s["date"])]
    assert not [s for s in sessions if s["date"].month == 8 or (s["date"].month, s["date"].day) == (12, 25)]
    substitutes = [s for s in sessions if s["substitute_for_teacher_id"]]
    cancelled = [s for s in sessions if s["status"] is SessionStatus.CANCELLED]
    assert 0.01 < len(substitutes) / len(sessions) < 0.06
    assert cancelled and all(s["cancel_reason"] for s in cancelled)
    assert any(
        s["status"] is SessionStatus.SCHEDULED and s["date"] < TODAY for s in sessions
    )  # unmarked ones


def _rates(plan: OrgPlan) -> tuple[dict[object, date], dict[object, list[tuple[date, bool]]]]:
    day_of = {s["id"]: s["date"] for s in plan.rows["class_sessions"]}
    marks: dict[object, list[tuple[date, bool]]] = defaultdict(list)
    for r in plan.rows["attendance_records"]:
        marks[r["student_id"]].append((day_of[r["class_session_id"]], r["status"] in CAME))
    drops = {t["student_id"]: t["dropout_on"] for t in plan.rows["simulated_traits"] if t["will_drop_out"]}
    return drops, marks


def rate(pairs: list[tuple[date, bool]]) -> float:
    return sum(came for _, came in pairs) / len(pairs)


def test_attendance_decays_before_a_dropout() -> None:
    plan = Simulation(5, TODAY).school(PROFILES["large"])
    drops, marks = _rates(plan)
    before, fading = [], []
    for student, last_day in drops.items():
        before += [p for p in marks[student] if p[0] < last_day - timedelta(weeks=10)]
        fading += [p for p in marks[student] if last_day - timedelta(weeks=3) <= p[0] <= last_day]
    assert len(drops) > 100 and len(fading) > 500
    assert rate(fading) < rate(before) - 0.2
    assert not [p for s, d in drops.items() for p in marks[s] if p[0] > d]  # nobody marked after leaving


def test_attendance_dips_in_july_and_after_the_recital(school: OrgPlan) -> None:
    _, marks = _rates(school)
    everything = [p for pairs in marks.values() for p in pairs]
    october = [p for p in everything if p[0].month == 10]
    july = [p for p in everything if p[0].month == 7]
    assert rate(july) < rate(october) - 0.1


def test_late_payers_are_the_ones_with_overdue_tuition(school: OrgPlan) -> None:
    late = {t["student_id"] for t in school.rows["simulated_traits"] if t["late_payer"]}
    paid = {a["charge_id"] for a in school.rows["payment_allocations"]}
    before_this_month = TODAY.replace(day=1)
    overdue = {
        c["student_id"]
        for c in school.rows["charges"]
        if c["id"] not in paid and c["due_date"] < before_this_month
    }
    assert late and overdue and overdue <= late
    charge_of = {a["payment_id"]: a["charge_id"] for a in school.rows["payment_allocations"]}
    month_of = {c["id"]: c["period_month"] for c in school.rows["charges"]}
    delay = {p["id"]: (p["received_on"] - month_of[charge_of[p["id"]]]).days for p in school.rows["payments"]}
    assert min(d for p, d in delay.items() if _payer(school, p) in late) >= 15
    assert max(d for p, d in delay.items() if _payer(school, p) not in late) <= 6


def test_tuition_follows_the_fee_rules(school: OrgPlan) -> None:
    charges = school.rows["charges"]
    assert charges and all(c["amount"] == c["amount"].quantize(Decimal("0.01")) > 0 for c in charges)
    assert any("extra group" in c["description"] for c in charges)  # the multi-group discount applies
    assert any("days)" in c["description"] for c in charges)  # a mid-month start is prorated
    allocated = {a["charge_id"]: a["amount"] for a in school.rows["payment_allocations"]}
    assert all(allocated[c["id"]] == c["amount"] for c in charges if c["id"] in allocated)


def _payer(plan: OrgPlan, payment_id: object) -> object:
    return next(p["student_id"] for p in plan.rows["payments"] if p["id"] == payment_id)


def test_the_independent_teacher_gives_private_lessons_in_several_studios() -> None:
    plan = Simulation(7, TODAY).independent()
    assert plan.count("venues") == 3 and plan.count("teachers") == 1
    lessons = plan.rows["private_sessions"]
    assert len(lessons) > 100 and len({p["venue_id"] for p in lessons}) == 3
    assert all(p["duration_minutes"] > 0 for p in lessons)
