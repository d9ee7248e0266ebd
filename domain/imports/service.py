"""Spreadsheet import of students, guardians, families (siblings) and group memberships.

``preview_import`` reads the file and says, row by row, what applying would do (new student, matches an
existing one, or the errors that stop it); it changes nothing. ``apply_import`` carries out the same plan in
the caller's transaction, all or nothing: one row in error and nothing is written. Applying is keyed by the
file and the mapping (``import_batches``), so the same file applied twice — one after the other or at the
same moment — creates everything once; and because rows match existing students by name (and date of birth
or email when given), importing an export of the same school creates nothing new either.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit import service as audit
from domain.errors import Invalid
from domain.groups import memberships
from domain.groups import service as groups
from domain.groups.schemas import GroupIn
from domain.imports.bulk import insert_new_students
from domain.imports.models import ImportBatch
from domain.imports.plan import KIND, Plan, make_plan
from domain.imports.schemas import ImportPreview, ImportResult
from domain.students import service as students
from domain.students.schemas import GuardianIn
from domain.tenancy import TenantContext


async def preview_import(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    data: bytes,
    filename: str,
    today: date,
    overrides: dict[str, str | None] | None = None,
) -> ImportPreview:
    """Every row's outcome; nothing is written."""
    plan = await make_plan(session, tenant, data=data, filename=filename, overrides=overrides, today=today)
    return plan.preview()


def _refusal(plan: Plan) -> Invalid:
    rows = [
        {"row": p.row.number, "errors": [{"column": e.column, "message": e.message} for e in p.row.errors]}
        for p in plan.errors
    ]
    return Invalid(
        "{count} row{plural} cannot be imported; nothing was changed. Fix them (or leave them out) and try "
        "again.",
        values={"count": len(rows), "plural": "s" if len(rows) != 1 else ""},
        details={"field": "file", "rows": rows},
    )


async def _claim(session: AsyncSession, tenant: TenantContext, plan: Plan) -> uuid.UUID | None:
    """Insert this file's batch row; None when it was applied before (a racing apply waits here for the
    first to commit, then finds its row)."""
    statement = (
        insert(ImportBatch)
        .values(
            organization_id=tenant.org_id,
            kind=KIND,
            content_sha256=plan.content_sha256,
            filename=plan.filename[:255],
            created_by_user_id=tenant.user_id,
            summary={},
        )
        .on_conflict_do_nothing(index_elements=["organization_id", "kind", "content_sha256"])
        .returning(ImportBatch.id)
    )
    return await session.scalar(statement)


async def apply_import(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    data: bytes,
    filename: str,
    today: date,
    overrides: dict[str, str | None] | None = None,
    skip_invalid: bool = False,
) -> ImportResult:
    """Apply the file's plan in the caller's transaction, audited: all rows, or none when a row is in
    error — unless ``skip_invalid``, which imports the good rows and leaves those in error out."""
    plan = await make_plan(session, tenant, data=data, filename=filename, overrides=overrides, today=today)
    if plan.errors and not skip_invalid:
        raise _refusal(plan)
    if not any(p.outcome in ("new", "existing") for p in plan.rows):
        raise Invalid("No row can be imported.", details={"field": "file"})
    batch_id = await _claim(session, tenant, plan)
    if batch_id is None:
        earlier = await session.scalar(
            select(ImportBatch.id).where(
                ImportBatch.kind == KIND, ImportBatch.content_sha256 == plan.content_sha256
            )
        )
        assert earlier is not None
        return ImportResult(
            batch_id=earlier,
            already_applied=True,
            students_created=0,
            students_matched=0,
            guardians_created=0,
            memberships_created=0,
            groups_created=0,
            families_set=0,
            rows_skipped=0,
        )
    result = await _carry_out(session, tenant, plan, batch_id)
    summary = result.model_dump(mode="json", exclude={"batch_id", "already_applied"})
    batch = await session.get(ImportBatch, batch_id)
    assert batch is not None
    batch.summary = summary
    await session.flush()
    await audit.record(
        session,
        tenant,
        action="students.imported",
        entity_type="import_batch",
        entity_id=batch_id,
        after={"filename": plan.filename, "content_sha256": plan.content_sha256, **summary},
    )
    return result


async def _carry_out(
    session: AsyncSession, tenant: TenantContext, plan: Plan, batch_id: uuid.UUID
) -> ImportResult:
    group_ids = {key: g.id for key, g in plan.groups.items()}
    for key, name in sorted(plan.new_groups.items()):
        group_ids[key] = (await groups.create_group(session, tenant, data=GroupIn(name=name))).id
    families = {label: family or uuid.uuid4() for label, family in plan.families.items()}
    new = [p for p in plan.rows if p.outcome == "new"]
    created, guardians, joined = await insert_new_students(
        session, tenant, new, families=families, group_ids=group_ids
    )
    families_set = sum(p.family is not None for p in new)
    matched = [p for p in plan.rows if p.outcome == "existing"]
    for planned in matched:  # through the services: a few rows, each checked again as it is written
        assert planned.student is not None
        student = planned.student
        for i in planned.new_guardians:
            g = planned.row.guardians[i]
            data = GuardianIn(
                full_name=g.full_name, relationship=g.relationship, email=g.email, phone=g.phone
            )
            await students.add_guardian(session, tenant, student.id, data=data)
        guardians += len(planned.new_guardians)
        if planned.family is not None:
            student.family_id = families[planned.family]
            families_set += 1
        for key, since in planned.joins:
            await memberships.enroll(
                session, tenant, student_id=student.id, group_id=group_ids[key], start_date=since
            )
            joined += 1
    await session.flush()
    return ImportResult(
        batch_id=batch_id,
        already_applied=False,
        students_created=created,
        students_matched=len(matched),
        guardians_created=guardians,
        memberships_created=joined,
        groups_created=len(plan.new_groups),
        families_set=families_set,
        rows_skipped=len(plan.errors),
    )
