"""The ``drivers`` world: students leave for realistic, partly observable reasons.

In the ``fade`` world a leaver is drawn with no cause. Here each student runs, week by week from two
weeks after their first class to a week before today, two competing weekly hazards. The shapes follow
what the membership-churn literature reports for gyms, music schools and sports clubs (attrition
concentrated in the first months, leaving at natural re-enrolment points, disengagement before
cancelling, social ties and the instructor as reasons to stay); the strengths are ours, tuned so that
about a fifth of the active students leave a year, as in the ``fade`` world.

* **An exogenous hazard**, 0.08% a week (~4% a year), blind to everything: moving city, an injury, a
  new job's hours. Such leavers leave *with no warning*: attendance and payments are normal to the
  end. With the closures, the sudden driven leavers and half the friends below, about a third of the
  leavers (27-38% over seeds) give no signal, so no model can find every leaver.
* **A driven hazard**, 0.16% a week at base, multiplied by:

  - **tenure** (new students try and leave; habit and friendships keep the long-standing ones):
    x3.5 in the first three months, x1.5 up to six, x0.8 up to twelve, x0.55 up to twenty-four, x0.4
    after. Students already there when the history starts bring an unseen tenure of 3-48 months,
    as a real roster does;
  - **season** (people decide at the breaks, not mid-term): x4 from the June recital to the end of
    June (the season ends), x4 in the first three weeks of September (not coming back after the
    summer), x3 in January after Christmas, x1 in July, x0.6 mid-term (October to December,
    February to May); nothing while the school is closed (August, Christmas): the decision shows
    in September or January;
  - **the group** (a declining group loses people): about one school group in twelve gets a new
    teacher at the start of a term (September 1st or January 8th; visible as the sessions' regular
    teacher changing), x3 for sixteen weeks after, since students follow or miss their teacher; a
    group that closes x2 in its last twelve weeks, and at its closing each student with no other
    group leaves that day (45%) or starts in another group two or three weeks later; a 21:00 or
    later slot x1.25 (tiring, easy to drop);
  - **group changes**: x1.6 for twelve weeks after a student starts in another group mid-way (a new
    group, new faces, a risk the move does not work out);
  - **payment habits**: habitual late payers (``late_payer``) x1.4;
  - **base attendance**: x(0.8 / propensity)^2, kept within 0.6-2.5: those who always came less are
    less attached and leave a little more.

* **Friends leave together**: 20% of driven leavers take one (70%) or two friends from a group they
  share, who leave 0-3 weeks later (friends do not take further friends).

What a leaver does before leaving (``domain.demo.world.Behaviour``):

* 90% of driven leavers and half the friends **disengage gradually**: attendance falls linearly to a
  floor of 10-50% of their usual rate, over 2 weeks (15%), 4-12 weeks (70%) or 13-16 weeks (15%)
  for driven leavers and 2-4 weeks for friends; 35% of them miss whole weeks in streaks (each week
  of the decline with chance 0.4);
* 45% of those gradual leavers have **payment trouble**: tuition from one to three months before the
  leaving month is paid weeks late, and 55% of them leave the last month (a fifth of those the last
  two) unpaid;
* exogenous leavers, those who leave when their group closes, 10% of driven leavers and half the
  friends leave **suddenly**, with nothing in the data beforehand.

Signals are not proofs: 12% of all students have a temporary low spell (3-8 weeks at 35-70% of
their rate) and most of them stay; habitual late payers keep their last months open and stay; any
student pays a month late now and then (2%).

``dropout_on`` is the last day a membership covers, as in the ``fade`` world. Students outside any
group (the independent teacher's private-lesson students) do not leave in this world.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from domain.demo.world import Behaviour, Membership, Student, christmas_break, monday, recital_day
from domain.groups.models import GroupStatus
from domain.payments.rules import month_shift

if TYPE_CHECKING:
    from domain.demo.simulator import OrgPlan

Row = dict[str, Any]
WEEK = timedelta(weeks=1)
EXOGENOUS_WEEKLY = 0.0008
DRIVEN_WEEKLY = 0.0016
MIN_TENURE = timedelta(days=14)
LAST_LEAVING = timedelta(days=7)  # leaving dates stay at least a week before today
TEACHER_CHANGE_FACTOR, TEACHER_CHANGE_WEEKS = 3.0, 16
CLOSING_FACTOR, CLOSING_WEEKS, LEAVE_AT_CLOSING = 2.0, 12, 0.45
LATE_SLOT_FACTOR = 1.25
MOVED_FACTOR, MOVED_WEEKS = 1.6, 12
LATE_PAYER_FACTOR = 1.4
FRIENDS_SHARE = 0.2
GRADUAL_SHARE = 0.9
STREAKY_SHARE = 0.35
PAYMENT_TROUBLE_SHARE = 0.45
DIP_SHARE = 0.12
OCCASIONAL_LATE = 0.02


def tenure_factor(months: float) -> float:
    for limit, factor in ((3, 3.5), (6, 1.5), (12, 0.8), (24, 0.55)):
        if months < limit:
            return factor
    return 0.4


def season_factor(day: date) -> float:
    if day.month == 8 or christmas_break(day):
        return 0.0
    if day.month == 6:
        return 4.0 if day >= recital_day(day.year) else 1.0
    if day.month == 9 and day.day <= 21:
        return 4.0
    if day.month == 1:
        return 3.0
    if day.month == 7:
        return 1.0
    return 0.6


def propensity_factor(propensity: float) -> float:
    return float(min(2.5, max(0.6, (0.8 / max(propensity, 0.05)) ** 2)))


class DriversWorld:
    """Decides who leaves, when and how, once the students' groups are known."""

    def __init__(self, rng: random.Random, today: date, uid: Callable[[], uuid.UUID]) -> None:
        self.rng, self.today, self.uid = rng, today, uid

    # -- the hook called by the simulator ---------------------------------------------------------

    def plan(
        self, plan: OrgPlan, students: list[Student], groups: list[Row], memberships: list[Membership]
    ) -> list[Membership]:
        """Set every student's behaviour and leaving date; end (or drop) memberships accordingly."""
        self._decline_groups(groups, [t["id"] for t in plan.rows["teachers"]])
        by_student: dict[uuid.UUID, list[Membership]] = defaultdict(list)
        for m in memberships:
            by_student[m.student.id].append(m)
        leaving: dict[uuid.UUID, tuple[date, str]] = {}
        memberships = memberships + self._closures(students, groups, by_student, leaving)
        group_of = {g["id"]: g for g in groups}
        history_starts = min(s.joined for s in students)
        for student in students:
            if by_student[student.id]:
                # Students already there when the history starts bring a tenure the data does not show.
                prior = self.rng.randint(3, 48) if student.joined == history_starts else 0
                self._hazard(student, by_student[student.id], prior, group_of, leaving)
        self._friends(students, by_student, leaving)
        for student in students:
            student.behaviour = self._behaviour(student, by_student[student.id], leaving.get(student.id))
            student.drops_on = leaving[student.id][0] if student.id in leaving else None
        traits = {t["student_id"]: t for t in plan.rows["simulated_traits"]}
        for trait in traits.values():  # students outside any group (private lessons only) stay
            trait.update(_reason="", _warns=False)
        for student in students:
            traits[student.id]["will_drop_out"] = student.drops_on is not None
            traits[student.id]["dropout_on"] = student.drops_on
            # Private keys (the writer drops them): why the student left and whether the data warned.
            behaviour = student.behaviour
            traits[student.id]["_reason"] = behaviour.reason if behaviour else ""
            traits[student.id]["_warns"] = bool(behaviour and behaviour.warns)
        kept = []
        for m in memberships:
            gone = m.student.drops_on
            if gone is not None and m.start > gone:
                continue
            if gone is not None and (m.end is None or m.end > gone):
                m.end = gone
            kept.append(m)
        return kept

    def payment(self, behaviour: Behaviour | None, month: date, *, habitual: bool) -> tuple[bool, bool]:
        """(paid weeks late, left unpaid) for one month's tuition."""
        if behaviour is not None and behaviour.leaves_unpaid(month):
            return True, True
        late = habitual or (behaviour is not None and behaviour.pays_late(month))
        return late or self.rng.random() < OCCASIONAL_LATE, False

    # -- causes -------------------------------------------------------------------------------------

    def _decline_groups(self, groups: list[Row], teacher_ids: list[uuid.UUID]) -> None:
        """About one school group in twelve changed teacher some months ago (a declining group)."""
        if len(teacher_ids) < 2:
            return
        first = min(g["_opens"] for g in groups)
        # A new teacher takes over at the start of a term (September, or January after Christmas).
        terms = [
            day
            for year in range(first.year, self.today.year + 1)
            for day in (date(year, 1, 8), date(year, 9, 1))
            if first + timedelta(days=90) <= day <= self.today - timedelta(days=60)
        ] or [self.today - timedelta(days=120)]
        candidates = [g for g in groups if g["status"] is GroupStatus.ACTIVE and g["_opens"] == first]
        for group in self.rng.sample(candidates, k=min(len(candidates), max(1, len(groups) // 12))):
            group["_teacher_before"] = group["teacher_id"]
            group["_teacher_changed_on"] = self.rng.choice(terms)
            group["teacher_id"] = self.rng.choice([t for t in teacher_ids if t != group["teacher_id"]])

    def _closures(
        self,
        students: list[Student],
        groups: list[Row],
        by_student: dict[uuid.UUID, list[Membership]],
        leaving: dict[uuid.UUID, tuple[date, str]],
    ) -> list[Membership]:
        """At a group's closing its students with no other group leave, or move to another group."""
        added: list[Membership] = []
        open_groups = [g for g in groups if g["status"] is GroupStatus.ACTIVE]
        for group in groups:
            closes_on = group["_stops"]
            if group["status"] is not GroupStatus.CLOSED or closes_on is None:
                continue
            for student in students:
                mine = by_student[student.id]
                if not any(m.group_id == group["id"] and m.end == closes_on for m in mine):
                    continue
                if any(m.covers(closes_on + timedelta(days=1)) or m.start > closes_on for m in mine):
                    continue  # another group goes on
                if self.rng.random() < LEAVE_AT_CLOSING or not open_groups:
                    leaving[student.id] = (closes_on, "group closed")
                    continue
                target = self.rng.choice(open_groups)
                moved = Membership(
                    self.uid(),
                    student,
                    target["id"],
                    closes_on + timedelta(days=self.rng.randint(14, 21)),
                    None,
                )
                mine.append(moved)
                added.append(moved)
        return added

    def _hazard(
        self,
        student: Student,
        mine: list[Membership],
        prior_months: int,
        group_of: dict[uuid.UUID, Row],
        leaving: dict[uuid.UUID, tuple[date, str]],
    ) -> None:
        rng = self.rng
        first = min(m.start for m in mine)
        personal = propensity_factor(student.propensity) * (LATE_PAYER_FACTOR if student.late_payer else 1.0)
        week, last = first + MIN_TENURE, self.today - LAST_LEAVING
        closing = leaving.get(student.id)
        if closing is not None:
            last = min(last, closing[0] - timedelta(days=1))
        while week <= last:
            exogenous = EXOGENOUS_WEEKLY
            driven = (
                DRIVEN_WEEKLY
                * personal
                * tenure_factor((week - first).days / 30.44 + prior_months)
                * season_factor(week)
                * self._group_factor(week, mine, group_of, first)
            )
            roll = rng.random()
            if roll < exogenous + driven:
                day = min(last, week + timedelta(days=rng.randint(0, 6)))
                if season_factor(day) == 0.0 and roll >= exogenous:
                    day = week  # a driven leaving does not fall in a closed week's tail
                leaving[student.id] = (day, "exogenous" if roll < exogenous else "driven")
                return
            week += WEEK

    def _group_factor(
        self, day: date, mine: list[Membership], group_of: dict[uuid.UUID, Row], first: date
    ) -> float:
        factor = 1.0
        for m in mine:
            if not m.covers(day):
                continue
            group = group_of[m.group_id]
            here = LATE_SLOT_FACTOR if group["_time"].hour >= 21 else 1.0
            changed_on = group.get("_teacher_changed_on")
            if changed_on is not None and changed_on <= day < changed_on + TEACHER_CHANGE_WEEKS * WEEK:
                here *= TEACHER_CHANGE_FACTOR
            stops = group["_stops"]
            if (
                group["status"] is GroupStatus.CLOSED
                and stops
                and stops - CLOSING_WEEKS * WEEK <= day <= stops
            ):
                here *= CLOSING_FACTOR
            if m.start > first and m.start <= day < m.start + MOVED_WEEKS * WEEK:
                here *= MOVED_FACTOR
            factor = max(factor, here)
        return factor

    def _friends(
        self,
        students: list[Student],
        by_student: dict[uuid.UUID, list[Membership]],
        leaving: dict[uuid.UUID, tuple[date, str]],
    ) -> None:
        """Some driven leavers take one or two friends from a group they shared along, weeks later."""
        rng, last = self.rng, self.today - LAST_LEAVING
        members: dict[uuid.UUID, list[Membership]] = defaultdict(list)
        for student in students:
            for m in by_student[student.id]:
                members[m.group_id].append(m)
        leaders = sorted(
            ((day, sid) for sid, (day, why) in leaving.items() if why == "driven"),
            key=lambda p: (p[0], str(p[1])),
        )
        for day, sid in leaders:
            if leaving[sid] != (day, "driven") or rng.random() >= FRIENDS_SHARE:
                continue
            shared = [m for m in by_student[sid] if m.covers(day)]
            if not shared:
                continue
            group_id = rng.choice(shared).group_id
            candidates = [
                m.student
                for m in members[group_id]
                if m.student.id != sid
                and m.covers(day)
                and m.start <= day - timedelta(days=28)
                and (m.student.id not in leaving or leaving[m.student.id][0] > day + timedelta(weeks=4))
            ]
            for friend in rng.sample(candidates, k=min(len(candidates), 1 if rng.random() < 0.7 else 2)):
                when = day + timedelta(days=rng.randint(0, 21))
                if when <= last:
                    leaving[friend.id] = (when, "friend")

    # -- what a student does before leaving ------------------------------------------------------------

    def _behaviour(
        self, student: Student, mine: list[Membership], leaves: tuple[date, str] | None
    ) -> Behaviour:
        rng = self.rng
        dip = None
        if mine and rng.random() < DIP_SHARE:
            first = min(m.start for m in mine)
            end = leaves[0] if leaves else self.today
            if (end - first).days > 70:
                begins = first + timedelta(days=rng.randint(0, (end - first).days - 60))
                dip = (begins, begins + timedelta(weeks=rng.randint(3, 8)), rng.uniform(0.35, 0.7))
        if leaves is None:
            return Behaviour(dip=dip)
        day, why = leaves
        gradual = (why == "driven" and rng.random() < GRADUAL_SHARE) or (
            why == "friend" and rng.random() < 0.5
        )
        if not gradual:
            return Behaviour(leaves_on=day, reason=why, dip=dip)
        roll = rng.random()
        weeks = 2 if roll < 0.15 else (rng.randint(4, 12) if roll < 0.85 else rng.randint(13, 16))
        if why == "friend":
            weeks = rng.randint(2, 4)
        first = min(m.start for m in mine)
        fade_from = max(first, day - weeks * WEEK)
        skipped: frozenset[date] = frozenset()
        if rng.random() < STREAKY_SHARE:
            mondays = [monday(fade_from) + k * WEEK for k in range((day - monday(fade_from)).days // 7 + 1)]
            skipped = frozenset(w for w in mondays if rng.random() < 0.4)
        late_from = unpaid_from = None
        if rng.random() < PAYMENT_TROUBLE_SHARE:
            leaving_month = day.replace(day=1)
            late_from = month_shift(leaving_month, -rng.randint(1, 3))
            if rng.random() < 0.55:
                unpaid_from = month_shift(leaving_month, -1 if rng.random() < 0.2 else 0)
        return Behaviour(
            leaves_on=day,
            reason=why,
            fade_from=fade_from,
            floor=rng.uniform(0.1, 0.5),
            skipped_weeks=skipped,
            dip=dip,
            late_from=late_from,
            unpaid_from=unpaid_from,
        )
