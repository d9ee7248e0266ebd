"""Tuition, payments, receipts, bank statements and reconciliation, teacher payouts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile, status
from pydantic import BaseModel, Field

from channels.http.deps import DB, AppSettings, Now, Tenant
from channels.http.exports import EXPORTABLE, Exporter
from channels.http.paging import Paging
from domain.banking import mappings as bank_mappings
from domain.banking import service as banking
from domain.banking.formats import PRESETS, CsvMapping
from domain.banking.formats.delimited import check_mapping
from domain.errors import Invalid
from domain.inputs import Day, Line
from domain.payments import receipts
from domain.payments import service as payments
from domain.payments.models import PaymentState, Receipt
from domain.payments.rules import month_start
from domain.payments.schemas import (
    Balance,
    BillingSettingsIn,
    BillingSettingsOut,
    ChargeIn,
    ChargeOut,
    PaymentIn,
    PaymentOut,
    PaymentRecorded,
    TuitionRun,
    UnpaidReport,
    UnpaidStudent,
)
from domain.payments.storage import ReceiptStorage, storage_from_settings
from domain.payouts import service as payouts
from domain.payouts.schemas import ApproveIn, PayoutOut, PayoutPreview, PayoutPreviewRow
from domain.settings import Settings

router = APIRouter()
public = APIRouter(prefix="/public", tags=["public receipts"])


def storage_for(settings: Settings) -> ReceiptStorage:
    """Receipts' storage as configured: an S3-compatible bucket, or a directory under the data dir."""
    return storage_from_settings(
        root=settings.receipts_dir or settings.data_dir / "receipts",
        endpoint_url=settings.receipts_s3_endpoint,
        bucket=settings.receipts_s3_bucket,
        region=settings.receipts_s3_region,
        access_key=settings.receipts_s3_access_key,
        secret_key=settings.receipts_s3_secret_key,
    )


def receipt_storage(request: Request) -> ReceiptStorage:
    storage: ReceiptStorage | None = getattr(request.app.state, "receipt_storage", None)
    if storage is None:
        storage = storage_for(request.app.state.settings)
        request.app.state.receipt_storage = storage
    return storage


def parse_month(value: str | None, today: date) -> date:
    if value is None:
        return month_start(today)
    try:
        return month_start(date.fromisoformat(value + "-01" if len(value) == 7 else value))
    except ValueError as exc:
        raise Invalid("A month looks like 2026-11.", details={"field": "month"}) from exc


# -- settings and charges ------------------------------------------------------------------------


@router.get("/billing/settings", response_model=BillingSettingsOut, tags=["tuition"])
async def get_settings(tenant: Tenant, db: DB) -> BillingSettingsOut:
    return BillingSettingsOut.model_validate(await payments.read_billing_settings(db, tenant))


@router.put("/billing/settings", response_model=BillingSettingsOut, tags=["tuition"])
async def put_settings(body: BillingSettingsIn, tenant: Tenant, db: DB) -> BillingSettingsOut:
    """Change fees, due day, discounts or the per-head rule (admins). Existing charges keep their amounts."""
    return BillingSettingsOut.model_validate(await payments.update_billing_settings(db, tenant, data=body))


@router.post("/billing/tuition/{month}", response_model=TuitionRun, tags=["tuition"])
async def generate_tuition(month: str, tenant: Tenant, db: DB) -> TuitionRun:
    """Make the month's tuition charges (YYYY-MM). Running it again creates nothing twice."""
    return await payments.generate_tuition(
        db, tenant, month=parse_month(month, tenant.today()), today=tenant.today()
    )


