"""Spreadsheets kept for their owner for a day: the copilot's "send me that as a spreadsheet" makes the file
once; the web chat and agents download it by id, Telegram gets it as a document at once.

A file belongs to the person (or the API key) who asked for it, in that organization. RLS keeps other
organizations out; :func:`fetch` keeps everyone else in the organization out, and says "not found" to both,
so an id tells nobody whether a file exists.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import Invalid, NotFound
from domain.exports.models import ExportedFile
from domain.tenancy import TenantContext

KEPT_FOR = timedelta(hours=24)
MAX_BYTES = 20 * 1024 * 1024  # under Telegram's 50 MB for a bot's document, and far above any answer's list
# What one person (or API key) keeps at once: asking again and again (a read-only key in a loop) would
# otherwise pile up 20 MB per call for a day. A new file makes room by dropping its owner's oldest ones.
KEPT_PER_OWNER = 20
KEPT_BYTES_PER_OWNER = 50 * 1024 * 1024


@dataclass(frozen=True)
class KeptFile:
    id: uuid.UUID
    filename: str
    media_type: str
    size: int
    expires_at: datetime

    @property
    def download_path(self) -> str:
        return f"/api/v1/chat/files/{self.id}"


def _kept(row: ExportedFile) -> KeptFile:
    return KeptFile(row.id, row.filename, row.media_type, len(row.content), row.expires_at)


async def keep(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    filename: str,
    media_type: str,
    content: bytes,
    now: datetime,
) -> KeptFile:
    """Store ``content`` for the caller for :data:`KEPT_FOR`; expired files of the organization go first."""
    if len(content) > MAX_BYTES:
        raise Invalid(
            "That file would be {size} MB; the most a chat file may be is {max_bytes} MB. Ask for a shorter "
            "list.",
            values={"size": len(content) // (1024 * 1024), "max_bytes": MAX_BYTES // (1024 * 1024)},
            details={"size": len(content), "max": MAX_BYTES},
        )
    await sweep(session, tenant, now=now)
    await _make_room(session, tenant, for_bytes=len(content))
    row = ExportedFile(
        created_at=func.clock_timestamp(),  # when it was kept: which is oldest, within a transaction too
        organization_id=tenant.org_id,
        user_id=tenant.user_id if tenant.api_key_id is None else None,
        api_key_id=tenant.api_key_id,
        filename=filename,
        media_type=media_type,
        content=content,
        expires_at=now + KEPT_FOR,
    )
    session.add(row)
    await session.flush()
    return _kept(row)


def _owned_by_caller(tenant: TenantContext) -> ColumnElement[bool]:
    return (
        ExportedFile.api_key_id == tenant.api_key_id
        if tenant.api_key_id is not None
        else (ExportedFile.user_id == tenant.user_id) & ExportedFile.api_key_id.is_(None)
    )


async def _make_room(session: AsyncSession, tenant: TenantContext, *, for_bytes: int) -> None:
    """Drop the caller's oldest files beyond :data:`KEPT_PER_OWNER` files or
    :data:`KEPT_BYTES_PER_OWNER` bytes, counting the one about to be kept (the newest ask wins)."""
    kept = (
        await session.execute(
            select(ExportedFile.id, func.octet_length(ExportedFile.content))
            .where(ExportedFile.organization_id == tenant.org_id, _owned_by_caller(tenant))
            .order_by(ExportedFile.created_at.desc(), ExportedFile.id.desc())
        )
    ).all()
    files, total, dropped = 1, for_bytes, []
    for file_id, size in kept:
        files, total = files + 1, total + size
        if files > KEPT_PER_OWNER or total > KEPT_BYTES_PER_OWNER:
            dropped.append(file_id)
    if dropped:
        await session.execute(delete(ExportedFile).where(ExportedFile.id.in_(dropped)))


async def fetch(
    session: AsyncSession, tenant: TenantContext, file_id: uuid.UUID, *, now: datetime
) -> tuple[KeptFile, bytes]:
    """The caller's own unexpired file; anyone else's (or none) is "not found"."""
    owner = _owned_by_caller(tenant)
    row = await session.scalar(
        select(ExportedFile).where(
            ExportedFile.id == file_id,
            ExportedFile.organization_id == tenant.org_id,
            ExportedFile.expires_at > now,
            owner,
        )
    )
    if row is None or (tenant.api_key_id is None and tenant.user_id is None):
        raise NotFound("There is no such file, or it has expired (files are kept for a day).")
    return _kept(row), row.content


async def still_kept(
    session: AsyncSession, tenant: TenantContext, file_ids: list[uuid.UUID], *, now: datetime
) -> dict[uuid.UUID, KeptFile]:
    """Of these files, the caller's own that are still kept (a chat's history links only to those)."""
    if not file_ids or (tenant.api_key_id is None and tenant.user_id is None):
        return {}
    rows = await session.execute(
        select(
            ExportedFile.id,
            ExportedFile.filename,
            ExportedFile.media_type,
            func.octet_length(ExportedFile.content),
            ExportedFile.expires_at,
        ).where(
            ExportedFile.id.in_(file_ids),
            ExportedFile.organization_id == tenant.org_id,
            ExportedFile.expires_at > now,
            _owned_by_caller(tenant),
        )
    )
    return {row[0]: KeptFile(*row) for row in rows}


async def forget_person(session: AsyncSession, tenant: TenantContext, *, user_id: uuid.UUID) -> int:
    """Delete a person's files in this organization (their role changed, or they left): each file holds
    what the role they had then could read, which their new role (or a later return) may not."""
    result = await session.execute(
        delete(ExportedFile)
        .where(ExportedFile.organization_id == tenant.org_id, ExportedFile.user_id == user_id)
        .returning(ExportedFile.id)
    )
    return len(result.all())


async def sweep(session: AsyncSession, tenant: TenantContext, *, now: datetime) -> int:
    """Delete the organization's expired files; how many went."""
    result = await session.execute(
        delete(ExportedFile)
        .where(ExportedFile.organization_id == tenant.org_id, ExportedFile.expires_at <= now)
        .returning(ExportedFile.id)
    )
    return len(result.all())
