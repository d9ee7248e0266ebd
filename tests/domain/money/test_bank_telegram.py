"""A statement file sent to the bot is imported like a web upload and its proposals are summarised;
a teacher is refused and nothing is stored; a bad file is answered with the reason."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.banking.models import BankLine
from domain.db import unit_of_work
from domain.telegram import service as telegram
from tests.channels.telegram_support import (  # noqa: F401 - the *_fixture ones are fixtures, shared
    API,
    LUCIA,
    MARCO_TG,
    TOKEN,
    Sent,
    bot_api_fixture,
    copilot_app_fixture,
    link,
    message,
    post,
    settings_fixture,
    studio,
)
from tests.copilot.conftest import checkpointer  # noqa: F401 - the fixture, shared
from tests.domain.studio import Studio

CAMT = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>T-1</MsgId><CreDtTm>2026-11-30T10:00:00</CreDtTm></GrpHdr>
<Stmt><Id>T</Id><CreDtTm>2026-11-30T10:00:00</CreDtTm>
<Acct><Id><IBAN>ES9121000418450200051332</IBAN></Id><Ccy>EUR</Ccy></Acct>
{entries}</Stmt></BkToCstmrStmt></Document>
"""
ENTRY = """<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{side}</CdtDbtInd>
<BookgDt><Dt>2026-11-{day}</Dt></BookgDt><ValDt><Dt>2026-11-{day}</Dt></ValDt><AcctSvcrRef>REF{day}</AcctSvcrRef><NtryDtls><TxDtls><RltdPties><Dbtr><Nm>{payer}</Nm>
</Dbtr></RltdPties><RmtInf><Ustrd>{purpose}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
"""


def statement() -> bytes:
    entries = [
        ENTRY.format(amount="45.00", side="CRDT", day="03", payer="ANA GARCIA", purpose="Cuota Ana Garcia"),
        ENTRY.format(amount="45.00", side="CRDT", day="04", payer="PEDRO NADIE", purpose="Transferencia"),
        ENTRY.format(amount="12.50", side="DBIT", day="05", payer="BANCO", purpose="Comision"),
    ]
    return CAMT.format(entries="".join(entries)).encode()


def document(
    user: int, name: str, size: int, caption: str | None = None, language: str = "en"
) -> dict[str, Any]:
    update = message(user, "x")
    body = update["message"]
    del body["text"], body["entities"]
    body["from"]["language_code"] = language
    body["document"] = {
        "file_id": "s1", "file_unique_id": "us1", "file_name": name, "mime_type": "application/xml",
        "file_size": size,
    }  # fmt: skip
    if caption:
        body["caption"] = caption
    return update


async def lines_of(sessions: async_sessionmaker[AsyncSession], school: Studio) -> int:
    async with unit_of_work(sessions, school.admin) as session:
        return int(await session.scalar(select(func.count()).select_from(BankLine)) or 0)


def serve(bot_api: Sent, data: bytes) -> None:
    file = {"file_id": "s1", "file_unique_id": "us1", "file_size": len(data), "file_path": "documents/s1.xml"}
    bot_api.router.post(f"{API}/getFile").respond(json={"ok": True, "result": file})
    bot_api.router.get(f"https://api.telegram.org/file/bot{TOKEN}/documents/s1.xml").respond(content=data)


async def test_the_office_sends_a_statement_and_gets_the_proposals(
    copilot_app: FastAPI, bot_api: Sent, sessions: async_sessionmaker[AsyncSession]
) -> None:
    school = await studio(sessions)
    await link(sessions, copilot_app, school.admin.user_id, LUCIA)
    data = statement()
    serve(bot_api, data)
    await post(copilot_app, document(LUCIA, "extracto.xml", len(data)))
    reply = bot_api[-1]["text"]
    assert reply.startswith("Statement read as camt: 3 lines, 3 new.\n"), reply
    assert "• 45.00 EUR from ANA GARCIA → Ana García" in reply
    assert "1 set aside" in reply and "someone confirms in the reconciliation inbox" in reply
    assert await lines_of(sessions, school) == 3
    await post(copilot_app, document(LUCIA, "extracto.xml", len(data), language="es"))  # the same file again
    assert bot_api[-1]["text"] == "Este extracto ya se importó: nada nuevo."
    assert await lines_of(sessions, school) == 3


async def test_a_teacher_cannot_import_and_a_bad_file_is_explained(
    copilot_app: FastAPI, bot_api: Sent, sessions: async_sessionmaker[AsyncSession]
) -> None:
    school = await studio(sessions)
    assert school.teacher.user_id is not None
    async with unit_of_work(sessions) as session:
        code = await telegram.new_link_code(session, user_id=school.teacher.user_id, now=datetime.now(UTC))
    await post(copilot_app, message(MARCO_TG, f"/start {code}"))
    data = statement()
    serve(bot_api, data)
    await post(copilot_app, document(MARCO_TG, "extracto.xml", len(data)))
    assert "import bank statements" in bot_api[-1]["text"]  # the service's refusal, as on the web
    assert await lines_of(sessions, school) == 0
    await link(sessions, copilot_app, school.admin.user_id, LUCIA)
    cut = data[: len(data) // 2]
    serve(bot_api, cut)
    await post(copilot_app, document(LUCIA, "extracto.xml", len(cut)))
    assert "incomplete or damaged" in bot_api[-1]["text"]
    assert await lines_of(sessions, school) == 0
    await post(copilot_app, document(LUCIA, "big.xml", 30 * 1024 * 1024))  # too big: not downloaded
    assert bot_api[-1]["text"] == "That file is larger than 20 MB."
    serve(bot_api, data)  # the positive control: the office, a sound file
    await post(copilot_app, document(LUCIA, "extracto.xml", len(data), caption="camt"))
    assert bot_api[-1]["text"].startswith("Statement read as camt: 3 lines, 3 new.")
