"""Two organizations with one row in every tenant table, and the people who act in them.

Used by the attack matrix. Rows are written through the app role under RLS, each in its own
organization's context, exactly as the services would. LangGraph's checkpoint tables are tenant
tables too, though not ours: their rows are keyed by thread id, and their ``organization_id`` is
generated from it (``migrations/checkpoints.py``), so a row names its organization only there.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.actions.models import ActionStatus
from domain.attendance.models import AttendanceStatus
from domain.auth.models import User
from domain.banking.models import LineStatus
from domain.cash_reports.models import CashReportStatus
from domain.db import use_tenant
from domain.embeddings import HashingEmbedder
from domain.groups.models import GroupStatus
from domain.models import Base
from domain.notifications.models import Channel, Status
from domain.payments.models import ChargeKind, PaymentMethod, PaymentState, ReceiptStatus
from domain.payouts.models import PayoutStatus
from domain.scheduling.models import FeedKind
from domain.sessions.models import SessionStatus
from domain.teachers.models import TeacherPaymentType
from domain.tenancy import Role, TenantContext
from migrations.checkpoints import CHECKPOINT_TABLES
from tests.domain.checkpoint_rows import CHECKPOINT_TABLE_DEFS, checkpoint_row, conversation_thread
from tests.factories import add_member, make_org, make_user, tenant_of


@dataclass
class OrgRows:
    """One row of every tenant table in one organization, plus pools for unique columns."""

    org_id: uuid.UUID
    ids: dict[str, uuid.UUID] = field(default_factory=dict)
    threads: dict[str, str] = field(default_factory=dict)  # checkpoint table -> its row's thread id
    spare_students: Iterator[uuid.UUID] = field(default_factory=lambda: iter(()))

    def __getitem__(self, table: str) -> uuid.UUID:
        return self.ids[table]


def _users(pool: Iterator[uuid.UUID]) -> Callable[[OrgRows], dict[str, Any]]:
    return lambda r: {"user_id": next(pool), "role": Role.STAFF}


_days = itertools.count(1)


def row_builders(user_pool: Iterator[uuid.UUID]) -> dict[str, Callable[[OrgRows], dict[str, Any]]]:
    """Column values for a new row of each tenant table, referencing the given organization's parents."""
    day = date(2026, 1, 5)
    absent_days = itertools.count(day.toordinal())  # one absence per teacher and day
    return {
        "students": lambda r: {"full_name": "Ana García"},
        "teachers": lambda r: {
            "full_name": "Lucía Romero",
            "payment_type": TeacherPaymentType.PER_CLASS,
            "rate_per_class": Decimal("40.00"),
        },
        "venues": lambda r: {"name": "Studio Centro"},
        "groups": lambda r: {
            "name": "Salsa Beginners",
            "status": GroupStatus.ACTIVE,
            "venue_id": r["venues"],
            "teacher_id": r["teachers"],
        },
        "student_groups": lambda r: {"student_id": r["students"], "group_id": r["groups"], "start_date": day},
        "class_sessions": lambda r: {
            "group_id": r["groups"],
            "venue_id": r["venues"],
            "teacher_id": r["teachers"],
            "date": day,
            "status": SessionStatus.SCHEDULED,
        },
        "attendance_records": lambda r: {
            "class_session_id": r["class_sessions"],
            "student_id": next(r.spare_students),
            "status": AttendanceStatus.PRESENT,
        },
        "private_sessions": lambda r: {
            "teacher_id": r["teachers"],
            "student_id": r["students"],
            "venue_id": r["venues"],
            "date": day,
            "duration_minutes": 60,
            "status": SessionStatus.SCHEDULED,
        },
        "charges": lambda r: {
            "student_id": r["students"],
            "kind": ChargeKind.OTHER,
            "description": "Costume",
            "amount": Decimal("30.00"),
            "due_date": day,
        },
        "payments": lambda r: {
            "student_id": r["students"],
            "amount": Decimal("45.00"),
            "received_on": day,
            "method": PaymentMethod.BANK_TRANSFER,
            "state": PaymentState.RECORDED,
        },
        "payment_allocations": lambda r: {
            "payment_id": r["payments"],
            "charge_id": r["charges"],
            "amount": Decimal("1.00"),
        },
        "receipts": lambda r: {
            "student_id": r["students"],
            "payment_id": r["payments"],
            "storage_key": uuid.uuid4().hex,
            "original_filename": "receipt.pdf",
            "content_type": "application/pdf",
            "size_bytes": 10,
            "sha256": "0" * 64,
            "status": ReceiptStatus.PENDING,
        },
        "receipt_links": lambda r: {
            "student_id": r["students"],
            "token_hash": uuid.uuid4().hex,
            "expires_at": datetime.now(UTC) + timedelta(days=1),
        },
        "billing_settings": lambda r: {},
        "bank_imports": lambda r: {
            "filename": "statement.csv",
            "format": "csv:generic",
            "file_sha256": uuid.uuid4().hex,
            "lines_total": 1,
            "lines_new": 1,
        },
        "bank_lines": lambda r: {
            "import_id": r["bank_imports"],
            "line_key": uuid.uuid4().hex,
            "booked_on": day,
            "amount": Decimal("45.00"),
            "currency": "EUR",
            "status": LineStatus.PROPOSED,
            "proposed_student_id": r["students"],
        },
        "bank_csv_mappings": lambda r: {"name": f"Bank {uuid.uuid4().hex[:8]}", "mapping": {}},
        "teacher_rates": lambda r: {
            "teacher_id": r["teachers"],
            "payment_type": TeacherPaymentType.PER_CLASS,
            "rate": Decimal("40.00"),
            "effective_from": day + timedelta(days=next(_days)),
        },
        "teacher_payouts": lambda r: {
            "teacher_id": r["teachers"],
            "period_start": day + timedelta(days=next(_days)),
            "period_end": date(2030, 1, 1),
            "total_amount": Decimal("320.00"),
            "status": PayoutStatus.APPROVED,
            "approved_at": datetime.now(UTC),
        },
        "payout_lines": lambda r: {
            "payout_id": r["teacher_payouts"],
            "kind": "class",
            "description": "Salsa",
            "quantity": Decimal(1),
            "rate": Decimal("40.00"),
            "amount": Decimal("40.00"),
            "class_session_id": r["class_sessions"],
        },
        "audit_log": lambda r: {"action": "probe", "entity_type": "student", "entity_id": r["students"]},
        "domain_events": lambda r: {"type": "probe.happened", "payload": {"n": 1}},
        "organization_members": _users(user_pool),
        "invitations": lambda r: {
            "email": f"{uuid.uuid4().hex[:10]}@example.org",
            "role": Role.STAFF,
            "token_hash": uuid.uuid4().hex,
            "expires_at": datetime.now(UTC) + timedelta(days=1),
        },
        "api_keys": lambda r: {
            "name": "probe",
            "prefix": "cad_probe",
            "key_hash": uuid.uuid4().hex,
            "scopes": ["read"],
        },
        "pending_actions": lambda r: {
            "user_id": next(user_pool),
            "tool": "mark_attendance",
            "args": {},
            "action_hash": "0" * 64,
            "preview": "Mark attendance",
            "status": ActionStatus.PENDING,
            "expires_at": datetime.now(UTC),
        },
        "guardians": lambda r: {"student_id": r["students"], "full_name": "Marta García"},
        "student_notes": lambda r: {
            "student_id": r["students"],
            "body": "Prefers the front row",
            "embedding": HashingEmbedder().embed(["Prefers the front row"])[0],
        },
        "copilot_threads": lambda r: {
            "thread_key": f"test:{uuid.uuid4()}",
            "user_id": next(user_pool),
            "channel": "cli",
            "chat": "test",
        },
        "copilot_turns": lambda r: {
            "thread_key": "test",
            "user_id": next(user_pool),
            "planner": "offline",
            "outcome": "answered",
        },
        "registration_submissions": lambda r: {
            "student_id": r["students"],
            "ip": "192.0.2.1",
            "outcome": "created",
        },
        "notification_settings": lambda r: {"quiet_start": time(22, 0)},
        "notification_opt_outs": lambda r: {"recipient": f"user:{uuid.uuid4()}", "kind": None},
        "notifications": lambda r: {
            "recipient": f"student:{uuid.uuid4()}",
            "kind": "payment_reminder",
            "period": "2026-11-26",
            "channel": Channel.EMAIL,
            "address": "family@example.com",
            "subject": "Tuition reminder",
            "body": "Our records show 80.00 EUR open.",
            "status": Status.PENDING,
        },
        "webhook_endpoints": lambda r: {"url": "https://hooks.example.com/cadence"},
        "group_slots": lambda r: {
            "group_id": r["groups"],
            "weekday": 0,
            "start_time": time(18),
            "end_time": time(19),
            "interval_weeks": 1,
            "anchor_date": day,
            "valid_from": day,
        },
        "closures": lambda r: {
            "start_date": day,
            "end_date": day,
            "venue_id": r["venues"],
            "reason": "Repairs",
        },
        "calendar_feeds": lambda r: {
            "kind": FeedKind.GROUP,
            "target_id": r["groups"],
            "token_hash": uuid.uuid4().hex,
        },
        "import_batches": lambda r: {
            "kind": "students",
            "content_sha256": uuid.uuid4().hex,
            "filename": "alumnos.csv",
            "summary": {},
        },
        "exported_files": lambda r: {
            "filename": "unpaid.csv",
            "media_type": "text/csv",
            "content": b"a,b\r\n",
            "expires_at": datetime(2026, 1, 6, tzinfo=UTC),
        },
        "simulated_traits": lambda r: {
            "student_id": next(r.spare_students),
            "joined_on": day,
            "will_drop_out": False,
            "late_payer": True,
            "attendance_propensity": 0.8,
        },
        "insight_models": lambda r: {"kind": f"dropout-{uuid.uuid4().hex}", "fitted_on": day, "model": {}},
        "cash_reports": lambda r: {
            "student_id": r["students"],
            "amount": Decimal("45.00"),
            "received_on": day,
            "status": CashReportStatus.AWAITING,
            "payment_id": r["payments"],
        },
        "teacher_absences": lambda r: {
            "teacher_id": r["teachers"],
            "date": date.fromordinal(next(absent_days)),
        },
        "group_waitlist": lambda r: {  # removed: many rows for one student, outside the waiting-once index
            "group_id": r["groups"],
            "student_id": r["students"],
            "removed_at": datetime(2026, 1, 5, tzinfo=UTC),
        },
    }


