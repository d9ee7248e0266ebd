"""Reading replies and Retry-After without a database: the pure half of the LLM planner's contract."""

from __future__ import annotations

import email.utils
import time

import pytest

from copilot import llm_reply
from copilot.llm import DEFAULT_RETRY_WAIT, MAX_RETRY_WAIT, fitting_args, retry_wait
from copilot.llm_reply import Call, UnusableReply
from tools.catalog import CATALOG


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({}, DEFAULT_RETRY_WAIT),  # nothing said: a short pause
        ({"retry-after": "1"}, 1.0),
        ({"retry-after": "0.2"}, 0.2),
        ({"retry-after-ms": "1500", "retry-after": "1"}, 1.5),  # milliseconds win, as OpenAI's SDK reads them
        ({"retry-after": "-3"}, 0.0),
        ({"retry-after": str(MAX_RETRY_WAIT)}, MAX_RETRY_WAIT),
        ({"retry-after": "20"}, None),  # too long for a person waiting: no retry
        ({"retry-after": "inf"}, None),
        ({"retry-after": "soon"}, None),  # unreadable: not a reason to wait
        ({"retry-after": email.utils.formatdate(time.time() + 3600, usegmt=True)}, None),  # an hour away
    ],
)
def test_retry_after_is_honoured_only_when_short(headers: dict[str, str], wait: float | None) -> None:
    assert retry_wait(headers) == wait


def test_a_retry_after_date_in_the_past_retries_at_once() -> None:
    assert retry_wait({"retry-after": email.utils.formatdate(time.time() - 60, usegmt=True)}) == 0.0


def test_arguments_are_read_from_strings_objects_fences_and_nothing() -> None:
    assert llm_reply.arguments('{"group": "salsa"}') == {"group": "salsa"}
    assert llm_reply.arguments({"group": "salsa"}) == {"group": "salsa"}
    assert llm_reply.arguments('```json\n{"group": "salsa"}\n```') == {"group": "salsa"}
    assert llm_reply.arguments("") == llm_reply.arguments(None) == llm_reply.arguments("null") == {}
    for broken in ('{"group": "sal', "[1, 2]", '"salsa"', 7):
        with pytest.raises(UnusableReply):
            llm_reply.arguments(broken)


def test_prose_in_content_is_text_and_a_written_call_is_a_call() -> None:
    def message(content: object) -> dict[str, object]:
        return {"choices": [{"message": {"role": "assistant", "content": content}}]}

    prose = llm_reply.read(message("Salsa has {many} students."))
    assert prose.calls == [] and prose.text == "Salsa has {many} students."
    parts = llm_reply.read(message([{"type": "text", "text": "Which group?"}]))
    assert parts.text == "Which group?"
    written = llm_reply.read(message('[{"name": "group_roster", "arguments": {"group": "salsa"}}]'))
    assert written.calls == [Call("group_roster", {"group": "salsa"})] and written.text == ""
    with pytest.raises(UnusableReply):  # JSON, but not a call: never guessed into one
        llm_reply.read(message('{"answer": 12}'))
    with pytest.raises(UnusableReply):
        llm_reply.read(message("<tool_call>{not json}</tool_call>"))


def test_arguments_fit_only_when_they_are_the_tools_own() -> None:
    mark = CATALOG["mark_attendance"]
    own = {"group": "salsa", "absent": ["sofia"]}
    assert fitting_args(mark, own) == own
    assert fitting_args(mark, {"group": "salsa", "note": None, "extra": ""}) == {"group": "salsa"}  # empty
    assert fitting_args(mark, {"group": "salsa", "absent_students": ["sofia"]}) is None  # says something
    assert fitting_args(mark, {"absent": ["sofia"]}) is None  # the group is required
    assert fitting_args(CATALOG["record_payment"], {"student": "Ana", "amount": "forty"}) is None
