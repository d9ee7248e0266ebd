"""What the bot promises and must keep: private chats only, an apology (and a rollback) on failure,
each update handled once and only once it succeeded, long answers whole, settled buttons gone, the
command menu published. The Bot API is mocked with respx; no network."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from channels.telegram.bot import PRIVATE_ONLY, SORRY
from channels.telegram.replies import utf16_length
from domain.db import unit_of_work
from domain.payments import service as payments
from domain.telegram import service as telegram
from domain.telegram.models import TelegramUpdate
from tests.channels.telegram_support import (  # noqa: F401 - the *_fixture ones are fixtures, shared
    LUCIA,
    MARCO_TG,
    STRANGER,
    Sent,
    bot_api_fixture,
    buttons,
    copilot_app_fixture,
    ids,
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
from tools import runner
from tools.money import LISTED_IN_CHAT

GROUP_CHAT = -100200300


async def school_with_debtors(
    sessions: async_sessionmaker[AsyncSession], names: tuple[str, ...] | None = None
) -> Studio:
    """The studio with this month's tuition charged and unpaid."""
    school = await studio(sessions, names)
    async with unit_of_work(sessions, school.admin) as session:
        today = school.admin.today()
        await payments.generate_tuition(session, school.admin, month=today, today=today)
    return school


async def test_in_a_group_the_bot_shows_no_data_but_in_a_private_chat_it_does(
    copilot_app: FastAPI, bot_api: Sent, sessions: async_sessionmaker[AsyncSession]
) -> None:
    school = await school_with_debtors(sessions)
    await link(sessions, copilot_app, school.staff.user_id, MARCO_TG)  # the office
    before = len(bot_api)

    await post(copilot_app, message(MARCO_TG, "/unpaid", chat=GROUP_CHAT, chat_type="group"))
    await post(copilot_app, message(MARCO_TG, "/unpaid@cadence_bot", chat=GROUP_CHAT, chat_type="supergroup"))
    await post(copilot_app, message(MARCO_TG, "who hasn't paid?", chat=GROUP_CHAT, chat_type="supergroup"))
    channel_post = message(MARCO_TG, "/unpaid", chat=GROUP_CHAT, chat_type="channel")
    channel_post["channel_post"] = channel_post.pop("message")
    await post(copilot_app, channel_post)
    in_group = press(MARCO_TG, "org:whatever")
    in_group["callback_query"]["message"]["chat"] = {"id": GROUP_CHAT, "type": "group"}
    await post(copilot_app, in_group)

    assert [(m["chat_id"], m["text"]) for m in bot_api[before:]] == [(str(GROUP_CHAT), PRIVATE_ONLY)] * 2
    assert not any("José Martínez" in m["text"] for m in bot_api)

    await post(copilot_app, message(MARCO_TG, "/unpaid"))  # control: the same person, privately
    assert bot_api[-1]["chat_id"] == str(MARCO_TG) and "José Martínez" in bot_api[-1]["text"]