@router.get("/billing/unpaid", response_model=UnpaidReport, tags=["tuition"], responses=EXPORTABLE)
async def unpaid(
    tenant: Tenant,
    db: DB,
    export: Exporter,
    month: str | None = None,
    group_id: Annotated[uuid.UUID | None, Query(description="Only the students of this group.")] = None,
    teacher_id: Annotated[
        uuid.UUID | None, Query(description="Only the students of the groups this teacher teaches.")
    ] = None,
    min_amount: Annotated[
        Decimal | None,
        Query(ge=0, max_digits=12, decimal_places=2, description="Only those owing at least this."),
    ] = None,
) -> UnpaidReport | Sequence[UnpaidStudent] | Response:
    """Who hasn't paid the month's tuition in full (this month by default); an unknown group or teacher
    is a 404, never the whole school. As CSV/xlsx: one row per student."""
    report = await payments.unpaid_students(
        db,
        tenant,
        month=parse_month(month, tenant.today()),
        today=tenant.today(),
        group_id=group_id,
        teacher_id=teacher_id,
        min_amount=min_amount,
    )
    return await export.items(report.students, UnpaidStudent, "unpaid") if export.wanted else report


@router.post("/charges", status_code=status.HTTP_201_CREATED, response_model=ChargeOut, tags=["tuition"])
async def add_charge(body: ChargeIn, tenant: Tenant, db: DB) -> ChargeOut:
    charge = await payments.add_charge(db, tenant, data=body)
    [out] = [
        c
        for c in await payments.list_charges(db, tenant, student_id=charge.student_id, today=tenant.today())
        if c.id == charge.id
    ]
    return out


class VoidIn(BaseModel):
    reason: Line = Field(min_length=1, max_length=300)


@router.post("/charges/{charge_id}/void", status_code=status.HTTP_204_NO_CONTENT, tags=["tuition"])
async def void_charge(charge_id: uuid.UUID, body: VoidIn, tenant: Tenant, db: DB, now: Now) -> None:
    await payments.void_charge(db, tenant, charge_id, reason=body.reason, now=now)


@router.get(
    "/students/{student_id}/charges", response_model=list[ChargeOut], tags=["tuition"], responses=EXPORTABLE
)
async def student_charges(
    student_id: uuid.UUID, tenant: Tenant, db: DB, export: Exporter
) -> Sequence[ChargeOut] | Response:
    out = await payments.list_charges(db, tenant, student_id=student_id, today=tenant.today())
    return await export.items(out, ChargeOut, "charges")


@router.get("/students/{student_id}/balance", response_model=Balance, tags=["tuition"])
async def student_balance(student_id: uuid.UUID, tenant: Tenant, db: DB) -> Balance:
    return await payments.balance(db, tenant, student_id, today=tenant.today())


# -- payments --------------------------------------------------------------------------------------


@router.post(
    "/payments", status_code=status.HTTP_201_CREATED, response_model=PaymentRecorded, tags=["payments"]
)
async def record_payment(body: PaymentIn, tenant: Tenant, db: DB) -> PaymentRecorded:
    """Record money that arrived; allocated to the oldest open charges unless allocations are given."""
    return await payments.record_payment(db, tenant, data=body)


@router.get("/payments", response_model=list[PaymentOut], tags=["payments"], responses=EXPORTABLE)
async def list_payments(
    tenant: Tenant,
    db: DB,
    export: Exporter,
    page: Paging,
    student_id: uuid.UUID | None = None,
    state: PaymentState | None = None,
    since: Day | None = None,
) -> Sequence[PaymentOut] | Response:
    rows = await payments.list_payments(db, tenant, student_id=student_id, state=state, since=since)
    out = [PaymentOut.model_validate(p) for p in rows]
    return await export.items(out, PaymentOut, "payments") if export.wanted else page.slice(out)


# -- receipts --------------------------------------------------------------------------------------


class ReceiptOut(BaseModel):
    id: uuid.UUID
    student_id: uuid.UUID
    payment_id: uuid.UUID | None
    charge_id: uuid.UUID | None
    original_filename: str
    content_type: str
    size_bytes: int
    status: str
    via_public_link: bool


def _receipt_out(receipt: Receipt) -> ReceiptOut:
    return ReceiptOut(
        id=receipt.id,
        student_id=receipt.student_id,
        payment_id=receipt.payment_id,
        charge_id=receipt.charge_id,
        original_filename=receipt.original_filename,
        content_type=receipt.content_type,
        size_bytes=receipt.size_bytes,
        status=receipt.status.value,
        via_public_link=receipt.via_public_link,
    )


