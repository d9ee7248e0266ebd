"""A small fake Telegram Bot API server for tests, the demo and `cadence telegram simulate`.

It speaks the Bot API's HTTP surface the bot uses (``/bot<token>/<method>``: getMe, sendMessage,
sendPhoto (an uploaded PNG or JPEG, kept as bytes), editMessageText, editMessageReplyMarkup,
answerCallbackQuery, set/get/deleteMyCommands, setWebhook, deleteWebhook, getUpdates) and keeps what
the bot sent, per chat, as Telegram would show it (an edit replaces a message's text and buttons).
The people's side — a message typed, a button tapped — is turned into updates and delivered like
Telegram does: POSTed to the webhook (with its secret token) when one is set, otherwise queued for
``getUpdates`` (long polling).

Run it with uvicorn on localhost and point the bot at it with ``CADENCE_TELEGRAM_API_URL``: no token
from @BotFather, no network. It is a fake: it checks what matters to our bot (the token, the
64-byte callback data, the 4,096-character text, "message is not modified") and nothing else.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

BOT_ID = 4242
CALLBACK_DATA_LIMIT = 64  # bytes, Telegram's limit for an inline button's callback_data
TEXT_LIMIT = 4096  # UTF-16 code units
CAPTION_LIMIT = 1024  # UTF-16 code units, a photo's caption
IMAGES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")  # what Telegram can make a photo of: PNG, JPEG


class BotApiError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code, self.description = code, description


@dataclass
class Person:
    """Someone talking to the bot (a Telegram user, in their private chat with it)."""

    id: int
    first_name: str = "Tester"
    language_code: str | None = None

    def as_user(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            user["language_code"] = self.language_code
        return user


@dataclass
class Shown:
    """A message in a chat as it looks now: the bot's (with its buttons) or the person's."""

    message_id: int
    chat_id: int
    text: str
    from_bot: bool
    buttons: list[list[dict[str, Any]]] = field(default_factory=list)
    edits: int = 0
    photo: bytes | None = None  # a photo's file as uploaded; ``text`` is then its caption

    def data(self) -> list[str]:
        """Every button's callback data, row by row."""
        return [b["callback_data"] for row in self.buttons for b in row if "callback_data" in b]

    def labels(self) -> list[str]:
        return [b["text"] for row in self.buttons for b in row]

    def as_message(self, bot: dict[str, Any]) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": self.message_id,
            "date": 0,
            "chat": {"id": self.chat_id, "type": "private"},
        }
        if self.photo is None:
            message["text"] = self.text
        else:
            size = {"width": 1, "height": 1, "file_size": len(self.photo)}
            message["photo"] = [{"file_id": f"photo-{self.message_id}", "file_unique_id": "p", **size}]
            if self.text:
                message["caption"] = self.text
        if self.from_bot:
            message["from"] = bot
        if self.buttons:
            message["reply_markup"] = {"inline_keyboard": self.buttons}
        return message


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, Any]


def _params(raw: bytes, content_type: str, query: dict[str, str]) -> dict[str, Any]:
    """The call's parameters: JSON, a form (what python-telegram-bot sends), or the query string.
    Nested objects (reply_markup, commands, scope) arrive JSON-encoded inside a form."""
    params: dict[str, Any] = dict(query)
    if raw and content_type.startswith("application/json"):
        params.update(json.loads(raw))
    elif raw:
        params.update(httpx.QueryParams(raw.decode()))
    for key in ("reply_markup", "commands", "scope", "allowed_updates"):
        if isinstance(params.get(key), str):
            params[key] = json.loads(params[key])
    return params


async def _multipart(request: Request) -> dict[str, Any]:
    """A form with files: each file's bytes under its field's name, the rest as ``_params`` reads a form."""
    fields: dict[str, str] = dict(request.query_params)
    files: dict[str, bytes] = {}
    async with request.form() as form:
        for key, value in form.multi_items():
            if isinstance(value, str):
                fields[key] = value
            else:
                files[key] = await value.read()
    return _params(b"", "", fields) | files


