"""Rows of LangGraph's checkpoint tables for the attack matrix, written as the library writes them.

The tables are the library's, not in our models: these ``Table`` objects name only the columns the
matrix writes, plus the ``organization_id`` the database generates from the thread id.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Column, Computed, Integer, LargeBinary, MetaData, Table, Text, Uuid
from sqlalchemy.dialects.postgresql import JSONB

from migrations.checkpoints import CHECKPOINT_TABLES, THREAD_ORG

_library = MetaData()


def _checkpoint_table(name: str, *columns: Column[Any]) -> Table:
    return Table(
        name,
        _library,
        Column("thread_id", Text, primary_key=True),
        Column("checkpoint_ns", Text, primary_key=True),
        *columns,
        Column("organization_id", Uuid, Computed(THREAD_ORG, persisted=True)),
    )


# The columns the attack matrix writes, as the library's setup() creates them.
CHECKPOINT_TABLE_DEFS = {
    "checkpoints": _checkpoint_table(
        "checkpoints",
        Column("checkpoint_id", Text, primary_key=True),
        Column("checkpoint", JSONB),
        Column("metadata", JSONB),
    ),
    "checkpoint_blobs": _checkpoint_table(
        "checkpoint_blobs",
        Column("channel", Text, primary_key=True),
        Column("version", Text, primary_key=True),
        Column("type", Text),
        Column("blob", LargeBinary),
    ),
    "checkpoint_writes": _checkpoint_table(
        "checkpoint_writes",
        Column("checkpoint_id", Text, primary_key=True),
        Column("task_id", Text, primary_key=True),
        Column("idx", Integer, primary_key=True),
        Column("channel", Text),
        Column("type", Text),
        Column("blob", LargeBinary),
    ),
}
assert set(CHECKPOINT_TABLE_DEFS) == set(CHECKPOINT_TABLES)


def conversation_thread(org_id: uuid.UUID) -> str:
    """A thread id as ``thread_key`` builds it: the organization sits in the middle."""
    return f"matrix:{org_id}:{uuid.uuid4().hex}"


def checkpoint_row(table_name: str, thread: str) -> dict[str, Any]:
    """A new row of a checkpoint table in ``thread``, holding what conversations hold (names, amounts)."""
    said = b"Ana Garcia paid 40.00 EUR"
    rows: dict[str, dict[str, Any]] = {
        "checkpoints": {
            "checkpoint_id": uuid.uuid4().hex,
            "checkpoint": {"channel_values": {"utterance": said.decode()}},
            "metadata": {},
        },
        "checkpoint_blobs": {
            "channel": "pending",
            "version": uuid.uuid4().hex,
            "type": "bytes",
            "blob": said,
        },
        "checkpoint_writes": {
            "checkpoint_id": uuid.uuid4().hex,
            "task_id": "task",
            "idx": 0,
            "channel": "utterance",
            "type": "bytes",
            "blob": said,
        },
    }
    return {"thread_id": thread, "checkpoint_ns": "", **rows[table_name]}
