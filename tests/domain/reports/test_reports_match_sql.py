"""Every report's numbers equal SQL written here directly against the tables (not through any service),
for two periods (two whole months; a month and a half cut mid-month) and two roles (the admin sees the
school; Lucía, a teacher, sees the classes she taught and the groups she teaches). A second organization
with different numbers lives in the same database: its rows never reach the first's reports, and its own
reports are not empty (the control)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.db import use_tenant
from domain.errors import Forbidden
from domain.reports.attendance import attendance_report
from domain.reports.enrolment import enrolment_report
from domain.reports.groups import group_health_report
from domain.reports.revenue import revenue_report
from domain.reports.schemas import AttendanceBy, Every
from domain.reports.teaching import teacher_load_report
from domain.tenancy import TenantContext
from tests.domain.reports.world import TODAY, build_school
from tests.domain.studio import Studio

PERIODS = ((date(2026, 9, 1), date(2026, 10, 31)), (date(2026, 10, 15), date(2026, 11, 30)))
EVERY: tuple[Every, Every] = ("month", "week")  # the first period by month, the second by week


async def rows(session: AsyncSession, sql: str, **params: Any) -> list[Any]:
    return list((await session.execute(text(sql), params)).all())


@pytest.fixture
async def one_school(session: AsyncSession) -> tuple[Studio, None]:
    school = await build_school(session)
    await use_tenant(session, school.admin)
    return school, None


@pytest.fixture
async def schools(session: AsyncSession) -> tuple[Studio, Studio]:
    other = await build_school(session, variant=1)
    school = await build_school(session)
    await use_tenant(session, school.admin)
    return school, other


def roles(school: Studio) -> list[tuple[TenantContext, uuid.UUID | None]]:
    """Each role with the teacher it is limited to (None: the whole school)."""
    return [(school.admin, None), (school.teacher, school.lucia.id)]


ATTENDANCE_KEYS: dict[AttendanceBy, str] = {
    "group": "cs.group_id",
    "teacher": "cs.teacher_id",
    "student": "ar.student_id",
    "venue": "cs.venue_id",
}


async def test_attendance_by_each_key_and_the_trend_match_sql(
    session: AsyncSession, one_school: tuple[Studio, None]
) -> None:
    school, _ = one_school
    for (start, end), every in zip(PERIODS, EVERY, strict=True):
        for tenant, teacher_id in roles(school):
            for by, key in ATTENDANCE_KEYS.items():
                expected = await rows(
                    session,
                    f"""SELECT date_trunc(:every, cs.date)::date, {key}, count(*),
                           count(*) FILTER (WHERE ar.status IN ('present', 'late')),
                           count(*) FILTER (WHERE ar.status = 'absent'),
                           count(*) FILTER (WHERE ar.status = 'excused')
                        FROM attendance_records ar JOIN class_sessions cs ON cs.id = ar.class_session_id
                        WHERE cs.organization_id = :org AND cs.date BETWEEN :start AND :end
                          AND (CAST(:teacher AS uuid) IS NULL OR cs.teacher_id = :teacher)
                        GROUP BY 1, 2""",  # noqa: S608 - the key is one of four fixed column names
                    every=every,
                    org=school.org.id,
                    start=start,
                    end=end,
                    teacher=teacher_id,
                )
                report = await attendance_report(
                    session,
                    tenant,
                    start=start,
                    end=end,
                    by=by,
                    every=every,
                )
                got = {(r.period, r.key_id, r.marks, r.attended, r.absent, r.excused) for r in report.rows}
                assert got == set(expected), (start, tenant.role, by)
                assert expected, "the world has marks in every period"
                trend = {(p.period, p.marks, p.attended) for p in report.trend}
                sums: dict[date, tuple[int, int]] = {}
                for period, _, marks, came, _, _ in expected:
                    m, c = sums.get(period, (0, 0))
                    sums[period] = (m + marks, c + came)
                assert trend == {(p, m, c) for p, (m, c) in sums.items()}


async def test_revenue_per_month_group_method_and_age_match_sql(
    session: AsyncSession, schools: tuple[Studio, Studio]
) -> None:
    school, _ = schools
    for start, end in PERIODS:
        report = await revenue_report(session, school.admin, start=start, end=end, today=TODAY)
        params = {"org": school.org.id, "start": start, "end": end}
        due = await rows(
            session,
            """SELECT date_trunc('month', c.due_date)::date, sum(c.amount),
                      coalesce(sum((SELECT sum(a.amount) FROM payment_allocations a
                                     WHERE a.charge_id = c.id)), 0)
               FROM charges c WHERE c.organization_id = :org AND c.voided_at IS NULL
                 AND c.due_date BETWEEN :start AND :end GROUP BY 1""",
            **params,
        )
        came = dict(
            await rows(
                session,
                """SELECT date_trunc('month', received_on)::date, sum(amount) FROM payments
                   WHERE organization_id = :org AND state = 'recorded' AND received_on BETWEEN :start AND :end
                   GROUP BY 1""",
                **params,
            )
        )
        months = {(r.month, r.expected, r.collected, r.received) for r in report.rows}
        assert months == {(m, e, c, came.get(m, Decimal("0.00"))) for m, e, c in due} | {
            (m, Decimal("0.00"), Decimal("0.00"), r) for m, r in came.items() if m not in {d[0] for d in due}
        }
        assert due and came
        groups = await rows(
            session,
            """SELECT g.id, coalesce(sum(c.amount), 0),
                      coalesce(sum((SELECT sum(a.amount) FROM payment_allocations a
                                     WHERE a.charge_id = c.id)), 0)
               FROM groups g JOIN charges c ON c.kind = 'tuition' AND c.voided_at IS NULL
                 AND c.due_date BETWEEN :start AND :end
                 AND EXISTS (SELECT 1 FROM student_groups sg WHERE sg.group_id = g.id
                             AND sg.student_id = c.student_id
                             AND date_trunc('month', sg.start_date) <= c.period_month
                             AND (sg.end_date IS NULL OR sg.end_date >= c.period_month))
               WHERE g.organization_id = :org GROUP BY g.id""",
            **params,
        )
        got = {r.group_id: (r.expected, r.collected) for r in report.by_group if r.expected}
        assert got == {gid: (e, c) for gid, e, c in groups}
        received_by_group = dict(
            await rows(
                session,
                """SELECT g.id, sum(a.amount) FROM groups g, payment_allocations a
                   JOIN payments p ON p.id = a.payment_id JOIN charges c ON c.id = a.charge_id
                   WHERE g.organization_id = :org AND p.state = 'recorded'
                     AND p.received_on BETWEEN :start AND :end AND c.kind = 'tuition' AND c.voided_at IS NULL
                     AND EXISTS (SELECT 1 FROM student_groups sg WHERE sg.group_id = g.id
                                 AND sg.student_id = c.student_id
                                 AND date_trunc('month', sg.start_date) <= c.period_month
                                 AND (sg.end_date IS NULL OR sg.end_date >= c.period_month))
                   GROUP BY g.id""",
                **params,
            )
        )
        assert {r.group_id: r.received for r in report.by_group if r.received} == received_by_group
        methods = await rows(
            session,
            """SELECT m.method,
                 (SELECT coalesce(sum(a.amount), 0) FROM payment_allocations a
                  JOIN payments p ON p.id = a.payment_id
                  JOIN charges c ON c.id = a.charge_id WHERE p.method::text = m.method AND c.voided_at IS NULL
                  AND c.due_date BETWEEN :start AND :end AND c.organization_id = :org),
                 (SELECT coalesce(sum(p.amount), 0) FROM payments p WHERE p.method::text = m.method
                  AND p.state = 'recorded' AND p.received_on BETWEEN :start AND :end
                  AND p.organization_id = :org)
               FROM (VALUES ('bank_transfer'), ('cash'), ('other')) AS m(method)""",
            **params,
        )
        assert {(r.method.value, r.collected, r.received) for r in report.by_method} == set(methods)
        as_of = min(end, TODAY)
        ages = await rows(
            session,
            """SELECT CASE WHEN :as_of - due_date <= 30 THEN '0-30'
                           WHEN :as_of - due_date <= 60 THEN '31-60' ELSE '60+' END,
                      count(*), sum(amount - paid)
               FROM (SELECT c.due_date, c.amount, coalesce((SELECT sum(a.amount) FROM payment_allocations a
                                                 WHERE a.charge_id = c.id), 0) AS paid
                     FROM charges c WHERE c.organization_id = :org AND c.voided_at IS NULL
                       AND c.due_date <= :as_of) open
               WHERE amount > paid GROUP BY 1""",
            org=school.org.id,
            as_of=as_of,
        )
        assert {(r.age, r.charges, r.amount) for r in report.outstanding_by_age if r.charges} == set(ages)
        assert ages
    with pytest.raises(Forbidden):  # school money is the office's; the admin's report above is the control
        await revenue_report(session, school.teacher, start=PERIODS[0][0], end=PERIODS[0][1], today=TODAY)


async def test_teacher_load_matches_sql(session: AsyncSession, one_school: tuple[Studio, None]) -> None:
    school, _ = one_school
    rates = {school.lucia.id: Decimal("6.50"), school.marco.id: Decimal("45.00")}
    for start, end in PERIODS:
        for tenant, teacher_id in roles(school):
            expected = await rows(
                session,
                """SELECT cs.teacher_id,
                     count(*) FILTER (WHERE cs.status = 'held'),
                     count(*) FILTER (WHERE cs.status = 'scheduled'),
                     count(*) FILTER (WHERE cs.status = 'cancelled'),
                     coalesce(sum(extract(epoch FROM cs.end_time - cs.start_time))
                              FILTER (WHERE cs.status = 'held'), 0),
                     count(*) FILTER (WHERE cs.status = 'held' AND cs.substitute_for_teacher_id IS NOT NULL),
                     (SELECT count(*) FROM class_sessions o WHERE o.substitute_for_teacher_id = cs.teacher_id
                        AND o.status = 'held' AND o.date BETWEEN :start AND :end),
                     coalesce(sum(g.capacity) FILTER (WHERE cs.status = 'held'), 0),
                     (SELECT count(*) FROM attendance_records ar
                        JOIN class_sessions h ON h.id = ar.class_session_id
                        JOIN groups hg ON hg.id = h.group_id AND hg.capacity IS NOT NULL
                        WHERE h.teacher_id = cs.teacher_id AND h.status = 'held'
                          AND h.date BETWEEN :start AND :end
                          AND ar.status IN ('present', 'late'))
                   FROM class_sessions cs LEFT JOIN groups g ON g.id = cs.group_id
                   WHERE cs.organization_id = :org AND cs.date BETWEEN :start AND :end
                     AND (CAST(:teacher AS uuid) IS NULL OR cs.teacher_id = :teacher)
                   GROUP BY cs.teacher_id""",
                org=school.org.id,
                start=start,
                end=end,
                teacher=teacher_id,
            )
            heads = dict(
                await rows(
                    session,
                    """SELECT h.teacher_id, count(*) FROM attendance_records ar
                       JOIN class_sessions h ON h.id = ar.class_session_id
                       WHERE h.status = 'held' AND h.date BETWEEN :start AND :end
                         AND ar.status IN ('present', 'late') GROUP BY 1""",
                    start=start,
                    end=end,
                )
            )
            report = await teacher_load_report(session, tenant, start=start, end=end)
            got = {
                (
                    *(r.teacher_id, r.classes, r.scheduled, r.cancelled, r.hours, r.substitutions),
                    *(r.covered_by_others, r.seats, r.attended, r.pay),
                )
                for r in report.rows
            }
            want = set()
            for tid, held, scheduled, cancelled, secs, subs, covered, seats, came in expected:
                # Lucía is paid per head (present and late), Marco per class.
                count = heads.get(tid, 0) if tid == school.lucia.id else held
                pay = (rates[tid] * count).quantize(Decimal("0.01"))
                hours = (Decimal(str(secs)) / 3600).quantize(Decimal("0.01"))
                want.add((tid, held, scheduled, cancelled, hours, subs, covered, seats, came, pay))
            assert got == want, (start, tenant.role)
            assert len(want) == (1 if teacher_id else 2)
            for r in report.rows:
                assert r.pay is not None
                assert r.pay_per_hour == (r.pay / r.hours).quantize(Decimal("0.01"))


async def test_group_health_matches_sql(session: AsyncSession, one_school: tuple[Studio, None]) -> None:
    school, _ = one_school
    for start, end in PERIODS:
        for tenant, teacher_id in roles(school):
            params = {"org": school.org.id, "start": start, "end": end, "teacher": teacher_id}
            expected = await rows(
                session,
                """SELECT g.id, g.capacity,
                     (SELECT count(*) FROM student_groups sg WHERE sg.group_id = g.id
                        AND sg.start_date <= :end
                        AND (sg.end_date IS NULL OR sg.end_date >= :end)),
                     (SELECT count(*) FROM student_groups sg WHERE sg.group_id = g.id
                        AND sg.start_date <= :start
                        AND (sg.end_date IS NULL OR sg.end_date >= :start)),
                     (SELECT count(*) FROM student_groups sg WHERE sg.group_id = g.id
                        AND sg.start_date BETWEEN :start AND :end),
                     (SELECT count(*) FROM student_groups sg WHERE sg.group_id = g.id
                        AND sg.end_date BETWEEN :start AND :end),
                     (SELECT count(*) FROM attendance_records ar
                        JOIN class_sessions cs ON cs.id = ar.class_session_id
                        WHERE cs.group_id = g.id AND cs.date BETWEEN :start AND :end),
                     (SELECT count(*) FROM attendance_records ar
                        JOIN class_sessions cs ON cs.id = ar.class_session_id
                        WHERE cs.group_id = g.id AND cs.date BETWEEN :start AND :end
                          AND ar.status IN ('present', 'late'))
                   FROM groups g WHERE g.organization_id = :org AND g.status <> 'closed'
                     AND (CAST(:teacher AS uuid) IS NULL OR g.teacher_id = :teacher)""",
                **params,
            )
            report = await group_health_report(session, tenant, start=start, end=end)
            got = {
                (
                    r.group_id,
                    r.capacity,
                    r.enrolled,
                    r.enrolled_at_start,
                    r.joined,
                    r.left,
                    r.marks,
                    r.attended,
                )
                for r in report.rows
            }
            assert got == set(expected), (start, tenant.role)
            assert len(expected) == (1 if teacher_id else 2)
            monthly = await rows(
                session,
                """SELECT g.id, m.month::date,
                     (SELECT count(*) FROM student_groups sg WHERE sg.group_id = g.id
                        AND sg.end_date BETWEEN greatest(m.month::date, :start)
                                            AND least((m.month + interval '1 month - 1 day')::date, :end)),
                     (SELECT count(*) FROM attendance_records ar
                        JOIN class_sessions cs ON cs.id = ar.class_session_id
                        WHERE cs.group_id = g.id AND cs.date BETWEEN greatest(m.month::date, :start)
                                            AND least((m.month + interval '1 month - 1 day')::date, :end))
                   FROM groups g CROSS JOIN generate_series(date_trunc('month', CAST(:start AS date)),
                        CAST(:end AS date), interval '1 month') AS m(month)
                   WHERE g.organization_id = :org AND g.status <> 'closed'
                     AND (CAST(:teacher AS uuid) IS NULL OR g.teacher_id = :teacher)""",
                **params,
            )
            assert {(r.group_id, r.month, r.left, r.marks) for r in report.months} == set(monthly)


async def test_enrolment_matches_sql(session: AsyncSession, schools: tuple[Studio, Studio]) -> None:
    school, other = schools
    for start, end in PERIODS:
        for tenant, teacher_id in roles(school):
            expected = await rows(
                session,
                """WITH seen AS (
                     SELECT sg.* FROM student_groups sg JOIN groups g ON g.id = sg.group_id
                     WHERE sg.organization_id = :org
                       AND (CAST(:teacher AS uuid) IS NULL OR g.teacher_id = :teacher)),
                   points AS (
                     SELECT m.month::date AS month, greatest(m.month::date, :start) - 1 AS before,
                            least((m.month + interval '1 month - 1 day')::date, :end) AS after
                     FROM generate_series(date_trunc('month', CAST(:start AS date)), CAST(:end AS date),
                                          interval '1 month') AS m(month)),
                   active AS (
                     SELECT DISTINCT p.month, s.student_id, d.which FROM points p
                     CROSS JOIN LATERAL (VALUES ('before', p.before), ('after', p.after)) AS d(which, day)
                     JOIN seen s ON s.start_date <= d.day AND (s.end_date IS NULL OR s.end_date >= d.day))
                   SELECT p.month,
                     (SELECT count(*) FROM active a WHERE a.month = p.month AND a.which = 'after'),
                     (SELECT count(*) FROM active a WHERE a.month = p.month AND a.which = 'after'
                        AND NOT EXISTS (SELECT 1 FROM active b WHERE b.month = p.month AND b.which = 'before'
                                        AND b.student_id = a.student_id)),
                     (SELECT count(*) FROM active a WHERE a.month = p.month AND a.which = 'before'
                        AND NOT EXISTS (SELECT 1 FROM active b WHERE b.month = p.month AND b.which = 'after'
                                        AND b.student_id = a.student_id))
                   FROM points p""",
                org=school.org.id,
                start=start,
                end=end,
                teacher=teacher_id,
            )
            report = await enrolment_report(session, tenant, start=start, end=end)
            assert {(r.month, r.active, r.new, r.lost) for r in report.rows} == set(expected), (
                start,
                tenant.role,
            )
            assert any(r.new or r.lost for r in report.rows)
    # The other school's reports answer with its own rows (the control for the isolation above).
    await use_tenant(session, other.admin)
    theirs = await attendance_report(session, other.admin, start=PERIODS[0][0], end=PERIODS[0][1])
    assert theirs.rows and {r.key_id for r in theirs.rows} <= {other.salsa.id, other.bachata.id}
