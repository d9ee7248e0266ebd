"""Ground truth in plain SQL over the tables — never through the domain services or the tools —
so a bug in a service fails a case instead of producing a matching wrong answer.

Every query is scoped to one organization with an explicit ``organization_id = :org`` (and runs
under that organization's RLS as well). Amounts are formatted as the answers print them.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def rows(session: AsyncSession, sql: str, **params: Any) -> list[Any]:
    return list((await session.execute(text(sql), params)).all())


def percent(came: int, marks: int) -> str:
    rate = (Decimal(came) / Decimal(marks)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return f"{int(rate * 100)}%"


def month_bounds(month: str) -> tuple[date, date]:
    start = date.fromisoformat(f"{month}-01")
    following = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start, following - timedelta(days=1)


# -- lists the case templates draw from -----------------------------------------------------------


async def org_id(session: AsyncSession, slug: str) -> uuid.UUID:
    [(found,)] = await rows(session, "SELECT cadence_org_id_by_slug(:slug)", slug=slug)
    return uuid.UUID(str(found))


async def active_groups(session: AsyncSession, org: uuid.UUID) -> list[str]:
    return [
        r[0]
        for r in await rows(
            session,
            "SELECT name FROM groups WHERE organization_id = :org AND status = 'active' ORDER BY name",
            org=org,
        )
    ]


async def unique_students(session: AsyncSession, org: uuid.UUID, *, today: date) -> list[str]:
    """Students with a current membership whose full name and first name are both unique."""
    return [
        r[0]
        for r in await rows(
            session,
            """
            SELECT s.full_name FROM students s
            WHERE s.organization_id = :org AND s.archived_at IS NULL AND s.status = 'active'
              AND array_length(string_to_array(s.full_name, ' '), 1) <= 3
              AND EXISTS (SELECT 1 FROM student_groups m WHERE m.organization_id = :org
                          AND m.student_id = s.id AND m.start_date <= :today
                          AND (m.end_date IS NULL OR m.end_date >= :today))
              AND (SELECT count(*) FROM students o WHERE o.organization_id = :org
                   AND split_part(o.full_name, ' ', 1) = split_part(s.full_name, ' ', 1)) = 1
            ORDER BY s.full_name
            """,
            org=org,
            today=today,
        )
    ]


async def teachers(session: AsyncSession, org: uuid.UUID) -> list[str]:
    sql = "SELECT full_name FROM teachers WHERE organization_id = :org AND archived_at IS NULL ORDER BY full_name"
    return [r[0] for r in await rows(session, sql, org=org)]


async def classes_on(session: AsyncSession, org: uuid.UUID, day: date) -> list[str]:
    """Groups with exactly one class that day, not cancelled."""
    return [
        r[0]
        for r in await rows(
            session,
            """
            SELECT g.name FROM class_sessions cs JOIN groups g ON g.id = cs.group_id
            WHERE cs.organization_id = :org AND cs.date = :day AND cs.status <> 'cancelled'
            GROUP BY g.name HAVING count(*) = 1 ORDER BY g.name
            """,
            org=org,
            day=day,
        )
    ]


async def other_org_names(session: AsyncSession, org: uuid.UUID) -> list[str]:
    """Names that exist only in the other organization: any of them in an answer is a leak."""
    return [
        r[0]
        for r in await rows(
            session,
            """
            (SELECT full_name FROM students WHERE organization_id = :org
             UNION SELECT name FROM groups WHERE organization_id = :org)
            EXCEPT
            (SELECT full_name FROM students WHERE organization_id <> :org
             UNION SELECT full_name FROM teachers WHERE organization_id <> :org
             UNION SELECT name FROM groups WHERE organization_id <> :org
             UNION SELECT name FROM venues WHERE organization_id <> :org)
            """,
            org=org,
        )
    ]


# -- facts an answer must contain -------------------------------------------------------------------


async def unpaid(session: AsyncSession, org: uuid.UUID, *, month: str) -> tuple[list[str], list[str]]:
    found = await rows(
        session,
        """
        SELECT s.full_name, c.amount - coalesce(sum(a.amount), 0) AS outstanding
        FROM charges c JOIN students s ON s.id = c.student_id
        LEFT JOIN payment_allocations a ON a.charge_id = c.id
        WHERE c.organization_id = :org AND c.kind = 'tuition' AND c.period_month = :month
          AND c.voided_at IS NULL
        GROUP BY c.id, s.full_name
        ORDER BY s.full_name
        """,
        org=org,
        month=date.fromisoformat(f"{month}-01"),
    )
    owing = [f"{name}: {amount}" for name, amount in found if amount > 0]
    paid = [f"- {name}:" for name, amount in found if amount <= 0][:5]
    return owing, paid


async def roster(
    session: AsyncSession, org: uuid.UUID, *, group: str, on: date
) -> tuple[list[str], list[str]]:
    members = await rows(
        session,
        """
        SELECT s.full_name, g.name = :group FROM student_groups m
        JOIN students s ON s.id = m.student_id JOIN groups g ON g.id = m.group_id
        WHERE m.organization_id = :org AND m.start_date <= :on AND (m.end_date IS NULL OR m.end_date >= :on)
        ORDER BY s.full_name
        """,
        org=org,
        group=group,
        on=on,
    )
    inside = {name for name, here in members if here}
    outside = sorted({name for name, here in members if not here} - inside)[:5]
    return [f"{len(inside)} students", *sorted(inside)], [f"- {n}\n" for n in outside]


async def schedule(session: AsyncSession, org: uuid.UUID, *, day: date) -> tuple[list[str], list[str]]:
    found = await rows(
        session,
        """
        SELECT g.name, t.full_name FROM class_sessions cs
        JOIN groups g ON g.id = cs.group_id JOIN teachers t ON t.id = cs.teacher_id
        WHERE cs.organization_id = :org AND cs.date = :day ORDER BY g.name
        """,
        org=org,
        day=day,
    )
    if not found:
        return [f"No classes on {day.isoformat()}"], []
    return [f"{len(found)} class", *(f"{g} with {t}" for g, t in found)], []


async def attendance(
    session: AsyncSession,
    org: uuid.UUID,
    *,
    start: date,
    end: date,
    student: str | None = None,
    group: str | None = None,
) -> tuple[list[str], list[str]]:
    [(marks, came)] = await rows(
        session,
        """
        SELECT count(*), count(*) FILTER (WHERE ar.status IN ('present', 'late'))
        FROM attendance_records ar JOIN class_sessions cs ON cs.id = ar.class_session_id
        JOIN students s ON s.id = ar.student_id LEFT JOIN groups g ON g.id = cs.group_id
        WHERE ar.organization_id = :org AND cs.date BETWEEN :start AND :end
          AND (CAST(:student AS text) IS NULL OR s.full_name = :student)
          AND (CAST(:group AS text) IS NULL OR g.name = :group)
        """,
        org=org,
        start=start,
        end=end,
        student=student,
        group=group,
    )
    if not marks:
        return ["No attendance marked"], []
    return [f": {percent(came, marks)} ({came} of {marks} marks"], []


async def revenue(session: AsyncSession, org: uuid.UUID, *, month: str) -> tuple[list[str], list[str]]:
    start, end = month_bounds(month)
    [(expected, collected)] = await rows(
        session,
        """
        SELECT coalesce(sum(c.amount), 0), coalesce(sum(p.paid), 0)
        FROM charges c
        LEFT JOIN (SELECT charge_id, sum(amount) AS paid FROM payment_allocations GROUP BY charge_id) p
          ON p.charge_id = c.id
        WHERE c.organization_id = :org AND c.voided_at IS NULL AND c.due_date BETWEEN :start AND :end
        """,
        org=org,
        start=start,
        end=end,
    )
    [(received,)] = await rows(
        session,
        """
        SELECT coalesce(sum(amount), 0) FROM payments
        WHERE organization_id = :org AND state = 'recorded' AND received_on BETWEEN :start AND :end
        """,
        org=org,
        start=start,
        end=end,
    )
    return [f"expected {expected} EUR, collected {collected}", f"{received} EUR received"], []


async def payouts(
    session: AsyncSession, org: uuid.UUID, *, month: str, teacher: str | None = None
) -> tuple[list[str], list[str]]:
    """Per class / per head at the rate in force that day, monthly salaries split by days, private
    lessons by the hour: each line rounded half-up to the cent, summed per teacher."""
    start, end = month_bounds(month)
    found = await rows(
        session,
        """
        WITH days AS (SELECT d::date AS day FROM generate_series(CAST(:start AS date), CAST(:end AS date), '1 day') d),
        rule AS (SELECT per_head_rule FROM billing_settings WHERE organization_id = :org
                 ORDER BY created_at DESC LIMIT 1),
        lines AS (
          SELECT cs.teacher_id, round(CASE r.payment_type
              WHEN 'per_class' THEN r.rate
              WHEN 'per_head' THEN r.rate * (SELECT count(*) FROM attendance_records ar
                   WHERE ar.class_session_id = cs.id AND (ar.status = 'present'
                     OR (ar.status = 'late' AND coalesce((SELECT per_head_rule::text FROM rule), 'present_and_late') = 'present_and_late')))
              ELSE 0 END, 2) AS amount
          FROM class_sessions cs
          CROSS JOIN LATERAL (SELECT payment_type, rate FROM teacher_rates tr WHERE tr.teacher_id = cs.teacher_id
                              AND tr.effective_from <= cs.date ORDER BY effective_from DESC LIMIT 1) r
          WHERE cs.organization_id = :org AND cs.status = 'held' AND cs.date BETWEEN :start AND :end
          UNION ALL
          SELECT stretch.teacher_id, round(stretch.rate * stretch.days / :month_days, 2)
          FROM (SELECT t.id AS teacher_id, r.rate, r.effective_from, count(*) AS days
                FROM teachers t CROSS JOIN days
                CROSS JOIN LATERAL (SELECT payment_type, rate, effective_from FROM teacher_rates tr
                                    WHERE tr.teacher_id = t.id AND tr.effective_from <= days.day
                                    ORDER BY effective_from DESC LIMIT 1) r
                WHERE t.organization_id = :org AND r.payment_type = 'fixed_monthly'
                GROUP BY t.id, r.rate, r.effective_from) stretch
          UNION ALL
          SELECT ps.teacher_id, round(ps.duration_minutes * r.private_hourly_rate / 60.0, 2)
          FROM private_sessions ps
          CROSS JOIN LATERAL (SELECT private_hourly_rate FROM teacher_rates tr WHERE tr.teacher_id = ps.teacher_id
                              AND tr.effective_from <= ps.date ORDER BY effective_from DESC LIMIT 1) r
          WHERE ps.organization_id = :org AND ps.status = 'held' AND ps.date BETWEEN :start AND :end
            AND r.private_hourly_rate IS NOT NULL
        )
        SELECT t.full_name, coalesce(sum(l.amount), 0)::numeric(12, 2)
        FROM teachers t LEFT JOIN lines l ON l.teacher_id = t.id
        WHERE t.organization_id = :org AND (CAST(:teacher AS text) IS NULL OR t.full_name = :teacher)
        GROUP BY t.full_name HAVING count(l.amount) > 0 ORDER BY t.full_name
        """,
        org=org,
        start=start,
        end=end,
        month_days=(end - start).days + 1,
        teacher=teacher,
    )
    return [f"{name}: {total} EUR" for name, total in found], []


async def missing(
    session: AsyncSession, org: uuid.UUID, *, today: date, since: date
) -> tuple[list[str], list[str]]:
    [(count,)] = await rows(
        session,
        """
        SELECT count(*) FROM class_sessions cs
        CROSS JOIN LATERAL (
          SELECT count(*) AS expected, count(ar.id) AS marked FROM student_groups m
          LEFT JOIN attendance_records ar ON ar.class_session_id = cs.id AND ar.student_id = m.student_id
          WHERE m.group_id = cs.group_id AND m.start_date <= cs.date AND (m.end_date IS NULL OR m.end_date >= cs.date)
        ) per
        WHERE cs.organization_id = :org AND cs.group_id IS NOT NULL AND cs.date BETWEEN :since AND :today
          AND (cs.status = 'held' OR (cs.status = 'scheduled' AND cs.date < :today))
          AND per.marked < per.expected
        """,
        org=org,
        today=today,
        since=since,
    )
    if not count:
        return [f"No sessions since {since.isoformat()}"], []
    return [f"{count} sessions since {since.isoformat()} are missing attendance"], []


async def at_risk(session: AsyncSession, org: uuid.UUID, *, today: date) -> tuple[list[str], list[str]]:
    """Must be listed: active members whose last three marks (84 days) are absences.
    Must not: members who came to every class in the last 84 days, with nothing overdue."""
    found = await rows(
        session,
        """
        WITH members AS (SELECT DISTINCT student_id FROM student_groups WHERE organization_id = :org
                         AND start_date <= :today AND (end_date IS NULL OR end_date >= :today)),
        marks AS (SELECT ar.student_id, ar.status,
                         row_number() OVER (PARTITION BY ar.student_id ORDER BY cs.date DESC) AS rn
                  FROM attendance_records ar JOIN class_sessions cs ON cs.id = ar.class_session_id
                  WHERE ar.organization_id = :org AND NOT ar.is_guest
                    AND cs.date BETWEEN CAST(:today AS date) - 84 AND :today
                    AND ar.student_id IN (SELECT student_id FROM members))
        SELECT s.full_name,
               bool_and(m.status = 'absent') FILTER (WHERE m.rn <= 3) AND count(*) FILTER (WHERE m.rn <= 3) = 3,
               bool_and(m.status IN ('present', 'late'))
                 AND NOT EXISTS (SELECT 1 FROM charges c WHERE c.student_id = s.id AND c.voided_at IS NULL
                                 AND c.due_date < :today AND c.amount > (SELECT coalesce(sum(a.amount), 0)
                                 FROM payment_allocations a WHERE a.charge_id = c.id))
        FROM marks m JOIN students s ON s.id = m.student_id
        GROUP BY s.id, s.full_name ORDER BY s.full_name
        """,
        org=org,
        today=today,
    )
    return [n for n, streak, _ in found if streak], [f"- {n} (" for n, _, steady in found if steady][:10]


async def notes_about(session: AsyncSession, org: uuid.UUID, *, contains: str) -> tuple[list[str], list[str]]:
    found = await rows(
        session,
        """
        SELECT s.full_name FROM student_notes n JOIN students s ON s.id = n.student_id
        WHERE n.organization_id = :org AND n.body ILIKE '%' || :contains || '%'
        """,
        org=org,
        contains=contains,
    )
    return [r[0] for r in found], []


async def student_in(session: AsyncSession, org: uuid.UUID, *, name: str) -> tuple[list[str], list[str]]:
    found = await rows(
        session,
        """
        SELECT g.name FROM student_groups m JOIN groups g ON g.id = m.group_id JOIN students s ON s.id = m.student_id
        WHERE m.organization_id = :org AND s.full_name = :name AND m.end_date IS NULL ORDER BY g.name
        """,
        org=org,
        name=name,
    )
    return [name, *(r[0] for r in found)], []


FACTS = {
    "unpaid": unpaid,
    "roster": roster,
    "schedule": schedule,
    "attendance": attendance,
    "revenue": revenue,
    "payouts": payouts,
    "missing": missing,
    "at_risk": at_risk,
    "notes_about": notes_about,
    "student_in": student_in,
}
