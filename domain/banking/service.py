"""Statement import and reconciliation: every line once, confident matches proposed, humans decide."""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit import service as audit
from domain.banking import formats
from domain.banking.formats import CsvMapping, ParsedLine
from domain.banking.matching import Candidate, Proposal
from domain.banking.models import BankImport, BankLine, LineStatus
from domain.banking.shortlist import Matcher
from domain.errors import Conflict, Invalid, NotFound
from domain.events import service as events
from domain.money import money
from domain.orgs.permissions import require_office
from domain.payments import service as payments
from domain.payments.models import Allocation, Charge, Payment, PaymentMethod, PaymentState
from domain.payments.receipts import MAX_NAME, check_filename
from domain.students.models import Guardian, Student, StudentStatus
from domain.students.service import get_student
from domain.tenancy import TenantContext
from domain.text import fold

# Rows per statement: psycopg sends at most 65,535 bind parameters, and a line has 18 columns.
BATCH = 2_000


@dataclass(frozen=True)
class ImportResult:
    import_id: uuid.UUID
    duplicate_file: bool
    lines_total: int
    lines_new: int
    by_status: dict[str, int]
    format: str = ""  # what the file was read as: the user's choice, or what its content said


async def _candidates(session: AsyncSession) -> list[Candidate]:
    """Active students with their guardians' names and what they owe: three queries for the whole org."""
    students = (
        await session.execute(
            select(Student.id, Student.full_name, Student.search_name).where(
                Student.status == StudentStatus.ACTIVE, Student.archived_at.is_(None)
            )
        )
    ).all()
    aliases: dict[uuid.UUID, list[str]] = defaultdict(list)
    for student_id, full_name in await session.execute(select(Guardian.student_id, Guardian.full_name)):
        aliases[student_id].append(fold(full_name))
    paid = (
        select(Allocation.charge_id, func.sum(Allocation.amount).label("paid"))
        .group_by(Allocation.charge_id)
        .subquery()
    )
    owed: dict[uuid.UUID, list[tuple[Decimal, date]]] = defaultdict(list)
    rows = await session.execute(
        select(Charge.student_id, Charge.amount - func.coalesce(paid.c.paid, 0), Charge.due_date)
        .outerjoin(paid, paid.c.charge_id == Charge.id)
        .where(Charge.voided_at.is_(None), Charge.amount > func.coalesce(paid.c.paid, 0))
        .order_by(Charge.due_date)
    )
    for student_id, left, due in rows:
        owed[student_id].append((money(left), due))
    return [
        Candidate(s.id, s.full_name, (s.search_name, *aliases[s.id]), tuple(owed[s.id])) for s in students
    ]


def parse(
    data: bytes, *, fmt: str = "auto", mapping: CsvMapping | None = None
) -> tuple[str, list[tuple[str, ParsedLine]]]:
    """(the format's label, keyed lines): the content decides the format unless ``fmt`` names one."""
    return formats.parse(data, fmt=fmt, mapping=mapping)


async def import_statement(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    filename: str,
    data: bytes,
    fmt: str = "auto",
    mapping: CsvMapping | None = None,
) -> ImportResult:
    """Import a statement: the same file or the same line twice creates nothing new."""
    require_office(tenant, "import bank statements")
    filename = check_filename(filename[:MAX_NAME] or "statement")  # no controls or direction overrides
    digest = hashlib.sha256(data).hexdigest()
    earlier = await session.scalar(select(BankImport).where(BankImport.file_sha256 == digest))
    if earlier is not None:
        return ImportResult(earlier.id, True, earlier.lines_total, 0, {}, earlier.format)
    label, lines = parse(data, fmt=fmt, mapping=mapping)
    keys = [key for key, _ in lines]
    known: set[str] = set()
    for start in range(0, len(keys), BATCH):
        chunk = keys[start : start + BATCH]
        found = await session.execute(select(BankLine.line_key).where(BankLine.line_key.in_(chunk)))
        known.update(found.scalars())
    batch = BankImport(
        organization_id=tenant.org_id,
        filename=filename,
        format=label,
        file_sha256=digest,
        lines_total=len(lines),
        lines_new=len(set(keys) - known),
        imported_by_user_id=tenant.user_id,
    )
    session.add(batch)
    await session.flush()
    matcher = Matcher(await _candidates(session))  # each line scored only against whom it may name or pay
    counts: dict[str, int] = defaultdict(int)
    rows: list[dict[str, Any]] = []  # one page at a time: a 50,000-line statement's rows never all at once
    for number, (key, line) in enumerate(lines, start=1):
        if key not in known:
            proposal = matcher.propose(line)
            counts[proposal.status.value] += 1
            rows.append(_line_row(tenant, batch.id, key, line, proposal))
        if len(rows) == BATCH or (number == len(lines) and rows):
            await _store(session, rows)
            rows.clear()
    await events.emit(session, tenant, "bank_statement.imported", {"import_id": str(batch.id), **counts})
    return ImportResult(batch.id, False, len(lines), batch.lines_new, dict(counts), label)


