"""Attach a file sent with the message (a photo or PDF to the bot) as a student's transfer receipt.
The file was checked and staged when it arrived; confirming uploads it with the same checks as the
web (type from the bytes, size, a real image or a complete PDF), where the office then reviews it."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, Field

from domain.orgs.permissions import require_office
from domain.payments import receipts
from domain.students.service import get_student
from tools import resolve
from tools.base import OFFICE, NeedsClarification, Plan, ToolContext, ToolOutput, WriteTool


class AttachArgs(BaseModel):
    student: str = Field(description="Whose transfer the attached photo or PDF shows.")


async def _plan_attach(ctx: ToolContext, args: AttachArgs) -> Plan:
    if ctx.attachment is None:
        raise NeedsClarification("Send the photo or PDF of the transfer together with this message.")
    require_office(ctx.tenant, "attach receipts")
    student = await get_student(ctx.session, ctx.tenant, await resolve.student(ctx, args.student))
    file = ctx.attachment
    return Plan(
        {"student_id": str(student.id), "staged_key": file.staged_key, "filename": file.filename},
        f"Attach {file.filename} ({max(1, file.size // 1024)} KB) as {student.full_name}'s transfer receipt; "
        "it waits in the payments inbox until the office checks it.",
    )


async def _apply_attach(ctx: ToolContext, planned: dict[str, Any]) -> ToolOutput:
    if ctx.receipts is None:
        raise NeedsClarification("Receipts cannot be stored here; upload it in the web app instead.")
    data = await ctx.receipts.read(planned["staged_key"])
    receipt = await receipts.upload(
        ctx.session,
        ctx.tenant,
        ctx.receipts,
        student_id=uuid.UUID(planned["student_id"]),
        filename=planned["filename"],
        data=data,
        max_bytes=ctx.receipt_max_bytes,
    )
    return ToolOutput("Receipt attached; it is in the payments inbox.", {"receipt_id": str(receipt.id)})


ATTACH_RECEIPT = WriteTool(
    "attach_receipt",
    "Attach the photo or PDF sent with this message as a student's bank-transfer receipt.",
    AttachArgs,
    OFFICE,
    _plan_attach,
    _apply_attach,
)
