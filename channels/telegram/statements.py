"""A bank statement sent to the bot as a file: imported like a web upload, its proposals summarised.

The office sends the file their bank exported (CAMT.053, Norma 43, OFX, MT940 or CSV); its content
decides the format unless the caption names one ("norma43", "csv:bbva"). The import proposes
matches and never applies them: the summary says who seems to have paid and points to the
reconciliation inbox, where a person confirms. Teachers are refused by the service, as on the web.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Update
from telegram.ext import filters

from domain.banking import service as banking
from domain.banking.models import BankLine, LineStatus
from domain.db import unit_of_work
from domain.errors import Invalid
from domain.tenancy import TenantContext

# Any document but a receipt (PDF or image: those go to the receipt handler).
STATEMENT_FILES = (
    filters.Document.ALL & ~filters.Document.MimeType("application/pdf") & ~filters.Document.IMAGE
)
MAX_BYTES = 20 * 1024 * 1024  # what the Bot API lets a bot download, and what the web upload takes
SHOWN = 5
FORMAT_WORDS = ("auto", "camt", "camt053", "camt054", "norma43", "n43", "ofx", "mt940", "csv")

TEXTS = {
    "en": {
        "too_big": "That file is larger than 20 MB.",
        "read": "Statement read as {fmt}: {total} lines, {new} new.",
        "again": "This statement was imported before: nothing new.",
        "counts": "{proposed} proposed, {ambiguous} to decide, {unmatched} unmatched, {ignored} set aside.",
        "proposal": "• {amount} {currency} from {payer} → {student}",
        "more": "…and {count} more.",
        "inbox": "Nothing is recorded until someone confirms in the reconciliation inbox.",
    },
    "es": {
        "too_big": "Ese archivo pasa de 20 MB.",
        "read": "Extracto leído como {fmt}: {total} movimientos, {new} nuevos.",
        "again": "Este extracto ya se importó: nada nuevo.",
        "counts": (
            "{proposed} propuestos, {ambiguous} por decidir, {unmatched} sin alumno, {ignored} apartados."
        ),
        "proposal": "• {amount} {currency} de {payer} → {student}",
        "more": "…y {count} más.",
        "inbox": "No se registra nada hasta que alguien lo confirme en la bandeja de conciliación.",
    },
}


def _format(caption: str | None) -> str:
    word = (caption or "").strip().lower()
    if word in FORMAT_WORDS or word.startswith("csv:"):
        return word
    return "auto"


def _language(update: Update) -> str:
    code = (update.effective_user.language_code if update.effective_user else None) or ""
    return "es" if code.startswith("es") else "en"


def summary(
    language: str, *, fmt: str, total: int, new: int, by_status: dict[str, int], proposals: list[BankLine]
) -> str:
    text = TEXTS[language]
    counts = {status.value: by_status.get(status.value, 0) for status in LineStatus}
    lines = [text["read"].format(fmt=fmt, total=total, new=new), text["counts"].format(**counts)]
    for line in proposals[:SHOWN]:
        student = line.candidates[0]["name"] if line.candidates else "?"
        amount = Decimal(line.amount).quantize(Decimal("0.01"))
        payer = line.payer_name or line.reference or "?"
        lines.append(
            text["proposal"].format(amount=amount, currency=line.currency, payer=payer, student=student)
        )
    if len(proposals) > SHOWN:
        lines.append(text["more"].format(count=len(proposals) - SHOWN))
    lines.append(text["inbox"])
    return "\n".join(lines)


async def import_from_chat(
    update: Update, sessions: async_sessionmaker[AsyncSession], tenant: TenantContext
) -> str:
    """Download the document, import it in one transaction, and say what came of it."""
    message = update.effective_message
    document = message.document if message is not None else None
    if message is None or document is None:
        raise Invalid("Send the statement as a file.")
    language = _language(update)
    if document.file_size and document.file_size > MAX_BYTES:
        return TEXTS[language]["too_big"]
    data = bytes(await (await document.get_file()).download_as_bytearray())
    async with unit_of_work(sessions, tenant) as session:
        result = await banking.import_statement(
            session,
            tenant,
            filename=document.file_name or f"telegram-{message.message_id}",
            data=data,
            fmt=_format(message.caption),
        )
        if result.duplicate_file:
            return TEXTS[language]["again"]
        proposals = list(
            (
                await session.scalars(
                    select(BankLine)
                    .where(BankLine.import_id == result.import_id, BankLine.status == LineStatus.PROPOSED)
                    .order_by(BankLine.booked_on, BankLine.id)
                )
            ).all()
        )
    return summary(
        language,
        fmt=result.format,
        total=result.lines_total,
        new=result.lines_new,
        by_status=result.by_status,
        proposals=proposals,
    )
