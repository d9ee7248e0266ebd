"""The attack matrix, run as the app role: every tenant table × {select, insert, update, delete} × actor.

Each refusal is paired with a positive control (the row exists and the rightful tenant can reach it),
so a test that "passes" because nothing was there cannot hide a leak. LangGraph's checkpoint tables
are in it too: their rows are keyed by thread id and take their organization from it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Executable, delete, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.db import use_tenant
from domain.tenancy import Role, TenantContext
from migrations.checkpoints import CHECKPOINT_TABLES
from migrations.privileges import FULL_DML, RESTRICTED_TABLES
from tests.conftest import REPORT
from tests.domain.checkpoint_rows import CHECKPOINT_TABLE_DEFS, checkpoint_row, conversation_thread
from tests.domain.isolation_world import CHILD_TABLES, OrgRows, World, build_world, row_builders, table

TENANT_TABLES = ["organizations", *row_builders(iter(())).keys(), *CHECKPOINT_TABLES]
DENIED, FK_VIOLATION = "denied", "foreign key violation"
_SQLSTATES = {"42501": DENIED, "23503": FK_VIOLATION}
TOTALS = {"cases": 0, "leaks": 0}


@dataclass(frozen=True)
class Outcome:
    kind: str  # "ok" or one of the refusals above
    rows: int = 0

    def __str__(self) -> str:
        return f"ok ({self.rows} rows)" if self.kind == "ok" else self.kind


async def attempt(session: AsyncSession, tenant: TenantContext | None, statement: Executable) -> Outcome:
    """Run one statement as ``tenant`` inside a savepoint; report rows touched or the refusal."""
    try:
        async with session.begin_nested():
            await use_tenant(session, tenant)
            result = await (await session.connection()).execute(statement)
            rows = len(result.all()) if result.returns_rows else result.rowcount
            return Outcome("ok", rows)
    except DBAPIError as exc:
        sqlstate = getattr(exc.orig, "sqlstate", None)
        return Outcome(_SQLSTATES.get(sqlstate or "", f"error {sqlstate}"))


def denied_commands(table_name: str) -> set[str]:
    granted = RESTRICTED_TABLES.get(table_name, FULL_DML)
    return set(FULL_DML.split(", ")) - set(granted.split(", "))


class Matrix:
    def __init__(self, session: AsyncSession, world: World, table_name: str) -> None:
        self.session, self.world, self.name = session, world, table_name
        self.conversation = table_name in CHECKPOINT_TABLES
        self.t = CHECKPOINT_TABLE_DEFS[table_name] if self.conversation else table(table_name)
        self.key = self.t.c.thread_id if self.conversation else self.t.c.id
        self.failures: list[str] = []
        self.cases = 0
        self.leaks = 0

    def check(self, label: str, got: Outcome, expected: Outcome, *, negative: bool) -> None:
        self.cases += 1
        if got != expected:
            self.failures.append(f"{self.name} · {label}: expected {expected}, got {got}")
            if negative and got.kind == "ok" and got.rows > 0:
                self.leaks += 1

    async def control(
        self, label: str, tenant: TenantContext | None, statement: Executable, expected: Outcome
    ) -> None:
        got = await attempt(self.session, tenant, statement)
        if got != expected:
            self.failures.append(f"{self.name} · control for {label}: expected {expected}, got {got}")

    def row_of(self, rows: OrgRows) -> Any:
        """The key of the organization's row in this table (a thread id for a checkpoint table)."""
        return rows.threads[self.name] if self.conversation else rows[self.name]

    def sees(self, row_id: Any) -> Executable:
        return select(self.key).where(self.key == row_id)

    def touch(self, row_id: Any, **values: Any) -> Executable:
        column = "id" if self.name == "organizations" else "organization_id"
        if self.conversation:  # a generated column cannot be assigned, not even to itself
            column = "thread_id"
        return update(self.t).where(self.key == row_id).values(values or {column: self.t.c[column]})

    def insert(self, values: dict[str, Any]) -> Executable:
        # RETURNING makes the outcome count rows the same way for every statement.
        return insert(self.t).values(values).returning(self.key)

    def insert_org(self, org_id: uuid.UUID) -> Executable:
        return self.insert({"id": org_id, "name": "New", "slug": f"s-{org_id.hex[:12]}", "type": "school"})

    async def new_victim(self) -> Any:
        """A fresh row of this table in A, so that a successful delete destroys nothing shared."""
        if self.name == "organizations" or "DELETE" in denied_commands(self.name):
            return self.row_of(self.world.a)
        values = self.world.values(self.name, self.world.a)
        outcome = await attempt(self.session, self.world.admin_a, self.insert(values))
        assert outcome == Outcome("ok", 1), f"could not create a victim row in {self.name}: {outcome}"
        return values[self.key.name]