async def test_a_failure_is_apologised_for_and_logged_and_its_redelivery_is_handled(
    copilot_app: FastAPI,
    bot_api: Sent,
    sessions: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    school = await school_with_debtors(sessions)
    await link(sessions, copilot_app, school.staff.user_id, MARCO_TG)
    real_call, failures = runner.call, [RuntimeError("the database went away")]

    async def flaky(*args: Any, **kwargs: Any) -> Any:
        if failures:
            raise failures.pop()
        return await real_call(*args, **kwargs)

    monkeypatch.setattr(runner, "call", flaky)
    asked = message(MARCO_TG, "/unpaid")
    with caplog.at_level(logging.ERROR, logger="channels.telegram.bot"):
        failed = await post(copilot_app, asked)
    assert failed.status_code == 200 and bot_api[-1]["text"] == SORRY
    logged = [r for r in caplog.records if r.levelno == logging.ERROR and r.exc_info]
    assert [r.getMessage() for r in logged] == [f"Telegram update {asked['update_id']} failed"]

    redelivered = await post(copilot_app, asked)  # Telegram delivers it again: handled this time
    assert redelivered.json()["processed"] is True and "José Martínez" in bot_api[-1]["text"]
    answered = len(bot_api)
    assert (await post(copilot_app, asked)).json()["processed"] is False  # done: never twice
    assert len(bot_api) == answered


async def test_a_failed_update_changes_nothing_and_keeps_its_buttons_until_the_redelivery(
    copilot_app: FastAPI, bot_api: Sent, sessions: async_sessionmaker[AsyncSession]
) -> None:
    school = await studio(sessions)
    await link(sessions, copilot_app, school.admin.user_id, LUCIA)
    await post(copilot_app, message(LUCIA, "add a note to Ana García: sprained ankle"))
    preview, preview_id = bot_api[-1], len(bot_api)
    pressed = press(LUCIA, buttons(preview)[0], on=preview, message_id=preview_id)

    bot_api.refuse = 1  # the answer to the press cannot be sent: the note is rolled back with it
    await post(copilot_app, pressed)
    assert bot_api[-1]["text"] == SORRY and await notes(sessions, school) == 0 and bot_api.edits == []

    await post(copilot_app, pressed)  # the redelivery applies it, once
    assert await notes(sessions, school) == 1 and bot_api[-1]["text"] == "Note added."
    await post(copilot_app, pressed)
    assert await notes(sessions, school) == 1 and len(bot_api.edits) == 1


async def test_when_not_even_the_apology_gets_through_telegram_is_asked_to_deliver_again(
    copilot_app: FastAPI, bot_api: Sent, sessions: async_sessionmaker[AsyncSession]
) -> None:
    school = await studio(sessions)
    await link(sessions, copilot_app, school.admin.user_id, LUCIA)
    await post(copilot_app, message(LUCIA, "add a note to Ana García: sprained ankle"))
    preview, preview_id = bot_api[-1], len(bot_api)
    pressed = press(LUCIA, buttons(preview)[0], on=preview, message_id=preview_id)

    bot_api.refuse = 2  # Telegram is down for a moment: neither the answer nor the apology arrives
    silent = await post(copilot_app, pressed)
    assert silent.status_code == 503 and await notes(sessions, school) == 0 and bot_api[-1] is preview

    again = await post(copilot_app, pressed)  # Telegram's retry
    assert again.status_code == 200 and again.json()["processed"] is True
    assert await notes(sessions, school) == 1 and bot_api[-1]["text"] == "Note added."


@pytest.fixture
async def committed_app(
    copilot_app: FastAPI, app_engine: AsyncEngine
) -> AsyncIterator[tuple[FastAPI, list[int]]]:
    """The app on real, separately committed transactions (concurrent requests need their own
    connections); the update ids the test lists are deleted afterwards."""
    copilot_app.state.sessions = sessions = async_sessionmaker(app_engine, expire_on_commit=False)
    used: list[int] = []
    yield copilot_app, used
    async with unit_of_work(sessions) as session:
        await session.execute(delete(TelegramUpdate).where(TelegramUpdate.update_id.in_(used)))


async def test_two_concurrent_deliveries_of_one_update_get_one_answer(
    committed_app: tuple[FastAPI, list[int]], bot_api: Sent, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, used = committed_app
    real_claim, both_arrived = telegram.claim_update, asyncio.Barrier(2)

    async def claim_together(session: AsyncSession, update_id: int) -> bool:
        await both_arrived.wait()  # neither claims before the other is there too
        return await real_claim(session, update_id)

    monkeypatch.setattr(telegram, "claim_update", claim_together)
    update = message(STRANGER, "hi", update_id=900_000_000 + next(ids))
    used.append(update["update_id"])
    first, second = await asyncio.gather(post(app, update), post(app, update))

    assert sorted([first.json()["processed"], second.json()["processed"]]) == [False, True]
    assert len(bot_api) == 1 and bot_api[0]["text"].startswith("Hello! This bot works for people")


async def test_a_long_answer_arrives_whole_in_several_messages_split_at_lines(
    copilot_app: FastAPI, bot_api: Sent, sessions: async_sessionmaker[AsyncSession]
) -> None:
    # as many as an answer names (more are counted, not named): well past one message's 4,096 characters
    names = tuple(f"Estudiante Número {n:03d} de la Escuela" for n in range(LISTED_IN_CHAT))
    school = await school_with_debtors(sessions, names)
    await link(sessions, copilot_app, school.staff.user_id, MARCO_TG)
    before = len(bot_api)
    await post(copilot_app, message(MARCO_TG, "/unpaid"))

    parts = [m["text"] for m in bot_api[before:]]
    assert len(parts) > 1 and all(utf16_length(part) < 4096 for part in parts)
    assert parts[0].startswith(f"{LISTED_IN_CHAT} students haven't paid")
    lines = [line for part in parts for line in part.split("\n")]
    for name in names:  # every debtor, each on one whole line of one message
        assert sum(line.startswith(f"- {name}: ") for line in lines) == 1


async def test_confirm_and_cancel_replace_the_buttons_with_the_outcome(
    copilot_app: FastAPI, bot_api: Sent, sessions: async_sessionmaker[AsyncSession]
) -> None:
    school = await studio(sessions)
    await link(sessions, copilot_app, school.admin.user_id, LUCIA)
    await link(sessions, copilot_app, school.staff.user_id, MARCO_TG)
    await post(copilot_app, message(LUCIA, "add a note to Ana García: sprained ankle"))
    preview, preview_id = bot_api[-1], len(bot_api)
    confirm, _ = buttons(preview)

    await post(copilot_app, press(MARCO_TG, confirm, on=preview, message_id=preview_id))  # not theirs
    assert bot_api.edits == [] and await notes(sessions, school) == 0
    await post(copilot_app, press(LUCIA, confirm, on=preview, message_id=preview_id))
    assert await notes(sessions, school) == 1
    assert bot_api.edits == [
        {
            "chat_id": str(LUCIA),
            "message_id": str(preview_id),
            "text": "Confirmed: Add a note to Ana García: “sprained ankle”.",
        }
    ]  # no reply_markup: the buttons are gone

    await post(copilot_app, message(LUCIA, "add a note to José Martínez: moves to evenings"))
    preview, preview_id = bot_api[-1], len(bot_api)
    await post(copilot_app, press(LUCIA, buttons(preview)[1], on=preview, message_id=preview_id))
    assert await notes(sessions, school) == 1
    settled = bot_api.edits[-1]
    assert settled["message_id"] == str(preview_id) and "reply_markup" not in settled
    assert settled["text"].startswith("Cancelled: Add a note to José Martínez")


async def test_the_command_menu_is_published_once(
    copilot_app: FastAPI, bot_api: Sent, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await post(copilot_app, message(STRANGER, "/help"))
    await post(copilot_app, message(STRANGER, "hi"))
    assert [c.get("language_code") for c in bot_api.commands] == [None, "es"]  # once: English, Spanish
    menu, menu_es = (json.loads(c["commands"]) for c in bot_api.commands)
    assert [c["command"] for c in menu] == [
        "today",
        "roll",
        "sick",
        "unpaid",
        "cover",
        "org",
        "language",
        "help",
    ]
    assert [c["command"] for c in menu_es] == [
        "today",
        "roll",
        "sick",
        "unpaid",
        "cover",
        "org",
        "idioma",
        "help",
    ]
    assert all(c["description"] for c in menu) and menu_es[0]["description"] == "Tus clases de hoy"
