"""A deterministic simulation of a dance school's and an independent teacher's history.

Everything is drawn from ``random.Random(seed)``, so one seed and one "today" always give the same
organizations, names and events. The behaviour has a known generating process, recorded per student
in ``simulated_traits`` so that tests and evals can check what the insights find:

* each student has a base attendance propensity;
* who leaves, and how, depends on the world (``Leaving``). In the ``fade`` world (the default, which
  the product demo, evals and blind sets are written against) a fifth of the students with over ten
  weeks of tenure leave on a day drawn with no cause and attend less and less over their last six
  weeks; in the ``drivers`` world leaving has realistic, partly observable causes
  (``domain.demo.leaving``);
* habitual late payers pay tuition weeks after the due date (and the last months are still open);
* attendance dips in July (summer) and in the weeks after the June recital; August and the
  Christmas break are closed, as are the country's public holidays (the ``holidays`` package);
* about 3% of classes are taught by a substitute and about 2% are cancelled with a reason;
* a few recent classes are left unmarked, as happens in real schools.

This module only plans rows (plain dicts); ``domain.demo.writer`` inserts them under RLS.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from domain.attendance.models import AttendanceStatus
from domain.demo import names
from domain.demo.leaving import DriversWorld
from domain.demo.world import Calendar, Leaving
from domain.demo.world import Membership as _Membership
from domain.demo.world import Student as _Student
from domain.groups.models import GroupStatus
from domain.payments.models import ChargeKind, PaymentMethod, PaymentState
from domain.payments.rules import Enrollment, due_date, month_shift, month_start, tuition
from domain.sessions.models import SessionStatus
from domain.students.models import StudentStatus
from domain.teachers.models import TeacherPaymentType
from domain.tenancy import Role
from domain.text import fold

Row = dict[str, Any]
PAY_MODELS = (TeacherPaymentType.PER_HEAD, TeacherPaymentType.PER_CLASS, TeacherPaymentType.FIXED_MONTHLY)
DEFAULT_FEE = Decimal("45.00")
MULTI_GROUP_DISCOUNT = Decimal(10)
DUE_DAY = 5
DECAY_WEEKS = 6


@dataclass(frozen=True)
class Profile:
    name: str
    teachers: int
    groups: int
    students: int
    venues: int
    months: int
    twice_weekly_share: float  # groups meeting twice a week
    groups_per_student: tuple[float, float, float]  # chance of 1, 2 or 3 groups
    private_students: int


PROFILES = {
    "small": Profile("small", 8, 25, 220, 3, 13, 0.2, (0.6, 0.32, 0.08), 6),
    "large": Profile("large", 24, 90, 1800, 5, 18, 0.95, (0.2, 0.5, 0.3), 30),
}


@dataclass
class OrgPlan:
    slug: str
    name: str
    type: str
    admin: tuple[str, str]  # email, name
    members: list[tuple[str, str, Role]] = field(default_factory=list)  # email, name, role
    teacher_emails: dict[uuid.UUID, str] = field(default_factory=dict)
    rows: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))

    def count(self, table: str) -> int:
        return len(self.rows.get(table, []))


class Simulation:
    """Plans both demo organizations; ``leaving`` picks how students leave (see ``Leaving``).

    The ``fade`` world draws from the generator exactly as it always has; the ``drivers`` world hands
    leaving to ``domain.demo.leaving.DriversWorld`` through the few hooks marked "drivers world".
    """

    def __init__(self, seed: int, today: date, *, leaving: Leaving | str = Leaving.FADE) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - a reproducible simulation, not secrets
        self.today = today
        self.leaving = Leaving(leaving)
        self.drivers = DriversWorld(self.rng, today, self.uid) if self.leaving is Leaving.DRIVERS else None

    def uid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def names(self, count: int) -> Iterator[str]:
        pool = [f"{f} {last}" for f in names.FIRST_NAMES for last in names.LAST_NAMES]
        self.rng.shuffle(pool)
        yield from pool[:count]

    # -- the school ------------------------------------------------------------------------------

    def school(self, profile: Profile) -> OrgPlan:
        rng, today = self.rng, self.today
        start = month_shift(today, -profile.months)
        cal = Calendar(start, today)
        plan = OrgPlan(
            slug="demo-school",
            name="Demo Dance School",
            type="school",
            admin=("admin@demo-school.example", "Demo Admin"),
        )
        plan.members.append(("staff@demo-school.example", "Demo Staff", Role.STAFF))
        venues = self._venues(plan, names.VENUES[: profile.venues])
        teachers = []
        for i, name in enumerate(self.names(profile.teachers), start=1):
            teacher = self._teacher(plan, name, PAY_MODELS[(i - 1) % 3], since=start)
            email = f"teacher{i}@demo-school.example"
            plan.members.append((email, name, Role.TEACHER))
            plan.teacher_emails[teacher["id"]] = email
            teachers.append(teacher)

        groups = self._groups(plan, profile, venues, teachers, start)
        students = self._students(plan, profile.students, start)
        memberships = self._memberships(plan, profile, students, groups)
        self._sessions(plan, cal, groups, memberships, teachers, start)
        self._payments(plan, students, memberships)
        private = rng.sample(students, k=min(profile.private_students, len(students)))
        self._private_lessons(plan, private, teachers, venues, start, cal, every_weeks=2)
        return plan

    # -- the independent teacher --------------------------------------------------------------

    def independent(self) -> OrgPlan:
        today = self.today
        start = month_shift(today, -13)
        cal = Calendar(start, today)
        plan = OrgPlan(
            slug="demo-teacher",
            name="Irene Solo Dance",
            type="independent_teacher",
            admin=("teacher@demo-teacher.example", "Irene Solo"),
        )
        studios = self._venues(plan, names.STUDIOS)
        irene = self._teacher(
            plan,
            "Irene Solo",
            TeacherPaymentType.PER_CLASS,
            since=start,
            rate=Decimal("0.00"),
            private_hourly=Decimal("0.00"),
        )
        plan.teacher_emails[irene["id"]] = plan.admin[0]
        groups = self._groups(plan, PROFILES["small"], studios, [irene], start, count=3)
        students = self._students(plan, 36, start)
        memberships = self._memberships(plan, PROFILES["small"], students[:24], groups)
        self._sessions(plan, cal, groups, memberships, [irene], start)
        self._payments(plan, students[:24], memberships)
        self._private_lessons(plan, students[24:], [irene], studios, start, cal, every_weeks=1)
        return plan

    # -- building blocks ------------------------------------------------------------------------

    def _venues(self, plan: OrgPlan, pool: tuple[tuple[str, str], ...]) -> list[Row]:
        rows = [{"id": self.uid(), "name": n, "search_name": fold(n), "address": a} for n, a in pool]
        plan.rows["venues"].extend(rows)
        return rows

    def _teacher(
        self,
        plan: OrgPlan,
        name: str,
        pay: TeacherPaymentType,
        since: date,
        rate: Decimal | None = None,
        private_hourly: Decimal = Decimal("40.00"),
    ) -> Row:
        """A teacher with a rate history: the rate from ``since``, and for some a raise months later."""
        rng = self.rng
        rates = {
            TeacherPaymentType.FIXED_MONTHLY: ("monthly_rate", Decimal(rng.choice((900, 1100, 1250, 1400)))),
            TeacherPaymentType.PER_CLASS: ("rate_per_class", Decimal(rng.choice((35, 40, 45, 50)))),
            TeacherPaymentType.PER_HEAD: (
                "rate_per_head",
                Decimal(rng.choice(("5.50", "6.00", "6.50", "7.00"))),
            ),
        }
        field_name, default_rate = rates[pay]
        row = {
            "id": self.uid(),
            "full_name": name,
            "search_name": fold(name),
            "payment_type": pay,
            "monthly_rate": None,
            "rate_per_class": None,
            "rate_per_head": None,
        }
        first_rate = (rate if rate is not None else default_rate).quantize(Decimal("0.01"))
        row[field_name] = first_rate
        plan.rows["teachers"].append(row)
        history = [(since, first_rate)]
        if rate is None and rng.random() < 0.25:  # a raise of 10% some months ago
            raised = (first_rate * Decimal("1.10")).quantize(Decimal("0.01"))
            history.append((self.today - timedelta(days=rng.randint(60, 150)), raised))
            row[field_name] = raised
        for effective_from, amount in history:
            plan.rows["teacher_rates"].append(
                {
                    "teacher_id": row["id"],
                    "payment_type": pay,
                    "rate": amount,
                    "private_hourly_rate": private_hourly,
                    "effective_from": effective_from,
                }
            )
        return row

    def _groups(
        self,
        plan: OrgPlan,
        profile: Profile,
        venues: list[Row],
        teachers: list[Row],
        start: date,
        count: int | None = None,
    ) -> list[Row]:
        rng, today = self.rng, self.today
        combos = [f"{s} {lvl}" for s in names.STYLES for lvl in names.LEVELS]
        rng.shuffle(combos)
        groups = []
        for i in range(count or profile.groups):
            weekdays = sorted(rng.sample(range(5), 2 if rng.random() < profile.twice_weekly_share else 1))
            hour = rng.choice((10, 16, 17, 18, 19, 20, 21))
            opened = start if rng.random() < 0.8 else start + timedelta(days=rng.randint(30, 200))
            status, stops = GroupStatus.ACTIVE, None
            if i % 17 == 5:  # a few groups paused recently, and one closed months ago
                status, stops = GroupStatus.PAUSED, today - timedelta(weeks=6)
            elif i % 23 == 7:
                status, stops = GroupStatus.CLOSED, today - timedelta(days=120)
            teacher = teachers[i % len(teachers)]
            group = {
                "id": self.uid(),
                "name": combos[i],
                "search_name": fold(combos[i]),
                "status": status,
                "venue_id": venues[i % len(venues)]["id"],
                "teacher_id": teacher["id"],
                "capacity": 30,
                "monthly_fee": rng.choice((None, None, Decimal("40.00"), Decimal("50.00"))),
                "_weekdays": weekdays,
                "_time": time(hour, rng.choice((0, 30))),
                "_opens": opened,
                "_stops": stops,
            }
            groups.append(group)
            plan.rows["group_slots"].extend(self._slots(group))
        plan.rows["groups"].extend(groups)
        return groups

    @staticmethod
    def slot_id(group: Row, weekday: int) -> uuid.UUID:
        return uuid.uuid5(group["id"], f"slot-{weekday}")

    def _slots(self, group: Row) -> list[Row]:
        """The weekly slots behind the group's history, so `cadence schedule generate` continues it.
        Ids derive from the group's: no draw from the generator, so the rest of the demo is unchanged."""
        opens, stops, at = group["_opens"], group["_stops"], group["_time"]
        return [
            {
                "id": self.slot_id(group, weekday),
                "group_id": group["id"],
                "weekday": weekday,
                "start_time": at,
                "end_time": time(at.hour + 1, at.minute),
                "interval_weeks": 1,
                "anchor_date": opens + timedelta(days=(weekday - opens.weekday()) % 7),
                "valid_from": opens,
                "valid_until": stops,
            }
            for weekday in group["_weekdays"]
        ]

    def _students(self, plan: OrgPlan, count: int, start: date) -> list[_Student]:
        rng, today = self.rng, self.today
        span = (today - start).days
        students = []
        for name in self.names(count):
            joined = (
                start if rng.random() < 0.45 else start + timedelta(days=rng.randint(0, max(1, span - 21)))
            )
            will_drop = rng.random() < 0.2 and (today - joined).days > 70
            drops_on = (
                joined + timedelta(days=rng.randint(56, max(57, (today - joined).days - 7)))
                if will_drop
                else None
            )
            if self.drivers is not None:
                drops_on = None  # drivers world: decided from the student's groups, once they are known
            student = _Student(
                id=self.uid(),
                joined=joined,
                propensity=round(rng.betavariate(8, 2), 3),
                drops_on=drops_on,
                late_payer=rng.random() < 0.12,
            )
            students.append(student)
            first = name.split()[0].lower()
            plan.rows["students"].append(
                {
                    "id": student.id,
                    "full_name": name,
                    "search_name": fold(name),
                    "email": f"{fold(first)}.{student.id.hex[:6]}@example.com"
                    if rng.random() < 0.7
                    else None,
                    "phone": f"+346{rng.randint(10_000_000, 99_999_999)}" if rng.random() < 0.6 else None,
                    "status": StudentStatus.ACTIVE,
                    "source": "demo",
                }
            )
            plan.rows["simulated_traits"].append(
                {
                    "student_id": student.id,
                    "joined_on": joined,
                    "will_drop_out": drops_on is not None,
                    "dropout_on": drops_on,
                    "late_payer": student.late_payer,
                    "attendance_propensity": student.propensity,
                }
            )
        return students

    def _memberships(
        self, plan: OrgPlan, profile: Profile, students: list[_Student], groups: list[Row]
    ) -> list[_Membership]:
        rng = self.rng
        result = []
        for student in students:
            how_many = rng.choices((1, 2, 3), weights=profile.groups_per_student)[0]
            open_then = [g for g in groups if g["_opens"] <= student.joined + timedelta(days=30)] or groups
            for group in rng.sample(open_then, k=min(how_many, len(open_then))):
                begin = max(student.joined, group["_opens"])
                end = student.drops_on
                if group["_stops"] is not None and group["status"] is GroupStatus.CLOSED:
                    end = min(end, group["_stops"]) if end else group["_stops"]
                if end is not None and end < begin:
                    continue
                result.append(_Membership(self.uid(), student, group["id"], begin, end))
        # A few students move to another group mid-way: end one membership, start the next.
        movers = rng.sample(result, k=len(result) // 25)
        for old in movers:
            if old.end is not None or (self.today - old.start).days < 120:
                continue
            target = rng.choice(
                [g for g in groups if g["status"] is GroupStatus.ACTIVE and g["id"] != old.group_id]
            )
            if any(m.student is old.student and m.group_id == target["id"] for m in result):
                continue
            on = old.start + timedelta(days=rng.randint(60, (self.today - old.start).days - 30))
            old.end = on - timedelta(days=1)
            result.append(_Membership(self.uid(), old.student, target["id"], on, old.student.drops_on))
        if self.drivers is not None:
            result = self.drivers.plan(plan, students, groups, result)
        for m in result:
            plan.rows["student_groups"].append(
                {
                    "id": m.id,
                    "student_id": m.student.id,
                    "group_id": m.group_id,
                    "start_date": m.start,
                    "end_date": m.end,
                }
            )
        return result

    def _sessions(
        self,
        plan: OrgPlan,
        cal: Calendar,
        groups: list[Row],
        memberships: list[_Membership],
        teachers: list[Row],
        start: date,
    ) -> None:
        today = self.today
        by_group: dict[uuid.UUID, list[_Membership]] = defaultdict(list)
        for m in memberships:
            by_group[m.group_id].append(m)
        horizon = today + timedelta(weeks=2)
        for group in groups:
            day = max(start, group["_opens"])
            last = min(horizon, group["_stops"] or horizon)
            while day <= last:
                if day.weekday() in group["_weekdays"] and not cal.closed(day):
                    self._session(plan, cal, group, day, by_group[group["id"]], teachers)
                day += timedelta(days=1)

    def _session(
        self,
        plan: OrgPlan,
        cal: Calendar,
        group: Row,
        day: date,
        members: list[_Membership],
        teachers: list[Row],
    ) -> None:
        rng, today = self.rng, self.today
        teacher_id, substitute_for = _teacher_on(group, day), None
        if len(teachers) > 1 and rng.random() < 0.03:
            substitute_for = teacher_id
            teacher_id = rng.choice([t["id"] for t in teachers if t["id"] != substitute_for])
        start_time: time = group["_time"]
        row = {
            "id": self.uid(),
            "group_id": group["id"],
            "venue_id": group["venue_id"],
            "teacher_id": teacher_id,
            "substitute_for_teacher_id": substitute_for,
            "date": day,
            "start_time": start_time,
            "end_time": time(start_time.hour + 1, start_time.minute),
            "status": SessionStatus.SCHEDULED,
            "cancel_reason": None,
            "slot_id": self.slot_id(group, day.weekday()),
        }
        plan.rows["class_sessions"].append(row)
        if day > today:
            return
        if rng.random() < 0.02:
            row["status"], row["cancel_reason"] = SessionStatus.CANCELLED, rng.choice(names.CANCEL_REASONS)
            return
        recent = (today - day).days
        if recent <= 21 and rng.random() < 0.06:
            return  # the teacher has not marked it yet: stays scheduled, with no marks
        row["status"] = SessionStatus.HELD
        if recent <= 14 and rng.random() < 0.05:
            return  # held, marks still missing
        season = cal.season(day)
        for m in members:
            if not m.covers(day):
                continue
            behaviour = m.student.behaviour  # drivers world; the fade world has none
            fade = _decay(m.student.drops_on, day) if behaviour is None else behaviour.attendance(day)
            chance = m.student.propensity * season * fade
            roll = rng.random()
            if roll < chance:
                status = AttendanceStatus.LATE if rng.random() < 0.1 else AttendanceStatus.PRESENT
            else:
                status = AttendanceStatus.EXCUSED if rng.random() < 0.3 else AttendanceStatus.ABSENT
            plan.rows["attendance_records"].append(
                {"class_session_id": row["id"], "student_id": m.student.id, "status": status}
            )

    def _payments(self, plan: OrgPlan, students: list[_Student], memberships: list[_Membership]) -> None:
        """Monthly tuition charges from the fee rules; payments arrive early, or weeks late for late payers.

        Late payers leave their last two months open, so they show up as overdue; this month is
        still open for some of everyone.
        """
        rng, today = self.rng, self.today
        fee_of = {g["id"]: (g["name"], g["monthly_fee"] or DEFAULT_FEE) for g in plan.rows["groups"]}
        enrolled: dict[tuple[uuid.UUID, date], list[Enrollment]] = defaultdict(list)
        for m in memberships:
            month = month_start(m.start)
            while month <= (m.end or today):
                name, fee = fee_of[m.group_id]
                enrolled[(m.student.id, month)].append(Enrollment(name, fee, m.start))
                month = month_shift(month, 1)
        late = {s.id for s in students if s.late_payer}
        behaviour = {s.id: s.behaviour for s in students if s.behaviour is not None}  # drivers world
        this_month = month_start(today)
        for (student_id, month), enrollments in sorted(
            enrolled.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])
        ):
            quote = tuition(
                enrollments,
                month=month,
                multi_group_discount_percent=MULTI_GROUP_DISCOUNT,
                sibling_discount_percent=Decimal(0),
                is_younger_sibling=False,
                prorate_first_month=True,
            )
            charge_id = self.uid()
            plan.rows["charges"].append(
                {
                    "id": charge_id,
                    "student_id": student_id,
                    "kind": ChargeKind.TUITION,
                    "period_month": month,
                    "description": f"Tuition {month:%B %Y}: {quote.description()}",
                    "amount": quote.total,
                    "due_date": due_date(month, DUE_DAY),
                }
            )
            months_ago = (this_month.year - month.year) * 12 + this_month.month - month.month
            is_late = student_id in late
            pays_late, unpaid = is_late, False
            if self.drivers is not None:
                pays_late, unpaid = self.drivers.payment(behaviour.get(student_id), month, habitual=is_late)
            if unpaid or (is_late and months_ago <= 2) or (months_ago == 0 and rng.random() < 0.15):
                continue  # still open
            paid_on = month + timedelta(days=rng.randint(15, 40) if pays_late else rng.randint(0, 6))
            if paid_on > today:
                continue
            payment_id = self.uid()
            plan.rows["payments"].append(
                {
                    "id": payment_id,
                    "student_id": student_id,
                    "amount": quote.total,
                    "received_on": paid_on,
                    "method": PaymentMethod.BANK_TRANSFER if rng.random() < 0.85 else PaymentMethod.CASH,
                    "payer_reference": f"TUITION {month:%m/%Y}",
                    "state": PaymentState.RECORDED,
                }
            )
            plan.rows["payment_allocations"].append(
                {"payment_id": payment_id, "charge_id": charge_id, "amount": quote.total}
            )

    def _private_lessons(
        self,
        plan: OrgPlan,
        students: list[_Student],
        teachers: list[Row],
        venues: list[Row],
        start: date,
        cal: Calendar,
        *,
        every_weeks: int,
    ) -> None:
        rng, today = self.rng, self.today
        for student in students:
            teacher = rng.choice(teachers)
            weekday, hour = rng.randrange(5), rng.choice((12, 13, 15, 16))
            day = max(start, student.joined)
            day += timedelta(days=(weekday - day.weekday()) % 7)
            last = min(today + timedelta(weeks=2), student.drops_on or today + timedelta(weeks=2))
            while day <= last:
                if not cal.closed(day):
                    past = day <= today
                    cancelled = past and rng.random() < 0.05
                    plan.rows["private_sessions"].append(
                        {
                            "teacher_id": teacher["id"],
                            "student_id": student.id,
                            "venue_id": rng.choice(venues)["id"],
                            "date": day,
                            "start_time": time(hour),
                            "duration_minutes": rng.choice((45, 60, 60, 90)),
                            "status": SessionStatus.CANCELLED
                            if cancelled
                            else (SessionStatus.HELD if past else SessionStatus.SCHEDULED),
                            "cancel_reason": "Student ill" if cancelled else None,
                        }
                    )
                day += timedelta(weeks=every_weeks)


def _decay(drops_on: date | None, day: date) -> float:
    """Attendance fades linearly to 30% over the weeks before a student drops out."""
    if drops_on is None:
        return 1.0
    weeks_left = (drops_on - day).days / 7
    if weeks_left >= DECAY_WEEKS:
        return 1.0
    return 0.3 + 0.7 * max(0.0, weeks_left) / DECAY_WEEKS


def _teacher_on(group: Row, day: date) -> uuid.UUID:
    """The group's teacher on ``day``: in the drivers world a declining group changed teacher."""
    changed_on: date | None = group.get("_teacher_changed_on")
    teacher: uuid.UUID = group["_teacher_before"] if changed_on and day < changed_on else group["teacher_id"]
    return teacher
