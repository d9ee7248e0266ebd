"""The copilot's command-line contract (`cadence ask | confirm | cancel`), on its own seeded database."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from channels.cli.main import app
from channels.embedded import DatabaseUrls
from domain.settings import get_settings
from tests.committed import committed_database

ADMIN, TEACHER = "admin@demo-school.example", "teacher1@demo-school.example"
TODAY = "2026-11-26"


@pytest.fixture(scope="module")
def demo_database(database_urls: DatabaseUrls) -> Iterator[DatabaseUrls]:
    """A separate database with the small demo committed (the CLI runs its own transactions)."""
    urls = committed_database("cadence_cli_test")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CADENCE_DATABASE_URL", urls.app)
        patch.setenv("CADENCE_DATABASE_OWNER_URL", urls.owner)
        patch.delenv("CADENCE_LLM_BASE_URL", raising=False)
        get_settings.cache_clear()
        seeded = CliRunner().invoke(app, ["demo", "seed", "--today", TODAY])
        assert seeded.exit_code == 0, seeded.output
        yield urls
    get_settings.cache_clear()


def run(*args: str) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, json.loads(result.stdout.strip().splitlines()[-1])


def test_ask_confirm_and_cancel_keep_their_json_contract(demo_database: DatabaseUrls) -> None:
    code, read = run(
        "ask",
        "who hasn't paid this month?",
        "--org",
        "demo-school",
        "--user",
        ADMIN,
        "--today",
        TODAY,
        "--json",
    )
    assert code == 0
    assert list(read)[:4] == ["answer", "tool_calls", "pending_action", "data"]
    assert read["tool_calls"] == [{"name": "unpaid_students", "args": {"month": "2026-11"}}]
    assert read["pending_action"] is None and str(read["answer"]).endswith(")")

    ask = ("--org", "demo-school", "--user", TEACHER, "--today", TODAY, "--json", "--thread", "cli-contract")
    code, proposed = run("ask", "everyone came to tuesday's class", *ask)
    pending = proposed["pending_action"]
    assert code == 0 and isinstance(pending, dict) and set(pending) == {"id", "preview", "expires_at"}
    assert str(pending["preview"]).startswith("Mark attendance for Heels Intermediate on 2026-11-24")

    code, refused = run("confirm", str(pending["id"]), "--user", ADMIN, "--json")
    assert code == 1 and refused["data"] == {"error": "forbidden"}
    code, done = run("confirm", str(pending["id"]), "--user", TEACHER, "--today", TODAY, "--json")
    assert code == 0 and str(done["answer"]).startswith("Done: ")
    code, twice = run("confirm", str(pending["id"]), "--user", TEACHER, "--json")
    assert code == 0 and str(twice["answer"]).startswith("Already done earlier")

    code, second = run("ask", "everyone came to tuesday's class", *ask)
    second_pending = second["pending_action"]
    assert isinstance(second_pending, dict)
    code, cancelled = run("cancel", str(second_pending["id"]), "--user", TEACHER, "--json")
    assert code == 0 and cancelled["answer"] == "Cancelled; nothing was changed."
    code, unknown = run(
        "ask", "what is the capital of France?", "--org", "demo-school", "--user", ADMIN, "--json"
    )
    assert code == 0 and unknown["tool_calls"] == [] and "can't help" in str(unknown["answer"])
    code, outsider = run("ask", "who hasn't paid?", "--org", "demo-teacher", "--user", ADMIN, "--json")
    assert code == 1 and outsider["data"] == {"error": "not_found"}


def test_chat_answers_and_confirms_in_one_session(demo_database: DatabaseUrls) -> None:
    said = "who is in tuesday's class?\neveryone came to tuesday's class\nyes\n\n"
    result = CliRunner().invoke(
        app,
        ["chat", "--org", "demo-school", "--user", TEACHER, "--today", TODAY, "--thread", "chat-test"],
        input=said,
    )
    assert result.exit_code == 0, result.output
    assert "cadence> Heels Intermediate on 2026-11-24:" in result.output
    assert "Mark attendance for Heels Intermediate on 2026-11-24" in result.output
    assert "Shall I? (yes / no)" in result.output
    assert "cadence> Done: " in result.output


def test_schedule_generate_continues_the_demo_and_creates_nothing_twice(demo_database: DatabaseUrls) -> None:
    args = ["schedule", "generate", "--org", "demo-school", "--until", "2026-12-31", "--today", TODAY]
    first = CliRunner().invoke(app, args)
    again = CliRunner().invoke(app, args)
    assert first.exit_code == 0 and again.exit_code == 0, first.output
    created = int(first.stdout.split(": ")[-1].split(" classes created")[0])
    assert created > 0
    assert "demo-school: 2026-11-26 to 2026-12-31: 0 classes created" in again.stdout
    wrong = CliRunner().invoke(app, ["schedule", "generate", "--org", "no-such-school"])
    assert wrong.exit_code == 1 and "No organization" in wrong.output


def test_telegram_poll_handles_waiting_updates_once(
    demo_database: DatabaseUrls, monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx
    import respx

    no_token = CliRunner().invoke(app, ["telegram", "poll", "--once"])
    assert no_token.exit_code == 1 and "CADENCE_TELEGRAM_TOKEN" in no_token.output

    token = "999:POLL"
    monkeypatch.setenv("CADENCE_TELEGRAM_TOKEN", token)
    get_settings.cache_clear()
    update = {
        "update_id": 777001,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 5, "type": "private"},
            "from": {"id": 5, "is_bot": False, "first_name": "Stranger"},
            "text": "hello",
        },
    }
    api = f"https://api.telegram.org/bot{token}"
    with respx.mock(assert_all_called=False) as mock:
        mock.post(f"{api}/getMe").respond(
            json={
                "ok": True,
                "result": {"id": 9, "is_bot": True, "first_name": "C", "username": "cadence_bot"},
            }
        )
        mock.post(f"{api}/getUpdates").respond(json={"ok": True, "result": [update]})
        sent = mock.post(f"{api}/sendMessage").respond(
            json={
                "ok": True,
                "result": {"message_id": 2, "date": 0, "chat": {"id": 5, "type": "private"}, "text": "x"},
            }
        )
        first = CliRunner().invoke(app, ["telegram", "poll", "--once"])
        again = CliRunner().invoke(app, ["telegram", "poll", "--once"])  # the same update, fetched again
    get_settings.cache_clear()
    assert first.exit_code == 0 and "Polling as @cadence_bot" in first.output, first.output
    assert again.exit_code == 0
    assert sent.call_count == 1  # answered once
    assert (
        "This bot works for people of schools"
        in httpx.QueryParams(sent.calls[0].request.content.decode())["text"]
    )