# Tables whose rows point at other tenant rows: a foreign parent must be refused by the composite FK.
CHILD_TABLES = (
    "groups",
    "student_groups",
    "class_sessions",
    "attendance_records",
    "private_sessions",
    "charges",
    "payments",
    "payment_allocations",
    "receipts",
    "receipt_links",
    "bank_lines",
    "teacher_rates",
    "teacher_payouts",
    "payout_lines",
    "guardians",
    "registration_submissions",
    "simulated_traits",
    "group_slots",
    "closures",
    "teacher_absences",
    "cash_reports",
    "group_waitlist",
)


def table(name: str) -> Table:
    return Base.metadata.tables[name]


@dataclass
class World:
    a: OrgRows
    b: OrgRows
    actors: dict[str, TenantContext | None]
    builders: dict[str, Callable[[OrgRows], dict[str, Any]]]
    admin_a: TenantContext
    admin_b: TenantContext

    def values(self, table_name: str, rows: OrgRows, *, org_id: uuid.UUID | None = None) -> dict[str, Any]:
        """A new row of ``table_name`` on ``rows``' parents, labelled ``org_id`` (default: theirs)."""
        if table_name in CHECKPOINT_TABLES:
            return checkpoint_row(table_name, conversation_thread(org_id or rows.org_id))
        return {
            "id": uuid.uuid4(),
            "organization_id": org_id or rows.org_id,
            **self.builders[table_name](rows),
        }


