"""`cadence telegram poll` publishes the command menu when it starts and answers once per update,
on its own migrated database (the command runs its own transactions); the Bot API is mocked."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
import respx
from typer.testing import CliRunner

from channels.cli.main import app
from channels.embedded import DatabaseUrls
from domain.settings import get_settings
from tests.committed import committed_database

TOKEN = "999:POLL-MENU"
API = f"https://api.telegram.org/bot{TOKEN}"


@pytest.fixture
def poll_database(database_urls: DatabaseUrls) -> Iterator[DatabaseUrls]:
    urls = committed_database("cadence_telegram_poll_test")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CADENCE_DATABASE_URL", urls.app)
        patch.setenv("CADENCE_DATABASE_OWNER_URL", urls.owner)
        patch.setenv("CADENCE_TELEGRAM_TOKEN", TOKEN)
        patch.delenv("CADENCE_LLM_BASE_URL", raising=False)
        get_settings.cache_clear()
        yield urls
    get_settings.cache_clear()


def test_poll_publishes_the_command_menu_at_start_and_answers_once(poll_database: DatabaseUrls) -> None:
    stranger = {"id": 5, "is_bot": False, "first_name": "Stranger"}
    chat = {"id": 5, "type": "private"}
    said = {"message_id": 1, "date": 0, "chat": chat, "from": stranger, "text": "hello"}
    update = {"update_id": 880001, "message": said}
    with respx.mock(assert_all_called=False) as mock:
        me = {"id": 9, "is_bot": True, "first_name": "C", "username": "cadence_bot"}
        mock.post(f"{API}/getMe").respond(json={"ok": True, "result": me})
        mock.post(f"{API}/getUpdates").respond(json={"ok": True, "result": [update]})
        menu = mock.post(f"{API}/setMyCommands").respond(json={"ok": True, "result": True})
        reply = {"message_id": 2, "date": 0, "chat": {"id": 5, "type": "private"}, "text": "x"}
        sent = mock.post(f"{API}/sendMessage").respond(json={"ok": True, "result": reply})
        first = CliRunner().invoke(app, ["telegram", "poll", "--once"])
        again = CliRunner().invoke(app, ["telegram", "poll", "--once"])  # the same update, fetched again

    assert first.exit_code == 0 and again.exit_code == 0, first.output
    assert menu.call_count == 4  # once per start, in English and in Spanish
    published = json.loads(httpx.QueryParams(menu.calls[0].request.content.decode())["commands"])
    assert [c["command"] for c in published] == [
        "today",
        "roll",
        "sick",
        "unpaid",
        "cover",
        "org",
        "language",
        "help",
    ]
    assert sent.call_count == 1  # the update answered once