async def run_matrix(session: AsyncSession, world: World, table_name: str) -> Matrix:
    m = Matrix(session, world, table_name)
    a, b, admin_a = world.a, world.b, world.admin_a
    target = m.row_of(a)
    denied = denied_commands(table_name)

    for actor, tenant in world.actors.items():
        same_org = tenant is not None and tenant.org_id == a.org_id
        negative = not same_org

        # SELECT
        m.check(
            f"select by {actor}",
            await attempt(session, tenant, m.sees(target)),
            Outcome("ok", 1 if same_org else 0),
            negative=negative,
        )
        await m.control(f"select by {actor}", admin_a, m.sees(target), Outcome("ok", 1))
        if tenant is not None and negative:
            await m.control(f"select by {actor} (own rows)", tenant, m.sees(m.row_of(b)), Outcome("ok", 1))

        # INSERT
        if table_name == "organizations":
            new_org = uuid.uuid4()
            m.check(
                f"insert by {actor}",
                await attempt(session, tenant, m.insert_org(new_org)),
                Outcome(DENIED),
                negative=True,
            )
            creator = TenantContext(org_id=new_org, role=Role.ADMIN)
            await m.control(f"insert by {actor}", creator, m.insert_org(new_org), Outcome("ok", 1))
        else:
            statement = m.insert(world.values(table_name, a))
            m.check(
                f"insert into A by {actor}",
                await attempt(session, tenant, statement),
                Outcome("ok", 1) if same_org else Outcome(DENIED),
                negative=negative,
            )
            await m.control(
                f"insert by {actor}", admin_a, m.insert(world.values(table_name, a)), Outcome("ok", 1)
            )

        # UPDATE (a no-op assignment: only whether the row can be reached for writing matters)
        expected_update = Outcome(DENIED) if "UPDATE" in denied else Outcome("ok", 1 if same_org else 0)
        m.check(
            f"update by {actor}",
            await attempt(session, tenant, m.touch(target)),
            expected_update,
            negative=negative,
        )
        await m.control(f"update by {actor}", admin_a, m.sees(target), Outcome("ok", 1))

        # DELETE
        victim = await m.new_victim()
        expected_delete = Outcome(DENIED) if "DELETE" in denied else Outcome("ok", 1 if same_org else 0)
        m.check(
            f"delete by {actor}",
            await attempt(session, tenant, delete(m.t).where(m.key == victim)),
            expected_delete,
            negative=negative,
        )
        if expected_delete.rows == 0:
            await m.control(f"delete by {actor}", admin_a, m.sees(victim), Outcome("ok", 1))

    # Moving a row to another organization is refused by the policies' WITH CHECK.
    column = "id" if table_name == "organizations" else "organization_id"
    move: dict[str, Any] = {column: b.org_id}
    if m.conversation:  # the organization is generated: a row moves only by changing its thread id
        move = {"thread_id": conversation_thread(b.org_id)}
    m.check(
        "update moving A's row to B",
        await attempt(session, admin_a, m.touch(target, **move)),
        Outcome(DENIED),
        negative=True,
    )
    await m.control("move to B", admin_a, m.sees(target), Outcome("ok", 1))

    # A thread id the server would never build names no organization: no tenant may store it.
    if m.conversation:
        for malformed in ("garbage", f"matrix:{a.org_id}", f"matrix:{str(a.org_id).upper()}:x"):
            m.check(
                f"insert with thread id {malformed!r}",
                await attempt(session, admin_a, m.insert(checkpoint_row(table_name, malformed))),
                Outcome(DENIED),
                negative=True,
            )
        await m.control(
            "malformed thread id", admin_a, m.insert(world.values(table_name, a)), Outcome("ok", 1)
        )

    # A row labelled with its own organization but pointing at another organization's parents.
    if table_name in CHILD_TABLES:
        foreign_parents = world.values(table_name, a, org_id=b.org_id)
        m.check(
            "insert into B pointing at A's parents",
            await attempt(session, world.admin_b, m.insert(foreign_parents)),
            Outcome(FK_VIOLATION),
            negative=True,
        )
        await m.control(
            "foreign parents", world.admin_b, m.insert(world.values(table_name, b)), Outcome("ok", 1)
        )
    return m


@pytest.mark.parametrize("table_name", TENANT_TABLES)
async def test_no_actor_reaches_another_tenants_rows(session: AsyncSession, table_name: str) -> None:
    world = await build_world(session)
    matrix = await run_matrix(session, world, table_name)
    TOTALS["cases"] += matrix.cases
    TOTALS["leaks"] += matrix.leaks
    REPORT["Attack matrix"] = f"{TOTALS['cases']} cases, {TOTALS['leaks']} leaks"
    assert matrix.failures == []
    assert matrix.cases >= 29


async def test_matrix_covers_every_tenant_table() -> None:
    from tests.migrations.test_catalog import model_tenant_tables

    assert set(TENANT_TABLES) == model_tenant_tables()


async def test_the_matrix_reports_leaks_when_rls_is_bypassed(database_urls: Any) -> None:
    """Positive control for the matrix itself: as the owner (BYPASSRLS) the same cases must leak."""
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from domain.db import create_engine

    engine = create_engine(database_urls.owner)
    try:
        async with engine.connect() as conn:
            transaction = await conn.begin()
            owner_sessions = async_sessionmaker(bind=conn, join_transaction_mode="create_savepoint")
            async with owner_sessions() as owner_session:
                world = await build_world(owner_session)
                matrix = await run_matrix(owner_session, world, "students")
            await transaction.rollback()
    finally:
        await engine.dispose()
    assert matrix.leaks >= 3  # other org's admin, switched multi-org user, no tenant: each sees A's row
    assert any("select by admin of B" in f for f in matrix.failures)
