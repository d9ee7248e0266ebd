"""Receipt uploads: only real JPEG, PNG and PDF files are stored, under generated names."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import respx
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import Forbidden, Unauthorized
from domain.payments import receipts
from domain.payments.models import Receipt, ReceiptStatus
from domain.payments.storage import LocalStorage, S3Storage, StorageError
from tests.domain.studio import build_studio

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
LIMIT = 1024 * 1024
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def image(fmt: str, size: tuple[int, int] = (40, 30), mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color=0).save(buffer, format=fmt)
    return buffer.getvalue()


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("filename", "data", "expected_type"),
    [
        ("transfer.jpg", image("JPEG"), "image/jpeg"),
        ("transfer.png", image("PNG"), "image/png"),
        ("transfer.pdf", PDF, "application/pdf"),
        ("named-wrong.pdf", image("PNG"), "image/png"),  # the bytes decide, not the name
    ],
)
async def test_real_receipts_are_stored_under_generated_names(
    session: AsyncSession, tmp_path: Path, filename: str, data: bytes, expected_type: str
) -> None:
    studio = await build_studio(session)
    storage = LocalStorage(tmp_path)
    receipt = await receipts.upload(
        session,
        studio.staff,
        storage,
        student_id=studio.students["Ana"].id,
        filename=filename,
        data=data,
        max_bytes=LIMIT,
    )
    assert (receipt.content_type, receipt.status, receipt.original_filename) == (
        expected_type,
        ReceiptStatus.PENDING,
        filename,
    )
    [path] = stored_files(tmp_path)
    assert filename not in str(path) and path.read_bytes() == data
    assert oct(path.stat().st_mode & 0o777) == "0o600"


BOMB = image("PNG", size=(10_000, 10_000), mode="1")  # 100 megapixels in a few kilobytes


@pytest.mark.parametrize(
    ("case", "filename", "data"),
    [
        (
            "a PDF-looking executable",
            "receipt.pdf",
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64,
        ),
        ("an SVG", "receipt.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("an oversize file", "receipt.pdf", PDF[:-7] + b"\x00" * (LIMIT + 1) + b"%%EOF\n"),
        ("a decompression bomb", "receipt.png", BOMB),
        ("a path-traversal name", "../../etc/passwd.pdf", PDF),
        ("a hidden file name", ".htaccess", PDF),
        ("a truncated PDF", "receipt.pdf", PDF[:20]),
        ("an empty file", "receipt.jpg", b""),
        ("a damaged image", "receipt.png", image("PNG")[:40]),
    ],
)
async def test_unsafe_uploads_are_rejected_and_nothing_is_stored(
    session: AsyncSession, tmp_path: Path, case: str, filename: str, data: bytes
) -> None:
    studio = await build_studio(session)
    with pytest.raises(receipts.RejectedFile):
        await receipts.upload(
            session,
            studio.staff,
            LocalStorage(tmp_path),
            student_id=studio.students["Ana"].id,
            filename=filename,
            data=data,
            max_bytes=LIMIT,
        )
    assert stored_files(tmp_path) == [], case
    assert await session.scalar(select(func.count()).select_from(Receipt)) == 0, case


async def test_the_bomb_really_is_small_and_huge() -> None:
    assert len(BOMB) < 100_000
    with Image.open(io.BytesIO(BOMB)) as opened:
        assert opened.width * opened.height > receipts.MAX_PIXELS


async def test_a_parent_uploads_through_a_link_until_it_expires(
    session: AsyncSession, tmp_path: Path
) -> None:
    studio = await build_studio(session)
    ana = studio.students["Ana"]
    _link, token = await receipts.create_link(
        session, studio.staff, student_id=ana.id, now=NOW, ttl=timedelta(days=30)
    )
    storage = LocalStorage(tmp_path)
    receipt = await receipts.upload_via_link(
        session,
        storage,
        token=token,
        filename="bank.pdf",
        data=PDF,
        max_bytes=LIMIT,
        now=NOW + timedelta(days=1),
    )
    assert (receipt.student_id, receipt.via_public_link, receipt.uploaded_by_user_id) == (ana.id, True, None)
    with pytest.raises(Unauthorized):
        await receipts.upload_via_link(
            session,
            storage,
            token=token,
            filename="late.pdf",
            data=PDF,
            max_bytes=LIMIT,
            now=NOW + timedelta(days=31),
        )
    with pytest.raises(Unauthorized):
        await receipts.upload_via_link(
            session, storage, token="not-a-token", filename="x.pdf", data=PDF, max_bytes=LIMIT, now=NOW
        )
    assert len(stored_files(tmp_path)) == 1


async def test_staff_verify_receipts_and_teachers_cannot_see_them(
    session: AsyncSession, tmp_path: Path
) -> None:
    studio = await build_studio(session)
    receipt = await receipts.upload(
        session,
        studio.staff,
        LocalStorage(tmp_path),
        student_id=studio.students["Ana"].id,
        filename="t.pdf",
        data=PDF,
        max_bytes=LIMIT,
    )
    assert [r.id for r in await receipts.pending(session, studio.staff)] == [receipt.id]
    with pytest.raises(Forbidden):
        await receipts.get_receipt(session, studio.teacher, receipt.id)
    await receipts.decide(session, studio.staff, receipt.id, verified=True, now=NOW)
    assert await receipts.pending(session, studio.staff) == []


S3 = "https://s3.test.example"


@pytest.fixture
def s3_storage() -> S3Storage:
    return S3Storage(
        endpoint_url=S3,
        bucket="receipts",
        region="eu-west-1",
        access_key="AKIATEST",
        secret_key="not-a-real-secret",
    )


async def test_s3_storage_signs_requests_and_never_overwrites(
    session: AsyncSession, s3_storage: S3Storage
) -> None:
    studio = await build_studio(session)
    stored: dict[str, bytes] = {}

    def put(request: httpx.Request) -> httpx.Response:
        stored[request.url.path] = request.content
        return httpx.Response(200)

    with respx.mock(assert_all_called=True) as s3:
        s3.route(method="PUT", host="s3.test.example", path__startswith="/receipts/").mock(side_effect=put)
        receipt = await receipts.upload(
            session,
            studio.staff,
            s3_storage,
            student_id=studio.students["Ana"].id,
            filename="t.pdf",
            data=PDF,
            max_bytes=LIMIT,
        )
        [call] = s3.calls
        s3.get(f"{S3}/receipts/{receipt.storage_key}").mock(return_value=httpx.Response(200, content=PDF))
        assert await s3_storage.read(receipt.storage_key) == PDF
    assert call.request.headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIATEST/")
    assert (
        call.request.headers["if-none-match"] == "*"
        and call.request.headers["content-type"] == "application/pdf"
    )
    assert stored == {f"/receipts/{receipt.storage_key}": PDF}


async def test_a_failed_s3_upload_fails_the_whole_upload(
    session: AsyncSession, s3_storage: S3Storage
) -> None:
    studio = await build_studio(session)
    with respx.mock(assert_all_called=True) as s3:
        s3.route(method="PUT", host="s3.test.example").mock(return_value=httpx.Response(503))
        with pytest.raises(StorageError):
            async with session.begin_nested():
                await receipts.upload(
                    session,
                    studio.staff,
                    s3_storage,
                    student_id=studio.students["Ana"].id,
                    filename="t.pdf",
                    data=PDF,
                    max_bytes=LIMIT,
                )
    assert await session.scalar(select(func.count()).select_from(Receipt)) == 0
