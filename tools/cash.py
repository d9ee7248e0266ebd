"""Cash handed to a teacher in class: the teacher reports it (awaiting the office's verification, never
money counted as paid), the office sees what awaits and verifies it (then it is a cash payment).
Thin over ``domain.cash_reports``."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select

from domain.cash_reports import service as cash
from domain.orgs.service import get_organization
from domain.students.models import Student
from domain.students.service import get_student
from tools import resolve
from tools.base import (
    EVERYONE,
    OFFICE,
    NeedsClarification,
    Plan,
    ReadTool,
    ToolContext,
    ToolOutput,
    WriteTool,
)

_SAID = {
    "en": {
        "report": "{student} handed you {amount} in cash on {day}: noted as cash awaiting the office's "
        "verification. It does not count as paid until the office has counted it.",
        "reported": "Noted: {amount} in cash from {student}, awaiting the office's verification.",
        "none": "No cash reported by teachers awaits verification.",
        "some": "{count} cash reports await verification:",
        "row": "- {student}: {amount} on {day}",
        "verify": "Verify the cash from {student} ({amounts}): each becomes a cash payment.",
        "nothing_for": "No cash from {student} awaits verification.",
        "verified": "Verified: {amounts} from {student} recorded as cash payments.",
    },
    "es": {
        "report": "{student} te dio {amount} en efectivo el {day}: anotado como efectivo pendiente de "
        "verificar por la oficina. No cuenta como pagado hasta que la oficina lo cuente.",
        "reported": "Anotado: {amount} en efectivo de {student}, pendiente de verificar por la oficina.",
        "none": "No hay efectivo de profesores pendiente de verificar.",
        "some": "{count} entregas de efectivo pendientes de verificar:",
        "row": "- {student}: {amount} el {day}",
        "verify": "Verificar el efectivo de {student} ({amounts}): cada entrega pasa a ser un pago "
        "en efectivo.",
        "nothing_for": "No hay efectivo de {student} pendiente de verificar.",
        "verified": "Verificado: {amounts} de {student} registrados como pagos en efectivo.",
    },
}


def _say(ctx: ToolContext, key: str, **values: object) -> str:
    return _SAID.get(ctx.language.split("-")[0], _SAID["en"])[key].format(**values)


async def _money(ctx: ToolContext, amount: Decimal) -> str:
    return ctx.speech.money(amount, (await get_organization(ctx.session, ctx.tenant)).currency)


class ReportCashArgs(BaseModel):
    student: str = Field(description="The student who handed over the cash.")
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    received_on: dt.date | None = Field(default=None, description="When; today if omitted.")


async def _plan_report(ctx: ToolContext, args: ReportCashArgs) -> Plan:
    student_id = await resolve.student(ctx, args.student)
    day = args.received_on or ctx.today
    value = await cash.check_report(
        ctx.session, ctx.tenant, student_id=student_id, amount=args.amount, received_on=day, today=ctx.today
    )
    student = await get_student(ctx.session, ctx.tenant, student_id)
    preview = _say(
        ctx, "report", student=student.full_name, amount=await _money(ctx, value), day=ctx.speech.day(day)
    )
    return Plan(
        {
            "student_id": str(student_id),
            "student": student.full_name,
            "amount": str(value),
            "received_on": day.isoformat(),
        },
        preview,
    )


async def _apply_report(ctx: ToolContext, planned: dict[str, Any]) -> ToolOutput:
    report = await cash.report_cash(
        ctx.session,
        ctx.tenant,
        student_id=uuid.UUID(planned["student_id"]),
        amount=Decimal(planned["amount"]),
        received_on=dt.date.fromisoformat(planned["received_on"]),
        today=ctx.today,
    )
    text = _say(ctx, "reported", amount=await _money(ctx, report.amount), student=planned["student"])
    return ToolOutput(text, {"cash_report_id": str(report.id), "status": report.status.value})


class NoArgs(BaseModel):
    pass


async def _names(ctx: ToolContext, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    rows = await ctx.session.execute(select(Student.id, Student.full_name).where(Student.id.in_(ids)))
    return {i: name for i, name in rows}


async def _awaiting(ctx: ToolContext, args: NoArgs) -> ToolOutput:
    reports = await cash.awaiting(ctx.session, ctx.tenant)
    if not reports:
        return ToolOutput(_say(ctx, "none"), {"reports": []})
    names = await _names(ctx, {r.student_id for r in reports})
    rows = [
        _say(
            ctx,
            "row",
            student=names[r.student_id],
            amount=await _money(ctx, r.amount),
            day=ctx.speech.day(r.received_on),
        )
        for r in reports
    ]
    data = [{"id": str(r.id), "student_id": str(r.student_id), "amount": str(r.amount)} for r in reports]
    return ToolOutput(_say(ctx, "some", count=len(reports)) + "\n" + "\n".join(rows), {"reports": data})


class VerifyCashArgs(BaseModel):
    student: str = Field(description="The student whose reported cash the office has counted.")


async def _plan_verify(ctx: ToolContext, args: VerifyCashArgs) -> Plan:
    student_id = await resolve.student(ctx, args.student)
    student = await get_student(ctx.session, ctx.tenant, student_id)
    theirs = [r for r in await cash.awaiting(ctx.session, ctx.tenant) if r.student_id == student_id]
    if not theirs:
        raise NeedsClarification(_say(ctx, "nothing_for", student=student.full_name))
    amounts = ", ".join([await _money(ctx, r.amount) for r in theirs])
    return Plan(
        {"report_ids": [str(r.id) for r in theirs], "student": student.full_name, "amounts": amounts},
        _say(ctx, "verify", student=student.full_name, amounts=amounts),
    )


async def _apply_verify(ctx: ToolContext, planned: dict[str, Any]) -> ToolOutput:
    done = [
        await cash.verify(ctx.session, ctx.tenant, uuid.UUID(i), now=ctx.now) for i in planned["report_ids"]
    ]
    text = _say(ctx, "verified", amounts=planned["amounts"], student=planned["student"])
    return ToolOutput(text, {"payment_ids": [str(r.payment_id) for r in done]})


REPORT_CASH = WriteTool(
    "report_cash",
    "A teacher notes cash a student handed them in class; it awaits the office's verification (not paid).",
    ReportCashArgs,
    EVERYONE,
    _plan_report,
    _apply_report,
)
CASH_TO_VERIFY = ReadTool(
    "cash_to_verify", "Office: cash reported by teachers that awaits verification.", NoArgs, OFFICE, _awaiting
)
VERIFY_CASH = WriteTool(
    "verify_cash",
    "Office: the cash a teacher reported for a student was counted; it becomes a cash payment.",
    VerifyCashArgs,
    OFFICE,
    _plan_verify,
    _apply_verify,
)
