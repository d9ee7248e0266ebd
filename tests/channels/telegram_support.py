"""What the Telegram tests share: the Bot API mocked with respx (messages sent, edits, the command
menu recorded), the app with a copilot, and helpers that build updates and post them to the webhook.
A test module imports the ``*_fixture`` functions; pytest knows them by their ``name``."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copilot.service import Copilot
from domain.db import unit_of_work
from domain.notes.models import StudentNote
from domain.payments.storage import LocalStorage
from domain.settings import Settings
from domain.telegram import service as telegram
from tests.domain.studio import Studio, build_studio

TOKEN = "123456:TEST-TOKEN"
SECRET = "s3cret-webhook-token"
API = f"https://api.telegram.org/bot{TOKEN}"
LUCIA, MARCO_TG, STRANGER = 1001, 1002, 1003
ids = itertools.count(1)


@pytest.fixture(name="settings")
def settings_fixture() -> Settings:
    return Settings(telegram_token=TOKEN, telegram_webhook_secret=SECRET)


class Sent(list[dict[str, Any]]):
    """The messages the bot sent; its edits and command menus; ``router`` adds more Bot API routes
    (files) for one test."""

    router: respx.MockRouter
    edits: list[dict[str, Any]]
    commands: list[dict[str, Any]]
    refuse: int  # this many next sendMessage calls fail (Telegram answers 500) and are not recorded


def _body(request: httpx.Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").startswith("application/json"):
        return dict(json.loads(request.content))
    return dict(httpx.QueryParams(request.content.decode())) if request.content else {}


@pytest.fixture(name="bot_api")
def bot_api_fixture() -> Iterator[Sent]:
    """The Bot API: getMe, sendMessage and editMessageText (recorded), setMyCommands (recorded),
    answerCallbackQuery."""
    sent = Sent()
    sent.edits, sent.commands, sent.refuse = [], [], 0

    def reply(body: dict[str, Any], message_id: int) -> httpx.Response:
        chat = {"id": int(body.get("chat_id", 0)), "type": "private"}
        message = {"message_id": message_id, "date": 0, "chat": chat, "text": "x"}
        return httpx.Response(200, json={"ok": True, "result": message})

    def send(request: httpx.Request) -> httpx.Response:
        if sent.refuse:
            sent.refuse -= 1
            return httpx.Response(500, json={"ok": False, "error_code": 500, "description": "Internal"})
        sent.append(_body(request))
        return reply(sent[-1], len(sent))

    def edit(request: httpx.Request) -> httpx.Response:
        sent.edits.append(_body(request))
        return reply(sent.edits[-1], int(sent.edits[-1].get("message_id", 0)))

    def commands(request: httpx.Request) -> httpx.Response:
        sent.commands.append(_body(request))
        return httpx.Response(200, json={"ok": True, "result": True})

    with respx.mock(assert_all_called=False) as mock:
        mock.post(f"{API}/getMe").respond(
            json={
                "ok": True,
                "result": {"id": 42, "is_bot": True, "first_name": "Cadence", "username": "cadence_bot"},
            }
        )
        mock.post(f"{API}/sendMessage").mock(side_effect=send)
        mock.post(f"{API}/editMessageText").mock(side_effect=edit)
        mock.post(f"{API}/setMyCommands").mock(side_effect=commands)
        mock.post(f"{API}/answerCallbackQuery").respond(json={"ok": True, "result": True})
        sent.router = mock
        yield sent


@pytest.fixture(name="copilot_app")
def copilot_app_fixture(app: FastAPI, checkpointer: AsyncPostgresSaver, tmp_path: Path) -> FastAPI:
    app.state.copilot = Copilot(checkpointer, receipts=LocalStorage(tmp_path / "receipts"))
    return app


def message(
    user: int, text: str, update_id: int | None = None, *, chat: int | None = None, chat_type: str = "private"
) -> dict[str, Any]:
    """A text message from ``user``; in their private chat unless ``chat`` and ``chat_type`` say."""
    entities = (
        [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}] if text.startswith("/") else []
    )
    return {
        "update_id": update_id or next(ids),
        "message": {
            "message_id": next(ids),
            "date": 0,
            "chat": {"id": chat or user, "type": chat_type},
            "from": {"id": user, "is_bot": False, "first_name": "T"},
            "text": text,
            "entities": entities,
        },
    }


def press(user: int, data: str, *, on: dict[str, Any] | None = None, message_id: int = 1) -> dict[str, Any]:
    """A button press; ``on`` is the sent message that carried the button (its text is kept)."""
    pressed: dict[str, Any] = {"message_id": message_id, "date": 0, "chat": {"id": user, "type": "private"}}
    if on is not None:
        pressed["text"] = on["text"]
    return {
        "update_id": next(ids),
        "callback_query": {
            "id": str(next(ids)),
            "chat_instance": "c",
            "data": data,
            "from": {"id": user, "is_bot": False, "first_name": "T"},
            "message": pressed,
        },
    }


async def post(app: FastAPI, update: dict[str, Any], secret: str | None = SECRET) -> httpx.Response:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as client:
        return await client.post("/telegram/webhook", json=update, headers=headers)


async def link(
    sessions: async_sessionmaker[AsyncSession], app: FastAPI, user_id: Any, telegram_id: int
) -> None:
    async with unit_of_work(sessions) as session:
        code = await telegram.new_link_code(session, user_id=user_id, now=datetime.now(UTC))
    assert (await post(app, message(telegram_id, f"/start {code}"))).status_code == 200


async def studio(sessions: async_sessionmaker[AsyncSession], names: tuple[str, ...] | None = None) -> Studio:
    async with unit_of_work(sessions) as session:
        return await (build_studio(session) if names is None else build_studio(session, names))


async def notes(sessions: async_sessionmaker[AsyncSession], studio: Studio) -> int:
    async with unit_of_work(sessions, studio.admin) as session:
        return int(await session.scalar(select(func.count()).select_from(StudentNote)) or 0)


def buttons(sent: dict[str, Any]) -> list[str]:
    """The callback data of a sent message's buttons (Confirm first, then Cancel)."""
    return [b["callback_data"] for b in json.loads(sent["reply_markup"])["inline_keyboard"][0]]