async def _global_users(session: AsyncSession, count: int) -> list[uuid.UUID]:
    ids = [uuid.uuid4() for _ in range(count)]
    await session.execute(
        insert(User), [{"id": i, "email": f"pool-{i.hex}@example.org", "password_hash": "x"} for i in ids]
    )
    return ids


async def _fill(session: AsyncSession, tenant: TenantContext, builders: dict[str, Any]) -> OrgRows:
    await use_tenant(session, tenant)
    rows = OrgRows(org_id=tenant.org_id)
    spare = [uuid.uuid4() for _ in range(60)]
    await session.execute(
        insert(table("students")),
        [{"id": i, "organization_id": tenant.org_id, "full_name": "Spare"} for i in spare],
    )
    rows.spare_students = iter(spare)
    rows.ids["organizations"] = tenant.org_id
    for name, build in builders.items():
        row_id = uuid.uuid4()
        await session.execute(
            insert(table(name)).values(id=row_id, organization_id=tenant.org_id, **build(rows))
        )
        rows.ids[name] = row_id
    for name in CHECKPOINT_TABLES:
        values = checkpoint_row(name, conversation_thread(tenant.org_id))
        await session.execute(insert(CHECKPOINT_TABLE_DEFS[name]).values(values))
        rows.threads[name] = values["thread_id"]
    return rows


async def build_world(session: AsyncSession) -> World:
    admin_a, teacher_a, staff_a, admin_b, multi = [
        await make_user(session, label) for label in ("admin-a", "teacher-a", "staff-a", "admin-b", "multi")
    ]
    org_a, tenant_a = await make_org(session, admin_a, name="Studio A")
    org_b, tenant_b = await make_org(session, admin_b, name="Studio B")
    await add_member(session, org_a.id, teacher_a, Role.TEACHER)
    await add_member(session, org_a.id, staff_a, Role.STAFF)
    await add_member(session, org_a.id, multi, Role.STAFF)
    await add_member(session, org_b.id, multi, Role.TEACHER)

    builders = row_builders(iter(await _global_users(session, 400)))
    rows_a = await _fill(session, tenant_a, builders)
    rows_b = await _fill(session, tenant_b, builders)

    actors: dict[str, TenantContext | None] = {
        "admin of A": await tenant_of(session, admin_a, org_a.id),
        "teacher of A": await tenant_of(session, teacher_a, org_a.id),
        "staff of A": await tenant_of(session, staff_a, org_a.id),
        "multi-org user switched back to A": await tenant_of(session, multi, org_a.id),
        "admin of B": await tenant_of(session, admin_b, org_b.id),
        "multi-org user switched to B": await tenant_of(session, multi, org_b.id),
        "no tenant set": None,
    }
    return World(a=rows_a, b=rows_b, actors=actors, builders=builders, admin_a=tenant_a, admin_b=tenant_b)
