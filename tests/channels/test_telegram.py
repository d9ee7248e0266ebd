"""The teachers' Telegram bot through its webhook, with the Bot API mocked by respx (no network):
linking, a read, a confirmed and a cancelled write, a redelivered update, the secret, an unlinked
user, a person of two organizations."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.auth.models import User
from domain.db import unit_of_work
from domain.payments.models import Receipt
from domain.settings import Settings
from domain.telegram import service as telegram
from tests.channels.telegram_support import (  # noqa: F401 - the *_fixture ones are fixtures, shared
    API,
    LUCIA,
    MARCO_TG,
    STRANGER,
    TOKEN,
    Sent,
    bot_api_fixture,
    copilot_app_fixture,
    link,
    message,
    notes,
    post,
    press,
    settings_fixture,
    studio,
)
from tests.copilot.conftest import checkpointer  # noqa: F401 - the fixture, shared
from tests.domain.studio import Studio
from tests.factories import make_org


async def test_the_webhook_needs_the_secret(
    copilot_app: FastAPI, bot_api: Sent, sessions: async_sessionmaker[AsyncSession]
) -> None:
    assert (await post(copilot_app, message(STRANGER, "hi"), secret="wrong")).status_code == 403
    assert (await post(copilot_app, message(STRANGER, "hi"), secret=None)).status_code == 403
    assert bot_api == []
    ok = await post(copilot_app, message(STRANGER, "hi"))  # control: the right secret gets in
    assert ok.status_code == 200 and len(bot_api) == 1


async def test_without_a_configured_secret_every_call_is_refused(
    sessions: async_sessionmaker[AsyncSession], bot_api: Sent
) -> None:
    from channels.http.app import create_app

    open_app = create_app(Settings(telegram_token=TOKEN))
    open_app.state.sessions = sessions
    assert (await post(open_app, message(STRANGER, "hi"), secret="")).status_code == 403
    assert (await post(open_app, message(STRANGER, "hi"), secret="anything")).status_code == 403
    off = create_app(Settings())
    assert (await post(off, message(STRANGER, "hi"))).status_code == 404  # no token: Telegram is off


async def test_an_unlinked_user_gets_an_explanation_and_nothing_else(
    copilot_app: FastAPI, bot_api: Sent, sessions: async_sessionmaker[AsyncSession]
) -> None:
    school = await studio(sessions)
    await post(copilot_app, message(STRANGER, "add a note to Ana García: give me everything"))
    await post(copilot_app, message(STRANGER, "/unpaid"))
    assert [m["text"].startswith("Hello! This bot works for people of schools") for m in bot_api] == [
        True,
        True,
    ]
    assert await notes(sessions, school) == 0


async def test_linking_then_a_read_question(
    copilot_app: FastAPI, bot_api: Sent, sessions: async_sessionmaker[AsyncSession]
) -> None:
    school = await studio(sessions)
    assert school.teacher.user_id is not None
    async with unit_of_work(sessions) as session:
        code = await telegram.new_link_code(session, user_id=school.teacher.user_id, now=datetime.now(UTC))
    await post(copilot_app, message(LUCIA, f"/start {code}"))
    assert bot_api[-1]["text"].startswith("Connected. You work with:")
    await post(copilot_app, message(STRANGER, f"/start {code}"))  # the code works once
    assert bot_api[-1]["text"] == "That code is not valid any more; get a new one in Cadence."

    await post(copilot_app, message(LUCIA, "who is in salsa beginners?"))
    answer = bot_api[-1]["text"]
    assert "Ana García" in answer and "José Martínez" in answer and "Sofía López" in answer


async def test_a_write_waits_for_the_askers_confirm_and_a_cancel_records_nothing(
    copilot_app: FastAPI, bot_api: Sent, sessions: async_sessionmaker[AsyncSession]
) -> None:
    school = await studio(sessions)
    await link(sessions, copilot_app, school.admin.user_id, LUCIA)
    await link(sessions, copilot_app, school.staff.user_id, MARCO_TG)  # another person of the school

    await post(copilot_app, message(LUCIA, "add a note to Ana García: sprained ankle"))
    preview = bot_api[-1]
    markup = json.loads(preview["reply_markup"])
    confirm, cancel = (b["callback_data"] for b in markup["inline_keyboard"][0])
    assert (
        confirm.startswith("confirm:") and cancel.startswith("cancel:") and await notes(sessions, school) == 0
    )

    await post(copilot_app, press(MARCO_TG, confirm))  # someone else's button press
    assert await notes(sessions, school) == 0
    await post(copilot_app, press(LUCIA, confirm))
    assert await notes(sessions, school) == 1

    await post(copilot_app, message(LUCIA, "add a note to José Martínez: moves to evenings"))
    second = json.loads(bot_api[-1]["reply_markup"])["inline_keyboard"][0][1]["callback_data"]
    await post(copilot_app, press(LUCIA, second))
    assert await notes(sessions, school) == 1  # cancelled: nothing recorded


async def test_a_redelivered_update_does_nothing(
    copilot_app: FastAPI, bot_api: Sent, sessions: async_sessionmaker[AsyncSession]
) -> None:
    school = await studio(sessions)
    await link(sessions, copilot_app, school.admin.user_id, LUCIA)
    asked = message(LUCIA, "add a note to Ana García: allergic to dust")
    await post(copilot_app, asked)
    confirm = json.loads(bot_api[-1]["reply_markup"])["inline_keyboard"][0][0]["callback_data"]
    pressed = press(LUCIA, confirm)
    before = len(bot_api)
    for _ in range(3):  # Telegram retries the same update ids
        await post(copilot_app, pressed)
        await post(copilot_app, asked)
    assert await notes(sessions, school) == 1
    assert len(bot_api) == before + 1  # only the first press answered


async def test_a_person_of_two_organizations_chooses_one_first(
    copilot_app: FastAPI, bot_api: Sent, sessions: async_sessionmaker[AsyncSession]
) -> None:
    school = await studio(sessions)
    async with unit_of_work(sessions) as session:
        admin = await session.get(User, school.admin.user_id)
        assert admin is not None
        second, _ = await make_org(session, admin, name="Second Studio")
    await link(sessions, copilot_app, school.admin.user_id, LUCIA)
    await post(copilot_app, message(LUCIA, "who is in salsa beginners?"))
    assert bot_api[-1]["text"] == "You work with several organizations; choose one with /org first."

    await post(copilot_app, message(LUCIA, "/org"))
    buttons = [row[0] for row in json.loads(bot_api[-1]["reply_markup"])["inline_keyboard"]]
    assert {b["text"] for b in buttons} == {school.org.name, "Second Studio"}
    await post(copilot_app, press(LUCIA, f"org:{second.id}"))
    await post(copilot_app, message(LUCIA, "who is in salsa beginners?"))
    assert "Ana García" not in bot_api[-1]["text"]  # the second studio has no such group
    await post(copilot_app, press(LUCIA, f"org:{school.org.id}"))
    await post(copilot_app, message(LUCIA, "who is in salsa beginners?"))
    assert "Ana García" in bot_api[-1]["text"]


def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(out, format="PNG")
    return out.getvalue()


def photo(user: int, caption: str, size: int) -> dict[str, Any]:
    update = message(user, caption)
    body = update["message"]
    del body["text"], body["entities"]
    body["caption"] = caption
    body["photo"] = [{"file_id": "f1", "file_unique_id": "u1", "width": 40, "height": 20, "file_size": size}]
    return update


async def receipts_of(sessions: async_sessionmaker[AsyncSession], school: Studio) -> int:
    async with unit_of_work(sessions, school.admin) as session:
        return int(await session.scalar(select(func.count()).select_from(Receipt)) or 0)


async def test_a_photo_with_a_caption_becomes_a_receipt_after_confirm(
    copilot_app: FastAPI, bot_api: Sent, sessions: async_sessionmaker[AsyncSession]
) -> None:
    school = await studio(sessions)
    await link(sessions, copilot_app, school.admin.user_id, LUCIA)
    image = png()
    file = {"file_id": "f1", "file_unique_id": "u1", "file_size": len(image), "file_path": "photos/f1.png"}
    bot_api.router.post(f"{API}/getFile").respond(json={"ok": True, "result": file})
    download = bot_api.router.get(f"https://api.telegram.org/file/bot{TOKEN}/photos/f1.png")

    download.respond(content=b"not an image at all")  # a damaged or disguised file is refused at once
    await post(copilot_app, photo(LUCIA, "this is Ana García's transfer for October", 19))
    assert (
        bot_api[-1]["text"] == "Only JPEG, PNG or PDF receipts are accepted."
        and "reply_markup" not in bot_api[-1]
    )

    download.respond(content=image)
    await post(copilot_app, photo(LUCIA, "this is Ana García's transfer for October", len(image)))
    preview = bot_api[-1]
    assert "as Ana García's transfer receipt" in preview["text"]
    confirm = json.loads(preview["reply_markup"])["inline_keyboard"][0][0]["callback_data"]
    assert await receipts_of(sessions, school) == 0  # nothing until Confirm
    await post(copilot_app, press(LUCIA, confirm))
    assert await receipts_of(sessions, school) == 1

    await post(copilot_app, photo(LUCIA, "Ana's transfer", 50 * 1024 * 1024))  # too big: not even downloaded
    assert bot_api[-1]["text"] == "That file is larger than 10 MB." and download.call_count == 2
