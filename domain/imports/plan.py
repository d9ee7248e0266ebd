"""From a file to a plan: every row read, checked, matched to an existing student or marked new, and what
applying it would change. Reads only; ``service.apply_import`` carries a plan out."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.groups.models import Group, GroupStatus, StudentGroup
from domain.imports import mapping as columns
from domain.imports.models import ImportBatch
from domain.imports.reading import read_sheet
from domain.imports.rows import RowError, StudentRow, check_limits, parse_row
from domain.imports.schemas import ImportPreview, Outcome, RowOutcome, RowProblem
from domain.orgs.permissions import require_office
from domain.orgs.service import org_country
from domain.students.models import Guardian, Student, StudentStatus
from domain.tenancy import TenantContext
from domain.text import fold

KIND = "students"


@dataclass
class PlannedRow:
    row: StudentRow
    student: Student | None = None  # the existing student it matches
    new_guardians: list[int] = field(default_factory=list)  # indexes into row.guardians
    joins: list[tuple[str, date]] = field(default_factory=list)  # (folded group name, since)
    family: str | None = None  # the label whose family this student joins (when not in one yet)

    @property
    def outcome(self) -> Outcome:
        if self.row.empty:
            return "empty"
        if self.row.errors:
            return "error"
        return "existing" if self.student is not None else "new"


@dataclass
class Plan:
    filename: str
    content_sha256: str
    headers: list[str]
    mapping: dict[int, str]
    rows: list[PlannedRow]
    groups: dict[str, Group]  # folded name → existing group
    new_groups: dict[str, str]  # folded name → the name as first written
    families: dict[str, uuid.UUID | None]  # label → an existing family id some matched member has
    applied_before: bool

    @property
    def errors(self) -> list[PlannedRow]:
        return [p for p in self.rows if p.row.errors]

    def preview(self) -> ImportPreview:
        outcomes = [_outcome(p, self) for p in self.rows]
        counts = {
            kind: sum(o.outcome == kind for o in outcomes) for kind in ("new", "existing", "error", "empty")
        }
        return ImportPreview(
            filename=self.filename,
            content_sha256=self.content_sha256,
            columns={h: self.mapping.get(i) for i, h in enumerate(self.headers) if h},
            rows=outcomes,
            counts=counts,
            new_groups=sorted(self.new_groups.values()),
            can_apply=not self.errors,
            already_applied=self.applied_before,
        )


def _outcome(p: PlannedRow, plan: Plan) -> RowOutcome:
    changes: list[str] = []
    if p.outcome in ("new", "existing"):
        if p.student is None:
            changes.append(f"new student {p.row.full_name}")
        changes += [f"guardian {p.row.guardians[i].full_name}" for i in p.new_guardians]
        for key, since in p.joins:
            name = plan.groups[key].name if key in plan.groups else plan.new_groups[key]
            changes.append(f"joins {name} from {since.isoformat()}")
        if p.family:
            changes.append(f"family {p.family}")
    return RowOutcome(
        row=p.row.number,
        outcome=p.outcome,
        full_name=p.row.full_name,
        student_id=p.student.id if p.student else None,
        changes=changes,
        errors=[RowProblem(column=e.column, message=e.message) for e in p.row.errors],
    )


def content_key(data: bytes, overrides: dict[str, str | None]) -> str:
    digest = hashlib.sha256(data)
    digest.update(json.dumps(overrides, sort_keys=True).encode())
    return digest.hexdigest()


def _mark_duplicates(rows: list[StudentRow]) -> None:
    """The same student twice in one file: the later row is an error naming the first."""
    seen: dict[str, list[StudentRow]] = defaultdict(list)
    for row in rows:
        if row.empty or not row.full_name:
            continue
        for earlier in seen[row.key]:
            if row.date_of_birth and earlier.date_of_birth and row.date_of_birth != earlier.date_of_birth:
                continue  # namesakes born on different days are two people
            row.errors.append(
                RowError(None, f"The same student as row {earlier.number} ({earlier.full_name}).")
            )
            break
        seen[row.key].append(row)


def _match(row: StudentRow, candidates: list[Student]) -> Student | None:
    fits = [
        s
        for s in candidates
        if not (row.date_of_birth and s.date_of_birth and row.date_of_birth != s.date_of_birth)
        and not (row.email and s.email and row.email != s.email)
    ]
    if len(fits) > 1:
        row.errors.append(
            RowError(
                None, f"{len(fits)} students are called {row.full_name}: add a date of birth or an email."
            )
        )
        return None
    return fits[0] if fits else None


async def make_plan(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    data: bytes,
    filename: str,
    overrides: dict[str, str | None] | None,
    today: date,
) -> Plan:
    require_office(tenant, "import students")
    sheet = read_sheet(data, filename)
    guessed, implied = columns.guess(sheet.headers)
    mapping = columns.apply_overrides(sheet.headers, guessed, overrides or {})
    columns.require_name(sheet.headers, mapping)
    slots = {
        int(mapping[i][8]): rel for i, rel in implied.items() if mapping.get(i, "").startswith("guardian")
    }
    by_field = {f: sheet.headers[i] for i, f in mapping.items()}
    country = await org_country(session, tenant)
    rows = [
        parse_row(
            number,
            {f: cells[i] for i, f in mapping.items()},
            by_field,
            country=country,
            today=today,
            implied=slots,
        )
        for number, cells in enumerate(sheet.rows, start=2)
    ]
    for row in rows:
        check_limits(row)
    _mark_duplicates(rows)
    key = content_key(data, overrides or {})
    applied = await session.scalar(
        select(ImportBatch.id).where(ImportBatch.kind == KIND, ImportBatch.content_sha256 == key)
    )
    plan = Plan(filename, key, sheet.headers, mapping, [], {}, {}, {}, applied is not None)
    await _resolve(session, plan, rows)
    return plan


async def _resolve(session: AsyncSession, plan: Plan, rows: list[StudentRow]) -> None:
    """Match rows to students and groups, and work out each row's changes."""
    names = {r.key for r in rows if r.full_name}
    candidates: dict[str, list[Student]] = defaultdict(list)
    query = select(Student).where(
        Student.search_name.in_(names),
        Student.status != StudentStatus.REJECTED,
        Student.archived_at.is_(None),
    )
    for found in (await session.execute(query)).scalars():
        candidates[found.search_name].append(found)
    plan.groups = {g.search_name: g for g in (await session.execute(select(Group))).scalars()}
    matched = [s.id for group in candidates.values() for s in group]
    guardians: dict[uuid.UUID, set[str]] = defaultdict(set)
    for g in (await session.execute(select(Guardian).where(Guardian.student_id.in_(matched)))).scalars():
        guardians[g.student_id].add(fold(g.full_name))
    ends: dict[tuple[uuid.UUID, uuid.UUID], list[date | None]] = defaultdict(list)  # (student, group)
    for m in (
        await session.execute(select(StudentGroup).where(StudentGroup.student_id.in_(matched)))
    ).scalars():
        ends[(m.student_id, m.group_id)].append(m.end_date)
    for row in rows:
        planned = PlannedRow(row)
        plan.rows.append(planned)
        if row.empty or row.errors:
            continue
        planned.student = student = _match(row, candidates[row.key])
        if row.errors:
            continue
        known = guardians[student.id] if student else set()
        planned.new_guardians = [i for i, g in enumerate(row.guardians) if fold(g.full_name) not in known]
        for membership in row.groups:
            key = fold(membership.group)
            group = plan.groups.get(key)
            if group is not None and group.status is GroupStatus.CLOSED:
                row.errors.append(RowError(None, f"The group {group.name} is closed."))
                continue
            if group is None:
                plan.new_groups.setdefault(key, membership.group)
            elif student is not None and any(
                end is None or end >= membership.since for end in ends[(student.id, group.id)]
            ):
                continue  # already in the group then (what enrolling would refuse): nothing to do
            if all(k != key for k, _ in planned.joins):  # "Salsa; Salsa" joins once
                planned.joins.append((key, membership.since))
        if student is not None and student.status is not StudentStatus.ACTIVE and planned.joins:
            row.errors.append(
                RowError(None, f"{student.full_name} is not an active student ({student.status.value}).")
            )
        if row.family:
            if student is not None and student.family_id is not None:
                if plan.families.get(row.family) is None:  # siblings join the family one of them has
                    plan.families[row.family] = student.family_id
            else:
                planned.family = row.family
                plan.families.setdefault(row.family, None)