async def _read_capped(file: UploadFile, settings: Settings) -> bytes:
    """Read at most one byte more than allowed, so an oversize upload is refused without being held whole."""
    return await file.read(settings.receipt_max_bytes + 1)


@router.post("/receipts", status_code=status.HTTP_201_CREATED, response_model=ReceiptOut, tags=["receipts"])
async def upload_receipt(
    request: Request,
    tenant: Tenant,
    db: DB,
    settings: AppSettings,
    student_id: Annotated[uuid.UUID, Form()],
    file: Annotated[UploadFile, File(description="JPEG, PNG or PDF")],
    payment_id: Annotated[uuid.UUID | None, Form()] = None,
    charge_id: Annotated[uuid.UUID | None, Form()] = None,
) -> ReceiptOut:
    receipt = await receipts.upload(
        db,
        tenant,
        receipt_storage(request),
        student_id=student_id,
        payment_id=payment_id,
        charge_id=charge_id,
        filename=file.filename or "",
        data=await _read_capped(file, settings),
        max_bytes=settings.receipt_max_bytes,
    )
    return _receipt_out(receipt)


@router.get("/receipts/pending", response_model=list[ReceiptOut], tags=["receipts"], responses=EXPORTABLE)
async def pending_receipts(tenant: Tenant, db: DB, export: Exporter) -> Sequence[ReceiptOut] | Response:
    out = [_receipt_out(r) for r in await receipts.pending(db, tenant)]
    return await export.items(out, ReceiptOut, "receipts")


