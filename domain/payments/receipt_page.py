"""What the parents' upload page shows before anything is sent: whose link it is (the school, the
student's first name), until when it works, in which language, and what files it takes. The token is
the only key, as for the upload itself; an unknown, revoked or expired link is refused the same way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.auth import language as languages
from domain.auth.security import token_hash
from domain.db import use_tenant
from domain.errors import Unauthorized
from domain.orgs.service import get_organization
from domain.payments.receipts import ALLOWED
from domain.students.service import get_student
from domain.tenancy import TenantContext

EXPIRED = "This upload link is not valid any more; ask the school for a new one."


@dataclass(frozen=True)
class UploadPage:
    organization: str
    language: languages.Language  # families have no account: the organization's locale
    locale: str
    student_first_name: str
    expires_at: datetime
    max_bytes: int
    accepted: tuple[str, ...]


async def describe(session: AsyncSession, *, token: str, now: datetime, max_bytes: int) -> UploadPage:
    row = (
        await session.execute(text("SELECT * FROM cadence_receipt_link_lookup(:h)"), {"h": token_hash(token)})
    ).one_or_none()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        raise Unauthorized(EXPIRED)  # the same words as the upload's refusal
    tenant = TenantContext.anonymous(row.organization_id)
    await use_tenant(session, tenant)
    org = await get_organization(session, tenant)
    student = await get_student(session, tenant, row.student_id)
    return UploadPage(
        organization=org.name,
        language=languages.of_locale(org.locale),
        locale=org.locale,
        student_first_name=student.full_name.split(" ")[0],
        expires_at=row.expires_at,
        max_bytes=max_bytes,
        accepted=tuple(ALLOWED),
    )
