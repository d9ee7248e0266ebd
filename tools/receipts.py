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
        raise NeedsClarification(ctx.speech.say("receipts.send_the_file"))
    require_office(ctx.tenant, "attach receipts")
    student = await get_student(ctx.session, ctx.tenant, await resolve.student(ctx, args.student))
    file = ctx.attachment
    return Plan(
        {"student_id": str(student.id), "staged_key": file.staged_key, "filename": file.filename},
        ctx.speech.say(
            "receipts.preview",
            filename=file.filename,
            kb=max(1, file.size // 1024),
            student=student.full_name,
        ),
    )


async def _apply_attach(ctx: ToolContext, planned: dict[str, Any]) -> ToolOutput:
    if ctx.receipts is None:
        raise NeedsClarification(ctx.speech.say("receipts.cannot_store"))
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
    return ToolOutput(ctx.speech.say("receipts.attached"), {"receipt_id": str(receipt.id)})


ATTACH_RECEIPT = WriteTool(
    "attach_receipt",
    "Attach the photo or PDF sent with this message as a student's bank-transfer receipt.",
    AttachArgs,
    OFFICE,
    _plan_attach,
    _apply_attach,
)