@router.get("/receipts/{receipt_id}/file", tags=["receipts"])
async def receipt_file(receipt_id: uuid.UUID, request: Request, tenant: Tenant, db: DB) -> Response:
    """The stored file, only for this organization's office; always as a download, never rendered inline."""
    receipt = await receipts.get_receipt(db, tenant, receipt_id)
    data = await receipt_storage(request).read(receipt.storage_key)
    download_name = f"receipt-{receipt.id}{receipts.ALLOWED[receipt.content_type]}"
    return Response(
        data,
        media_type=receipt.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{download_name}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


class DecisionIn(BaseModel):
    reason: Line | None = Field(default=None, max_length=300)


@router.post("/receipts/{receipt_id}/verify", response_model=ReceiptOut, tags=["receipts"])
async def verify_receipt(
    receipt_id: uuid.UUID, body: DecisionIn, tenant: Tenant, db: DB, now: Now
) -> ReceiptOut:
    return _receipt_out(
        await receipts.decide(db, tenant, receipt_id, verified=True, now=now, reason=body.reason)
    )


@router.post("/receipts/{receipt_id}/reject", response_model=ReceiptOut, tags=["receipts"])
async def reject_receipt(
    receipt_id: uuid.UUID, body: DecisionIn, tenant: Tenant, db: DB, now: Now
) -> ReceiptOut:
    return _receipt_out(
        await receipts.decide(db, tenant, receipt_id, verified=False, now=now, reason=body.reason)
    )


class ReceiptLinkOut(BaseModel):
    token: str = Field(description="Shown once.")
    upload_url: str
    expires_at: datetime


@router.post(
    "/students/{student_id}/receipt-links",
    status_code=status.HTTP_201_CREATED,
    response_model=ReceiptLinkOut,
    tags=["receipts"],
)
async def create_receipt_link(
    student_id: uuid.UUID, tenant: Tenant, db: DB, now: Now, settings: AppSettings
) -> ReceiptLinkOut:
    """A link for a parent to upload transfer receipts for this student, without an account."""
    link, token = await receipts.create_link(
        db, tenant, student_id=student_id, now=now, ttl=timedelta(days=settings.receipt_link_ttl_days)
    )
    return ReceiptLinkOut(
        token=token,
        upload_url=receipts.upload_url(settings.public_base_url, token),
        expires_at=link.expires_at,
    )


@public.post("/receipts/{token}", status_code=status.HTTP_202_ACCEPTED)
async def upload_with_link(
    token: str,
    request: Request,
    db: DB,
    now: Now,
    settings: AppSettings,
    file: Annotated[UploadFile, File(description="JPEG, PNG or PDF")],
) -> dict[str, str]:
    await receipts.upload_via_link(
        db,
        receipt_storage(request),
        token=token,
        filename=file.filename or "",
        data=await _read_capped(file, settings),
        max_bytes=settings.receipt_max_bytes,
        now=now,
    )
    return {"status": "received", "message": "Thank you! The school will check your receipt."}


# -- bank statements and reconciliation -----------------------------------------------------------


class ImportOut(BaseModel):
    import_id: uuid.UUID
    duplicate_file: bool
    lines_total: int
    lines_new: int
    by_status: dict[str, int]
    format: str = Field(description="What the file was read as: the format chosen, or what its content said")


FORMAT_HELP = (
    "auto (the content decides), camt, norma43, ofx, mt940, csv, "
    f"csv:<preset> ({', '.join(PRESETS)}) or csv:custom"
)


def _custom_mapping(
    *,
    date_column: str | None,
    amount_column: str | None,
    payer_column: str | None,
    reference_column: str | None,
    currency_column: str | None,
    currency: str,
    value_date_column: str | None,
    payer_iban_column: str | None,
    debit_column: str | None,
    credit_column: str | None,
    date_format: str,
    delimiter: str,
    decimal_comma: bool,
    encoding: str,
    skip_rows: int,
    skip_footer: int,
    has_header: bool,
) -> CsvMapping:
    if not (date_column and (amount_column or (debit_column and credit_column))):
        raise Invalid(
            "A custom CSV mapping needs date_column and amount_column (or debit_column and credit_column).",
            details={"field": "date_column"},
        )
    return check_mapping(
        CsvMapping(
            date=date_column,
            amount=amount_column,
            payer=payer_column,
            reference=reference_column,
            currency=currency_column,
            default_currency=currency.strip().upper(),
            value_date=value_date_column,
            payer_iban=payer_iban_column,
            debit=debit_column,
            credit=credit_column,
            date_format=date_format,
            delimiter=delimiter,
            decimal_comma=decimal_comma,
            encoding=encoding,
            skip_rows=skip_rows,
            skip_footer=skip_footer,
            has_header=has_header,
        )
    )


@router.post(
    "/bank-imports", status_code=status.HTTP_201_CREATED, response_model=ImportOut, tags=["reconciliation"]
)
async def import_statement(
    tenant: Tenant,
    db: DB,
    file: Annotated[UploadFile, File(description="CAMT.053/054, Norma 43, OFX, MT940 or a CSV export")],
    format: Annotated[str, Form(description=FORMAT_HELP)] = "auto",
    mapping_name: Annotated[
        str | None, Form(max_length=60, description="Read the CSV with this saved mapping")
    ] = None,
    save_mapping_as: Annotated[
        str | None, Form(max_length=60, description="csv:custom — save the mapping under this name")
    ] = None,
    date_column: Annotated[
        str | None,
        Form(description="csv:custom — the column with the booking date (a number without header)"),
    ] = None,
    amount_column: Annotated[str | None, Form(description="csv:custom — the column with the amount")] = None,
    payer_column: Annotated[str | None, Form()] = None,
    reference_column: Annotated[str | None, Form()] = None,
    currency_column: Annotated[
        str | None, Form(description="csv:custom — a column with the currency")
    ] = None,
    currency: Annotated[
        str, Form(min_length=3, max_length=3, description="csv:custom — the currency when no column says it")
    ] = "EUR",
    value_date_column: Annotated[str | None, Form()] = None,
    payer_iban_column: Annotated[str | None, Form()] = None,
    debit_column: Annotated[
        str | None, Form(description="csv:custom — money out, instead of an amount")
    ] = None,
    credit_column: Annotated[
        str | None, Form(description="csv:custom — money in, instead of an amount")
    ] = None,
    date_format: Annotated[
        str, Form(max_length=40, description="strftime format, e.g. %d/%m/%Y")
    ] = "%Y-%m-%d",
    delimiter: Annotated[str, Form(max_length=1)] = ",",
    decimal_comma: Annotated[bool, Form()] = False,
    encoding: Annotated[
        str, Form(max_length=20, description="auto, utf-8, cp1252, cp1250, latin-1, …")
    ] = "auto",
    skip_rows: Annotated[int, Form(ge=0, le=1000, description="preamble rows above the header")] = 0,
    skip_footer: Annotated[int, Form(ge=0, le=1000, description="summary rows under the table")] = 0,
    has_header: Annotated[bool, Form()] = True,
) -> ImportOut:
    """Import transfers; confident matches are proposed, never applied. A file imported twice adds nothing.

    The file's content decides its format unless ``format`` names one; a CSV is read with the bank's
    preset, a saved mapping (``mapping_name``) or the custom columns given here."""
    data = await file.read(20 * 1024 * 1024 + 1)
    if len(data) > 20 * 1024 * 1024:
        raise Invalid("A statement file is at most 20 MB.", details={"field": "file"})
    mapping = None
    if mapping_name:
        mapping = await bank_mappings.get_mapping(db, tenant, mapping_name)
    elif format == "csv:custom":
        mapping = _custom_mapping(
            date_column=date_column,
            amount_column=amount_column,
            payer_column=payer_column,
            reference_column=reference_column,
            currency_column=currency_column,
            currency=currency,
            value_date_column=value_date_column,
            payer_iban_column=payer_iban_column,
            debit_column=debit_column,
            credit_column=credit_column,
            date_format=date_format,
            delimiter=delimiter,
            decimal_comma=decimal_comma,
            encoding=encoding,
            skip_rows=skip_rows,
            skip_footer=skip_footer,
            has_header=has_header,
        )
    result = await banking.import_statement(
        db, tenant, filename=file.filename or "statement", data=data, fmt=format, mapping=mapping
    )
    if save_mapping_as and mapping is not None and not mapping_name:
        await bank_mappings.save_mapping(db, tenant, name=save_mapping_as, mapping=mapping)
    return ImportOut(**result.__dict__)


class BankFormatsOut(BaseModel):
    formats: list[str]
    csv_presets: list[str]
    saved_mappings: list[str]


@router.get("/bank-formats", response_model=BankFormatsOut, tags=["reconciliation"])
async def bank_formats(tenant: Tenant, db: DB) -> BankFormatsOut:
    """What an upload can be read as: the formats, the banks' CSV presets and the school's saved mappings."""
    saved = await bank_mappings.list_mappings(db, tenant)
    return BankFormatsOut(
        formats=["auto", "camt", "norma43", "ofx", "mt940", "csv", "csv:custom"],
        csv_presets=list(PRESETS),
        saved_mappings=[m.name for m in saved],
    )


class LineOut(BaseModel):
    id: uuid.UUID
    booked_on: date
    value_date: date | None
    amount: Decimal
    currency: str
    payer_name: str | None
    payer_iban: str | None
    reference: str | None
    status: str
    proposed_student_id: uuid.UUID | None
    confidence: float | None
    candidates: list[dict[str, Any]]


class Inbox(BaseModel):
    bank_lines: list[LineOut]
    receipts: list[ReceiptOut]


@router.get("/reconciliation", response_model=Inbox, tags=["reconciliation"])
async def reconciliation_inbox(tenant: Tenant, db: DB) -> Inbox:
    """Everything waiting for a person: transfers to match and receipts to verify."""
    lines = await banking.inbox(db, tenant)
    return Inbox(
        bank_lines=[
            LineOut(
                id=x.id,
                booked_on=x.booked_on,
                value_date=x.value_date,
                amount=x.amount,
                currency=x.currency,
                payer_name=x.payer_name,
                payer_iban=x.payer_iban,
                reference=x.reference,
                status=x.status.value,
                proposed_student_id=x.proposed_student_id,
                confidence=x.confidence,
                candidates=x.candidates,
            )
            for x in lines
        ],
        receipts=[_receipt_out(r) for r in await receipts.pending(db, tenant)],
    )


class ConfirmIn(BaseModel):
    student_id: uuid.UUID | None = Field(default=None, description="Defaults to the proposed student.")


class SplitPart(BaseModel):
    student_id: uuid.UUID
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)


