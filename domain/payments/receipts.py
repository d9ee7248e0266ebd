"""Receipt uploads: the real type is sniffed (JPEG, PNG or PDF only), size and pixels are capped,
names are generated, and nothing is stored unless every check passes.

Staff upload for a payment or charge; parents upload through a per-student link. A receipt waits
for verification until staff confirm or reject it.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
import uuid
from datetime import datetime, timedelta

import puremagic
from PIL import Image
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit import service as audit
from domain.auth.security import new_token, token_hash
from domain.db import use_tenant
from domain.errors import Conflict, Invalid, NotFound, Unauthorized
from domain.events import service as events
from domain.inputs import refused_character
from domain.orgs.permissions import require_office
from domain.payments.models import Charge, Payment, Receipt, ReceiptLink, ReceiptStatus
from domain.payments.storage import ReceiptStorage
from domain.students.service import get_student
from domain.tenancy import TenantContext

ALLOWED = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}
MAX_PIXELS = 40_000_000  # a phone photo is ~12 MP; more is a decompression bomb, not a receipt
MAX_NAME = 200


class RejectedFile(Invalid):
    """The file was refused; nothing was stored."""


def check_filename(name: str) -> str:
    cleaned = unicodedata.normalize("NFC", name).strip()
    if (
        not cleaned
        or len(cleaned) > MAX_NAME
        or any(c in cleaned for c in ("/", "\\", "\x00"))
        or cleaned in {".", ".."}
        or cleaned.startswith(".")
        or refused_character(cleaned) is not None  # controls; direction overrides (".exe" shown as ".pdf")
    ):
        raise RejectedFile("That file name is not acceptable.", details={"field": "filename"})
    return cleaned


def sniff(data: bytes, *, max_bytes: int) -> str:
    """The content type from the bytes themselves; the name and the declared type are not trusted."""
    if not data:
        raise RejectedFile("The file is empty.", details={"field": "file"})
    if len(data) > max_bytes:
        raise RejectedFile(
            "The file is larger than {max_bytes} MB.",
            values={"max_bytes": max_bytes // (1024 * 1024)},
            details={"field": "file"},
        )
    try:
        kind = puremagic.from_string(data, mime=True)
    except puremagic.PureError:
        kind = ""
    if kind not in ALLOWED:
        raise RejectedFile(
            "Only JPEG, PNG or PDF receipts are accepted.", details={"field": "file", "type": kind}
        )
    if kind == "application/pdf":
        if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-2048:]:
            raise RejectedFile("That is not a complete PDF.", details={"field": "file"})
        return kind
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise RejectedFile("The image is too large to be a receipt.", details={"field": "file"})
            image.verify()
    except RejectedFile:
        raise
    except (Image.DecompressionBombError, OSError, SyntaxError, ValueError) as exc:
        raise RejectedFile(
            "The image is damaged or not what it claims to be.", details={"field": "file"}
        ) from exc
    return kind


async def upload(
    session: AsyncSession,
    tenant: TenantContext,
    storage: ReceiptStorage,
    *,
    student_id: uuid.UUID,
    filename: str,
    data: bytes,
    max_bytes: int,
    payment_id: uuid.UUID | None = None,
    charge_id: uuid.UUID | None = None,
    via_public_link: bool = False,
) -> Receipt:
    if not via_public_link:
        require_office(tenant, "upload receipts")
    name = check_filename(filename)
    kind = sniff(data, max_bytes=max_bytes)
    await get_student(session, tenant, student_id)
    if payment_id is not None:
        payment = await session.get(Payment, payment_id)
        if payment is None or payment.student_id != student_id:
            raise NotFound("No such payment for this student.")
    if charge_id is not None:
        charge = await session.get(Charge, charge_id)
        if charge is None or charge.student_id != student_id:
            raise NotFound("No such charge for this student.")
    receipt = Receipt(
        organization_id=tenant.org_id,
        student_id=student_id,
        payment_id=payment_id,
        charge_id=charge_id,
        storage_key=f"{tenant.org_id}/{uuid.uuid4().hex}{ALLOWED[kind]}",
        original_filename=name,
        content_type=kind,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        status=ReceiptStatus.PENDING,
        uploaded_by_user_id=tenant.user_id,
        via_public_link=via_public_link,
    )
    session.add(receipt)
    await session.flush()  # the row first: if it cannot be written, no file is left behind
    await storage.save(receipt.storage_key, data, kind)
    await events.emit(
        session, tenant, "receipt.uploaded", {"receipt_id": str(receipt.id), "student_id": str(student_id)}
    )
    return receipt


def upload_url(public_base_url: str, token: str) -> str:
    """Where a parent opens an upload link (the same address in the API, emails and chats): a page, in the
    family's language, whose form posts to ``/api/v1/public/receipts/<token>``."""
    return f"{public_base_url.rstrip('/')}/upload/{token}"


async def create_link(
    session: AsyncSession, tenant: TenantContext, *, student_id: uuid.UUID, now: datetime, ttl: timedelta
) -> tuple[ReceiptLink, str]:
    """A link a parent can use to upload receipts for one student; the token is shown once."""
    require_office(tenant, "create upload links")
    await get_student(session, tenant, student_id)
    token = new_token()
    link = ReceiptLink(
        organization_id=tenant.org_id,
        student_id=student_id,
        token_hash=token_hash(token),
        expires_at=now + ttl,
        created_by_user_id=tenant.user_id,
    )
    session.add(link)
    await session.flush()
    return link, token


async def upload_via_link(
    session: AsyncSession,
    storage: ReceiptStorage,
    *,
    token: str,
    filename: str,
    data: bytes,
    max_bytes: int,
    now: datetime,
) -> Receipt:
    row = (
        await session.execute(text("SELECT * FROM cadence_receipt_link_lookup(:h)"), {"h": token_hash(token)})
    ).one_or_none()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        raise Unauthorized("This upload link is not valid any more; ask the school for a new one.")
    tenant = TenantContext.anonymous(row.organization_id)
    await use_tenant(session, tenant)
    return await upload(
        session,
        tenant,
        storage,
        student_id=row.student_id,
        filename=filename,
        data=data,
        max_bytes=max_bytes,
        via_public_link=True,
    )


async def get_receipt(session: AsyncSession, tenant: TenantContext, receipt_id: uuid.UUID) -> Receipt:
    require_office(tenant, "see receipts")
    receipt = await session.get(Receipt, receipt_id)
    if receipt is None:
        raise NotFound("No such receipt.")
    return receipt


async def pending(session: AsyncSession, tenant: TenantContext) -> list[Receipt]:
    require_office(tenant, "review receipts")
    query = select(Receipt).where(Receipt.status == ReceiptStatus.PENDING).order_by(Receipt.created_at)
    return list((await session.execute(query)).scalars())


async def decide(
    session: AsyncSession,
    tenant: TenantContext,
    receipt_id: uuid.UUID,
    *,
    verified: bool,
    now: datetime,
    reason: str | None = None,
) -> Receipt:
    receipt = await get_receipt(session, tenant, receipt_id)
    if receipt.status is not ReceiptStatus.PENDING:
        raise Conflict("This receipt was already {status}.", values={"status": receipt.status.value})
    receipt.status = ReceiptStatus.VERIFIED if verified else ReceiptStatus.REJECTED
    receipt.decided_at, receipt.decided_by_user_id = now, tenant.user_id
    await session.flush()
    await audit.record(
        session,
        tenant,
        action=f"receipt.{receipt.status.value}",
        entity_type="receipt",
        entity_id=receipt.id,
        reason=reason,
    )
    return receipt
