"""What tenant isolation costs: a transaction under RLS with the tenant hook, against bare queries.

Cases, all fetching one student by primary key in a database of two organizations:
  * baseline — the owner role (bypasses RLS), a bare indexed SELECT in its own transaction;
  * app role + tenant hook + RLS — the path every request takes;
  * app role, tenant set, RLS filter only (the hook's set_config amortised over one transaction).
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from benchmarks.harness import measure, report
from channels.embedded import APP_ROLE, EmbeddedPostgres
from domain.db import create_engine, session_factory, unit_of_work, use_tenant
from domain.students.models import Student
from domain.tenancy import Role, TenantContext
from migrations.runner import upgrade

STUDENTS_PER_ORG = 5_000
ROUNDS = 400


async def _seed(sessions: object, orgs: list[uuid.UUID]) -> uuid.UUID:
    from domain.orgs.models import Organization, OrganizationType

    target = uuid.uuid4()
    for n, org_id in enumerate(orgs):
        async with unit_of_work(sessions, TenantContext(org_id=org_id, role=Role.ADMIN)) as session:  # type: ignore[arg-type]
            session.add(
                Organization(
                    id=org_id, name=f"Bench {n}", slug=f"bench-{org_id.hex[:8]}", type=OrganizationType.SCHOOL
                )
            )
            await session.flush()
            rows = [
                {"id": uuid.uuid4(), "organization_id": org_id, "full_name": f"Student {i}"}
                for i in range(STUDENTS_PER_ORG)
            ]
            if n == 0:
                rows[STUDENTS_PER_ORG // 2]["id"] = target
            await (await session.connection()).execute(insert(Student), rows)
    return target


async def main(data_dir: Path) -> None:
    server = EmbeddedPostgres(data_dir)
    server.start()
    try:
        urls = server.ensure_database("cadence_bench", recreate=True)
        upgrade(urls.owner, APP_ROLE)
        app_engine, owner_engine = create_engine(urls.app), create_engine(urls.owner)
        app_sessions, owner_sessions = session_factory(app_engine), session_factory(owner_engine)
        orgs = [uuid.uuid4(), uuid.uuid4()]
        print(f"seeding {len(orgs)} organizations × {STUDENTS_PER_ORG} students…", file=sys.stderr)
        target = await _seed(app_sessions, orgs)
        tenant = TenantContext(org_id=orgs[0], role=Role.ADMIN)
        by_id = select(Student.full_name).where(Student.id == target)

        async def bare_owner() -> object:
            async with owner_sessions() as s, s.begin():
                return (await s.execute(by_id)).scalar_one()

        async def app_with_tenant() -> object:
            async with unit_of_work(app_sessions, tenant) as s:
                return (await s.execute(by_id)).scalar_one()

        steady: AsyncSession = app_sessions()
        await steady.begin()
        await use_tenant(steady, tenant)

        async def rls_filter_only() -> object:
            return (await steady.execute(by_id)).scalar_one()

        owner_open: AsyncSession = owner_sessions()
        await owner_open.begin()

        async def bare_in_open_txn() -> object:
            return (await owner_open.execute(by_id)).scalar_one()

        async with owner_sessions() as s:
            plan = await s.execute(
                text("EXPLAIN SELECT full_name FROM students WHERE id = :id"), {"id": target}
            )
            print("owner plan:", " / ".join(r[0].strip() for r in plan), file=sys.stderr)

        timings = await measure(
            {
                "bare indexed SELECT (owner, own transaction)": bare_owner,
                "app role: transaction + tenant hook + RLS": app_with_tenant,
                "bare indexed SELECT (owner, open txn)": bare_in_open_txn,
                "app role: RLS-filtered SELECT in open txn": rls_filter_only,
            },
            rounds=ROUNDS,
        )
        for open_session in (steady, owner_open):
            await open_session.rollback()
            await open_session.close()
        print(report(timings, baseline="bare indexed SELECT (owner, own transaction)"))
        await app_engine.dispose()
        await owner_engine.dispose()
    finally:
        server.stop()
