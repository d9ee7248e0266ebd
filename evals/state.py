"""The database state write cases are judged by (τ-style), read with plain SQL, and what the
reference action must leave behind — computed from the case, not from the tools."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from evals.truth import rows

# Everything a copilot write could touch; before a confirmation it must not move at all.
FINGERPRINT = """
SELECT md5(coalesce((SELECT string_agg(student_id::text || class_session_id::text || status::text, ',' ORDER BY id)
                     FROM attendance_records WHERE organization_id = :org), '')
        || coalesce((SELECT string_agg(id::text || amount::text || state::text, ',' ORDER BY id)
                     FROM payments WHERE organization_id = :org), '')
        || coalesce((SELECT string_agg(id::text || status::text || coalesce(cancel_reason, '') || teacher_id::text
                                       || coalesce(start_time::text, '') || coalesce(venue_id::text, ''), ',' ORDER BY id)
                     FROM class_sessions WHERE organization_id = :org), '')
        || coalesce((SELECT string_agg(id::text || coalesce(valid_until::text, ''), ',' ORDER BY id)
                     FROM group_slots WHERE organization_id = :org), '')
        || (SELECT count(*) FROM closures WHERE organization_id = :org)::text
        || coalesce((SELECT string_agg(id::text || start_date::text || coalesce(end_date::text, ''), ',' ORDER BY id)
                     FROM student_groups WHERE organization_id = :org), '')
        || coalesce((SELECT string_agg(id::text, ',' ORDER BY id) FROM student_notes WHERE organization_id = :org), '')
        || (SELECT count(*) FROM domain_events WHERE organization_id = :org AND type = 'payment.reminder_requested')::text)