class SplitIn(BaseModel):
    parts: list[SplitPart] = Field(min_length=2, max_length=10)


@router.post("/bank-lines/{line_id}/confirm", response_model=PaymentOut, tags=["reconciliation"])
async def confirm_line(line_id: uuid.UUID, body: ConfirmIn, tenant: Tenant, db: DB, now: Now) -> PaymentOut:
    return PaymentOut.model_validate(
        await banking.confirm(db, tenant, line_id, student_id=body.student_id, now=now)
    )


@router.post("/bank-lines/{line_id}/split", response_model=list[PaymentOut], tags=["reconciliation"])
async def split_line(line_id: uuid.UUID, body: SplitIn, tenant: Tenant, db: DB, now: Now) -> list[PaymentOut]:
    made = await banking.split(
        db, tenant, line_id, parts=[(p.student_id, p.amount) for p in body.parts], now=now
    )
    return [PaymentOut.model_validate(p) for p in made]


@router.post("/bank-lines/{line_id}/ignore", status_code=status.HTTP_204_NO_CONTENT, tags=["reconciliation"])
async def ignore_line(line_id: uuid.UUID, body: VoidIn, tenant: Tenant, db: DB) -> None:
    await banking.ignore(db, tenant, line_id, reason=body.reason)


# -- payouts ------------------------------------------------------------------------------------------


