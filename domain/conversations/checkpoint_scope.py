"""Whose conversations LangGraph's checkpoint store may touch at this moment.

The checkpointer has its own connections, not the request's session, so the tenant hook in
``domain.db`` never runs for it. Instead the caller names its tenant here (a context variable, so
concurrent turns of different organizations never see each other's value, and tasks LangGraph
starts inside a turn inherit it), and the checkpointer sets ``app.org_id`` from it in every
transaction. No scope means no tenant: the checkpoint tables' policies then match no row.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from domain.tenancy import TenantContext

_CHECKPOINT_ORG: ContextVar[uuid.UUID | None] = ContextVar("cadence_checkpoint_org", default=None)


@contextmanager
def checkpoints_of(tenant: TenantContext) -> Iterator[None]:
    """Inside this block the checkpoint store reads and writes only ``tenant``'s conversations."""
    token = _CHECKPOINT_ORG.set(tenant.org_id)
    try:
        yield
    finally:
        _CHECKPOINT_ORG.reset(token)


def checkpoint_org() -> uuid.UUID | None:
    return _CHECKPOINT_ORG.get()