"""


async def fingerprint(session: AsyncSession, org: uuid.UUID) -> str:
    [(value,)] = await rows(session, FINGERPRINT, org=org)
    return str(value)


async def snapshot(session: AsyncSession, org: uuid.UUID, spec: dict[str, Any]) -> Any:
    """The part of the state a write case looks at."""
    kind = spec["kind"]
    if kind == "attendance":
        return {
            (name, status)
            for name, status in await rows(
                session,
                """
                SELECT s.full_name, ar.status::text FROM attendance_records ar
                JOIN class_sessions cs ON cs.id = ar.class_session_id JOIN groups g ON g.id = cs.group_id
                JOIN students s ON s.id = ar.student_id
                WHERE ar.organization_id = :org AND g.name = :group AND cs.date = :day
                """,
                org=org,
                group=spec["group"],
                day=date.fromisoformat(spec["date"]),
            )
        }
    if kind == "payment":
        return sorted(
            (str(amount), method, day.isoformat())
            for amount, method, day in await rows(
                session,
                """
                SELECT p.amount, p.method::text, p.received_on FROM payments p JOIN students s ON s.id = p.student_id
                WHERE p.organization_id = :org AND s.full_name = :student
                """,
                org=org,
                student=spec["student"],
            )
        )
    if kind == "cancelled":
        return sorted(
            (status, reason or "")
            for status, reason in await rows(
                session,
                """
                SELECT cs.status::text, cs.cancel_reason FROM class_sessions cs JOIN groups g ON g.id = cs.group_id
                WHERE cs.organization_id = :org AND g.name = :group AND cs.date = :day
                """,
                org=org,
                group=spec["group"],
                day=date.fromisoformat(spec["date"]),
            )
        )
    if kind in ("enrolled", "moved"):
        return {
            (group, start.isoformat(), end.isoformat() if end else None)
            for group, start, end in await rows(
                session,
                """
                SELECT g.name, m.start_date, m.end_date FROM student_groups m
                JOIN groups g ON g.id = m.group_id JOIN students s ON s.id = m.student_id
                WHERE m.organization_id = :org AND s.full_name = :student
                """,
                org=org,
                student=spec["student"],
            )
        }
    if kind == "note":
        return sorted(
            body
            for (body,) in await rows(
                session,
                """
                SELECT n.body FROM student_notes n JOIN students s ON s.id = n.student_id
                WHERE n.organization_id = :org AND s.full_name = :student
                """,
                org=org,
                student=spec["student"],
            )
        )
    if kind == "reminder":
        [(count,)] = await rows(
            session,
            """
            SELECT count(*) FROM domain_events e JOIN students s ON s.id::text = e.payload->>'student_id'
            WHERE e.organization_id = :org AND e.type = 'payment.reminder_requested' AND s.full_name = :student
            """,
            org=org,
            student=spec["student"],
        )
        return count
    if kind == "taught_by":
        return sorted(
            (teacher, status)
            for teacher, status in await rows(
                session,
                """
                SELECT t.full_name, cs.status::text FROM class_sessions cs JOIN groups g ON g.id = cs.group_id
                JOIN teachers t ON t.id = cs.teacher_id
                WHERE cs.organization_id = :org AND g.name = :group AND cs.date = :day
                """,
                org=org,
                group=spec["group"],
                day=date.fromisoformat(spec["date"]),
            )
        )
    if kind == "closed":
        return sorted(
            (status, reason or "")
            for status, reason in await rows(
                session,
                """
                SELECT cs.status::text, cs.cancel_reason FROM class_sessions cs JOIN venues v ON v.id = cs.venue_id
                WHERE cs.organization_id = :org AND v.name = :venue AND cs.date = :day
                """,
                org=org,
                venue=spec["venue"],
                day=date.fromisoformat(spec["date"]),
            )
        )
    if kind == "slot_time":
        return sorted(
            (day.isoformat(), start.strftime("%H:%M"), status)
            for day, start, status in await rows(
                session,
                """
                SELECT cs.date, cs.start_time, cs.status::text FROM class_sessions cs JOIN groups g ON g.id = cs.group_id
                WHERE cs.organization_id = :org AND g.name = :group AND cs.date >= :today
                """,
                org=org,
                group=spec["group"],
                today=date.fromisoformat(spec["today"]),
            )
        )
    raise ValueError(f"unknown state kind {kind!r}")


async def expected(session: AsyncSession, org: uuid.UUID, spec: dict[str, Any], before: Any) -> Any:
    """The state the reference action leaves, from the state before it and the case's spec."""
    kind = spec["kind"]
    if kind == "attendance":
        day = date.fromisoformat(spec["date"])
        members = await rows(
            session,
            """
            SELECT s.full_name FROM student_groups m JOIN groups g ON g.id = m.group_id
            JOIN students s ON s.id = m.student_id
            WHERE m.organization_id = :org AND g.name = :group AND m.start_date <= :day
              AND (m.end_date IS NULL OR m.end_date >= :day)
            """,
            org=org,
            group=spec["group"],
            day=day,
        )
        absent = set(spec.get("absent", []))
        return {(name, "absent" if name in absent else "present") for (name,) in members}
    if kind == "payment":
        amount = str(Decimal(str(spec["amount"])).quantize(Decimal("0.01")))
        return sorted([*before, (amount, spec.get("method", "bank_transfer"), spec["received_on"])])
    if kind == "cancelled":
        return [("cancelled", spec["reason"])]
    if kind == "enrolled":
        return {*before, (spec["group"], spec["start"], None)}
    if kind == "moved":
        on = date.fromisoformat(spec["on"])
        ended = {
            (g, s, (on - timedelta(days=1)).isoformat())
            if g == spec["from_group"] and e is None
            else (g, s, e)
            for g, s, e in before
        }
        return {*ended, (spec["group"], spec["on"], None)}
    if kind == "note":
        return sorted([*before, spec["body"]])
    if kind == "reminder":
        return before + 1
    if kind == "taught_by":
        return [(spec["teacher"], "scheduled")]
    if kind == "closed":  # every class there that day, cancelled with the closure's reason
        return [
            ("cancelled", f"Closed: {spec['reason']}") for status, _ in before if status == "scheduled"
        ] + [(status, reason) for status, reason in before if status != "scheduled"]
    if kind == "slot_time":  # from the date on, scheduled classes move; everything before stays
        return sorted(
            (day, spec["start_time"] if day >= spec["date"] and status == "scheduled" else start, status)
            for day, start, status in before
        )
    raise ValueError(f"unknown state kind {kind!r}")