@router.get("/payouts/preview", response_model=PayoutPreview, tags=["payouts"], responses=EXPORTABLE)
async def payout_preview(
    tenant: Tenant,
    db: DB,
    export: Exporter,
    start: Day | None = None,
    end: Day | None = None,
    teacher_id: uuid.UUID | None = None,
) -> PayoutPreview | Sequence[PayoutPreviewRow] | Response:
    """What teachers earned in a period (last month by default), every line traceable to a session;
    ``format=csv|xlsx``: one row per line with its teacher."""
    this_month = month_start(tenant.today())
    start = start or month_start(this_month - timedelta(days=1))
    end = end or this_month - timedelta(days=1)
    preview = await payouts.preview(db, tenant, start=start, end=end, teacher_id=teacher_id)
    if export.wanted:
        return await export.items(PayoutPreviewRow.rows_of(preview), PayoutPreviewRow, "payout_lines")
    return preview


@router.post("/payouts", status_code=status.HTTP_201_CREATED, response_model=PayoutOut, tags=["payouts"])
async def approve_payout(body: ApproveIn, tenant: Tenant, db: DB, now: Now) -> PayoutOut:
    """Approve (lock) a teacher's payout for an ended period."""
    payout = await payouts.approve(
        db,
        tenant,
        teacher_id=body.teacher_id,
        start=body.period_start,
        end=body.period_end,
        today=tenant.today(),
        now=now,
    )
    return await payouts.get_payout(db, tenant, payout.id)


@router.get("/payouts/{payout_id}", response_model=PayoutOut, tags=["payouts"])
async def get_payout(payout_id: uuid.UUID, tenant: Tenant, db: DB) -> PayoutOut:
    """An approved payout and the lines that explain it."""
    return await payouts.get_payout(db, tenant, payout_id)


@router.post("/payouts/{payout_id}/paid", response_model=PayoutOut, tags=["payouts"])
async def mark_paid(payout_id: uuid.UUID, tenant: Tenant, db: DB, now: Now) -> PayoutOut:
    await payouts.mark_paid(db, tenant, payout_id, now=now)
    return await payouts.get_payout(db, tenant, payout_id)
