"""The parents' upload link, read by its page (``/upload/<token>``): what to show before a file is sent.
An older link, the API address itself (``/api/v1/public/receipts/<token>``), opened in a browser lands
on the page too; its POST (the upload) is unchanged, in ``money.py``."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, status
from fastapi.responses import RedirectResponse
from pydantic import BaseModel

from channels.http.deps import DB, AppSettings, Now
from domain.payments import receipt_page, receipts

public = APIRouter(prefix="/public", tags=["receipts"])


class UploadPageOut(BaseModel):
    organization: str
    language: str
    locale: str
    student_first_name: str
    expires_at: datetime
    max_bytes: int
    accepted: list[str]


@public.get("/receipts/{token}/page", response_model=UploadPageOut)
async def upload_page(token: str, db: DB, now: Now, settings: AppSettings) -> UploadPageOut:
    """What the upload page shows: the school, the student's first name, the language, the limits.
    An unknown, revoked or expired link is a 401 that says so."""
    page = await receipt_page.describe(db, token=token, now=now, max_bytes=settings.receipt_max_bytes)
    return UploadPageOut(
        organization=page.organization,
        language=page.language,
        locale=page.locale,
        student_first_name=page.student_first_name,
        expires_at=page.expires_at,
        max_bytes=page.max_bytes,
        accepted=list(page.accepted),
    )


@public.get("/receipts/{token}", status_code=status.HTTP_303_SEE_OTHER, include_in_schema=False)
async def old_link_opened(token: str) -> RedirectResponse:
    """Links sent before the page existed pointed here: a browser opening one is sent to the page."""
    return RedirectResponse(receipts.upload_url("", token), status_code=status.HTTP_303_SEE_OTHER)