class FakeBotApi:
    """The server's state and its ASGI app (``.app``)."""

    def __init__(self, token: str, *, webhook_client: httpx.AsyncClient | None = None) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.chats: dict[int, list[Shown]] = {}
        self.commands: dict[str, list[dict[str, str]]] = {}  # language code ('' = default) -> menu
        self.answered: list[dict[str, Any]] = []  # answerCallbackQuery calls (their notices)
        self.webhook: tuple[str, str | None] | None = None  # (url, secret token)
        self.webhook_client = webhook_client
        self._queue: list[dict[str, Any]] = []
        self._arrived = asyncio.Condition()
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self.bot = {"id": BOT_ID, "is_bot": True, "first_name": "Cadence", "username": "cadence_fake_bot"}
        self.app = Starlette(routes=[Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])])

    # --- the bot's side: the Bot API -------------------------------------------------------------

    async def _endpoint(self, request: Request) -> JSONResponse:
        if request.path_params["token"] != self.token:
            return JSONResponse({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        method = request.path_params["method"]
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("multipart/form-data"):  # a file uploaded (sendPhoto)
            params = await _multipart(request)
        else:
            params = _params(await request.body(), content_type, dict(request.query_params))
        handler = getattr(self, f"_{method}", None)
        if handler is None:
            return JSONResponse(
                {"ok": False, "error_code": 404, "description": "Not Found: method not found"}, 404
            )
        self.calls.append(Call(method, params))
        try:
            result = await handler(params)
        except BotApiError as exc:
            return JSONResponse(
                {"ok": False, "error_code": exc.code, "description": exc.description}, exc.code
            )
        return JSONResponse({"ok": True, "result": result})

    async def _getMe(self, params: dict[str, Any]) -> Any:
        return self.bot

    def _buttons(self, params: dict[str, Any]) -> list[list[dict[str, Any]]]:
        keyboard: list[list[dict[str, Any]]] = (params.get("reply_markup") or {}).get("inline_keyboard", [])
        for row in keyboard:
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
                    raise BotApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return keyboard

    @staticmethod
    def _text(params: dict[str, Any]) -> str:
        text = str(params.get("text", ""))
        if not text.strip():
            raise BotApiError(400, "Bad Request: message text is empty")
        if len(text.encode("utf-16-le")) // 2 > TEXT_LIMIT:
            raise BotApiError(400, "Bad Request: message is too long")
        return text

    async def _sendMessage(self, params: dict[str, Any]) -> Any:
        chat_id = int(params["chat_id"])
        shown = Shown(next(self._message_ids), chat_id, self._text(params), True, self._buttons(params))
        self.chats.setdefault(chat_id, []).append(shown)
        return shown.as_message(self.bot)

    async def _sendPhoto(self, params: dict[str, Any]) -> Any:
        chat_id, photo = int(params["chat_id"]), params.get("photo")
        if not isinstance(photo, bytes) or not photo.startswith(IMAGES):
            raise BotApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
        caption = str(params.get("caption") or "")
        if len(caption.encode("utf-16-le")) // 2 > CAPTION_LIMIT:
            raise BotApiError(400, "Bad Request: message caption is too long")
        shown = Shown(next(self._message_ids), chat_id, caption, True, self._buttons(params), photo=photo)
        self.chats.setdefault(chat_id, []).append(shown)
        return shown.as_message(self.bot)

    async def _sendDocument(self, params: dict[str, Any]) -> Any:
        """A file uploaded as a document: kept in ``calls`` (its bytes under ``document``); the chat shows
        its caption (empty when it has none), as a message from the bot."""
        chat_id, document = int(params["chat_id"]), params.get("document")
        if not isinstance(document, bytes) or not document:
            raise BotApiError(400, "Bad Request: file must be non-empty")
        shown = Shown(next(self._message_ids), chat_id, str(params.get("caption") or ""), True)
        self.chats.setdefault(chat_id, []).append(shown)
        return shown.as_message(self.bot)

    def _find(self, params: dict[str, Any]) -> Shown:
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        for shown in self.chats.get(chat_id, []):
            if shown.message_id == message_id and shown.from_bot:
                return shown
        raise BotApiError(400, "Bad Request: message to edit not found")

    async def _editMessageText(self, params: dict[str, Any]) -> Any:
        shown = self._find(params)
        text, buttons = self._text(params), self._buttons(params)
        if (text, buttons) == (shown.text, shown.buttons):
            raise BotApiError(400, "Bad Request: message is not modified")
        shown.text, shown.buttons, shown.edits = text, buttons, shown.edits + 1
        return shown.as_message(self.bot)

    async def _editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        shown = self._find(params)
        buttons = self._buttons(params)
        if buttons == shown.buttons:
            raise BotApiError(400, "Bad Request: message is not modified")
        shown.buttons, shown.edits = buttons, shown.edits + 1
        return shown.as_message(self.bot)

    async def _answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        self.answered.append(params)
        return True

    async def _setMyCommands(self, params: dict[str, Any]) -> Any:
        self.commands[str(params.get("language_code") or "")] = list(params.get("commands") or [])
        return True

    async def _getMyCommands(self, params: dict[str, Any]) -> Any:
        return self.commands.get(str(params.get("language_code") or ""), [])

    async def _deleteMyCommands(self, params: dict[str, Any]) -> Any:
        self.commands.pop(str(params.get("language_code") or ""), None)
        return True

    async def _setWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = (str(params["url"]), params.get("secret_token"))
        return True

    async def _deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = None
        return True

    async def _getWebhookInfo(self, params: dict[str, Any]) -> Any:
        return {"url": self.webhook[0] if self.webhook else "", "pending_update_count": len(self._queue)}

    async def _sendChatAction(self, params: dict[str, Any]) -> Any:
        return True

    async def _getUpdates(self, params: dict[str, Any]) -> Any:
        if self.webhook is not None:
            raise BotApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 30.0)
        async with self._arrived:
            self._queue = [u for u in self._queue if u["update_id"] >= offset]  # confirmed: forgotten
            if not self._queue and timeout > 0:
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._arrived.wait(), timeout)
            return list(self._queue[: int(params.get("limit") or 100)])

    # --- the people's side -----------------------------------------------------------------------

    def messages(self, chat_id: int) -> list[Shown]:
        return self.chats.get(chat_id, [])

    def bot_messages(self, chat_id: int) -> list[Shown]:
        return [m for m in self.messages(chat_id) if m.from_bot]

    def last(self, chat_id: int) -> Shown:
        return self.bot_messages(chat_id)[-1]

    def update_from(self, person: Person, text: str) -> dict[str, Any]:
        """The update Telegram makes of a message typed in the person's private chat with the bot."""
        shown = Shown(next(self._message_ids), person.id, text, False)
        self.chats.setdefault(person.id, []).append(shown)
        message = shown.as_message(self.bot) | {"from": person.as_user()}
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return {"update_id": next(self._update_ids), "message": message}

    def press_of(self, person: Person, on: Shown, data: str, *, chat_id: int | None = None) -> dict[str, Any]:
        """The update of a tap on a button of ``on``: Telegram sends the message as it is now."""
        message = on.as_message(self.bot)
        if chat_id is not None:
            message["chat"]["id"] = chat_id
        query = {
            "id": str(next(self._update_ids)),
            "chat_instance": str(on.chat_id),
            "from": person.as_user(),
            "message": message,
            "data": data,
        }
        return {"update_id": next(self._update_ids), "callback_query": query}

    async def say(self, person: Person, text: str) -> int | None:
        return await self.deliver(self.update_from(person, text))

    async def tap(self, person: Person, on: Shown, label_or_data: str) -> int | None:
        """Tap the button of ``on`` whose label or callback data is ``label_or_data``."""
        for row in on.buttons:
            for button in row:
                if label_or_data in (button.get("text"), button.get("callback_data")):
                    return await self.deliver(self.press_of(person, on, button["callback_data"]))
        raise LookupError(f"No button {label_or_data!r} on message {on.message_id}: {on.labels()}")

    async def deliver(self, update: dict[str, Any]) -> int | None:
        """Deliver as Telegram does: POST to the webhook (the HTTP status is returned) or queue it for
        getUpdates (None)."""
        if self.webhook is None:
            async with self._arrived:
                self._queue.append(update)
                self._arrived.notify_all()
            return None
        url, secret = self.webhook
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        client = self.webhook_client or httpx.AsyncClient()
        try:
            response = await client.post(url, json=update, headers=headers)
        finally:
            if self.webhook_client is None:
                await client.aclose()
        return response.status_code

    def waiting(self) -> int:
        """Updates queued for getUpdates and not confirmed yet."""
        return len(self._queue)


@asynccontextmanager
async def serving(api: FakeBotApi, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
    """Serve ``api`` on localhost (a free port unless one is given) while the block runs; yields the
    address to set as ``CADENCE_TELEGRAM_API_URL``."""
    server = uvicorn.Server(
        uvicorn.Config(api.app, host=host, port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():  # it could not start (the port is taken): say why
            task.result()
            raise RuntimeError("The fake Bot API server stopped before it started.")
        await asyncio.sleep(0.01)
    bound = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{bound}"
    finally:
        server.should_exit = True
        await task
