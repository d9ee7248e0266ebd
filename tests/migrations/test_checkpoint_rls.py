"""Upgrading a database whose checkpoint tables predate their RLS: conversations keep their organization."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from channels.embedded import DatabaseUrls
from domain.db import create_engine
from migrations.checkpoints import CHECKPOINT_TABLES, isolate_checkpoint_tables
from migrations.rls import drop_tenant_rls_sql


async def test_an_existing_database_gets_its_conversations_filed_under_their_organization(
    database_urls: DatabaseUrls,
) -> None:
    org = uuid.uuid4()
    thread = f"web:{org}:c1"
    engine = create_engine(database_urls.owner)
    try:
        async with engine.connect() as conn:
            transaction = await conn.begin()  # rolled back: the test database keeps its own state
            for table in CHECKPOINT_TABLES:  # the tables as the library alone left them
                for statement in drop_tenant_rls_sql(table):
                    await conn.execute(text(statement))
                await conn.execute(text(f"ALTER TABLE {table} DROP COLUMN organization_id"))
            await conn.execute(
                text(
                    "INSERT INTO checkpoints (thread_id, checkpoint_ns, checkpoint_id, checkpoint) "
                    "VALUES (:thread, '', 'c', '{}'), ('hand-made', '', 'c', '{}')"
                ),
                {"thread": thread},
            )

            ran = await conn.run_sync(isolate_checkpoint_tables)
            rows = await conn.execute(
                text(
                    "SELECT thread_id, organization_id FROM checkpoints "
                    "WHERE thread_id IN (:thread, 'hand-made')"
                ),
                {"thread": thread},
            )
            filed = {row.thread_id: row.organization_id for row in rows}
            again = await conn.run_sync(isolate_checkpoint_tables)
            await transaction.rollback()
    finally:
        await engine.dispose()
    assert len(ran) == 7 * len(CHECKPOINT_TABLES)  # a column, enable, force and four policies each
    assert filed == {thread: org, "hand-made": None}  # an id of another shape: no organization sees it
    assert again == []  # and a second run changes nothing