async def _store(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    # RETURNING lets SQLAlchemy send a page of rows per statement ("insertmanyvalues"); without it the
    # driver's executemany sent one statement per line (4 of the 6 s of a 5,000-line import once the
    # matching was fast). COPY is not an option: PostgreSQL refuses it on a table with RLS.
    table = cast(Table, BankLine.__table__)  # the Core table: SQLAlchemy types it as any FROM
    await session.execute(insert(table).returning(table.c.id), rows)


def _line_row(
    tenant: TenantContext, import_id: uuid.UUID, key: str, line: ParsedLine, proposal: Proposal
) -> dict[str, Any]:
    return {
        "organization_id": tenant.org_id,
        "import_id": import_id,
        "line_key": key,
        "booked_on": line.booked_on,
        "value_date": line.value_date,
        "amount": line.amount,
        "currency": line.currency,
        "payer_name": line.payer_name,
        "payer_iban": line.payer_iban,
        "reference": line.reference,
        "bank_transaction_id": line.bank_id,
        "status": proposal.status,
        "proposed_student_id": proposal.best.student_id if proposal.best else None,
        "confidence": proposal.best.score
        if proposal.best
        else (proposal.candidates[0].score if proposal.candidates else None),
        "candidates": [
            {"student_id": str(c.student_id), "name": c.name, "score": c.score, "reasons": list(c.reasons)}
            for c in proposal.candidates
        ],
        "raw": line.raw,
    }


async def _open_line(session: AsyncSession, line_id: uuid.UUID) -> BankLine:
    line = await session.get(BankLine, line_id, with_for_update=True)
    if line is None:
        raise NotFound("No such bank line.")
    if line.status in (LineStatus.MATCHED, LineStatus.IGNORED):
        raise Conflict("This line was already {status}.", values={"status": line.status.value})
    return line


async def _payment_from_line(
    session: AsyncSession,
    tenant: TenantContext,
    line: BankLine,
    student_id: uuid.UUID,
    amount: Decimal,
    now: datetime,
) -> Payment:
    await get_student(session, tenant, student_id)
    payment = Payment(
        organization_id=tenant.org_id,
        student_id=student_id,
        amount=amount,
        received_on=line.booked_on,
        method=PaymentMethod.BANK_TRANSFER,
        payer_reference=line.reference,
        payer_name=line.payer_name,
        state=PaymentState.RECORDED,
        bank_line_id=line.id,
        recorded_by_user_id=tenant.user_id,
        decided_at=now,
        decided_by_user_id=tenant.user_id,
    )
    session.add(payment)
    await session.flush()
    await payments.allocate_oldest_first_to(session, tenant, payment)
    return payment


async def confirm(
    session: AsyncSession,
    tenant: TenantContext,
    line_id: uuid.UUID,
    *,
    student_id: uuid.UUID | None,
    now: datetime,
) -> Payment:
    """Accept a match (the proposal by default): one payment, allocated oldest first."""
    require_office(tenant, "reconcile payments")
    line = await _open_line(session, line_id)
    chosen = student_id or line.proposed_student_id
    if chosen is None:
        raise Invalid("Say whose payment this is.", details={"field": "student_id"})
    payment = await _payment_from_line(session, tenant, line, chosen, line.amount, now)
    line.status = LineStatus.MATCHED
    await audit.record(
        session,
        tenant,
        action="bank_line.matched",
        entity_type="bank_line",
        entity_id=line.id,
        after={
            "student_id": str(chosen),
            "payment_id": str(payment.id),
            "proposed": str(line.proposed_student_id),
        },
    )
    await events.emit(
        session, tenant, "payment.recorded", {"payment_id": str(payment.id), "student_id": str(chosen)}
    )
    return payment


async def split(
    session: AsyncSession,
    tenant: TenantContext,
    line_id: uuid.UUID,
    *,
    parts: list[tuple[uuid.UUID, Decimal]],
    now: datetime,
) -> list[Payment]:
    """One transfer paying for several students (siblings): the parts must add up to the line."""
    require_office(tenant, "reconcile payments")
    line = await _open_line(session, line_id)
    if len(parts) < 2 or any(amount <= 0 for _, amount in parts):
        raise Invalid("A split needs at least two positive parts.", details={"field": "parts"})
    if sum((money(a) for _, a in parts), Decimal("0.00")) != line.amount:
        raise Invalid(
            "The parts must add up to {amount}.", values={"amount": line.amount}, details={"field": "parts"}
        )
    payments = [await _payment_from_line(session, tenant, line, sid, money(a), now) for sid, a in parts]
    line.status = LineStatus.MATCHED
    await audit.record(
        session,
        tenant,
        action="bank_line.split",
        entity_type="bank_line",
        entity_id=line.id,
        after={str(s): str(a) for s, a in parts},
    )
    return payments


async def ignore(
    session: AsyncSession, tenant: TenantContext, line_id: uuid.UUID, *, reason: str
) -> BankLine:
    """Not tuition (a refund, a bank fee, a mistake): kept, marked, with the reason."""
    require_office(tenant, "reconcile payments")
    line = await _open_line(session, line_id)
    if not reason.strip():
        raise Invalid("Say why the line is set aside.", details={"field": "reason"})
    line.status = LineStatus.IGNORED
    await session.flush()
    await audit.record(
        session,
        tenant,
        action="bank_line.ignored",
        entity_type="bank_line",
        entity_id=line.id,
        reason=reason.strip(),
    )
    return line


async def inbox(session: AsyncSession, tenant: TenantContext) -> list[BankLine]:
    """Lines waiting for a human: proposed, ambiguous and unmatched transfers, oldest first."""
    require_office(tenant, "reconcile payments")
    query = (
        select(BankLine)
        .where(BankLine.status.in_([LineStatus.PROPOSED, LineStatus.AMBIGUOUS, LineStatus.UNMATCHED]))
        .order_by(BankLine.booked_on, BankLine.id)
    )
    return list((await session.execute(query)).scalars())
