"""Reading a chat completion the way OpenAI-compatible servers really send it.

The shapes differ (tests/data/llm/SOURCES.md): ``arguments`` is a JSON string (OpenAI, Ollama's /v1,
vLLM) or already an object (Ollama's native shape, passed through by some proxies); small models fence
it in markdown; a call may have no ``id``; ``finish_reason`` may be ``"tool_calls"`` or ``"stop"`` (so
it is ignored); and vLLM without a tool parser returns the call as text in ``content`` (Hermes
``<tool_call>…</tool_call>`` or Llama's ``{"name": …, "parameters": …}``). Anything else that cannot be
read raises :class:`UnusableReply`: the planner never guesses a call out of a broken reply.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

_FENCE = re.compile(r"^```[\w-]*\s*(.*?)\s*```$", re.DOTALL)
_HERMES = re.compile(r"<tool_call>(.*?)(?:</tool_call>|$)", re.DOTALL)


class UnusableReply(ValueError):
    """The reply is neither a well-formed tool call nor text."""


@dataclass(frozen=True)
class Call:
    name: str
    args: dict[str, Any]


@dataclass(frozen=True)
class Reply:
    calls: list[Call] = field(default_factory=list)
    text: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0


def read(body: Any) -> Reply:
    """The calls and text of the first choice, and the token counts (0 where a server sends none)."""
    if not isinstance(body, dict):
        raise UnusableReply("the reply is not a JSON object")
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise UnusableReply("the reply has no choices")
    message = choices[0].get("message")
    if not isinstance(message, dict):
        raise UnusableReply("the first choice has no message")
    raw_calls = message.get("tool_calls") or []
    if not isinstance(raw_calls, list):
        raise UnusableReply("tool_calls is not a list")
    calls = [_call(raw) for raw in raw_calls]
    text = _text(message.get("content"))
    if not calls:
        calls = _calls_in_text(text)
        if calls:
            text = ""
    usage = body.get("usage")
    usage = usage if isinstance(usage, dict) else {}
    return Reply(calls, text, _count(usage, "prompt_tokens"), _count(usage, "completion_tokens"))


def _call(raw: Any) -> Call:
    function = raw.get("function") if isinstance(raw, dict) else None
    if not isinstance(function, dict):
        raise UnusableReply("a tool call has no function")
    name = function.get("name")
    if not isinstance(name, str) or not name.strip():
        raise UnusableReply("a tool call has no name")
    return Call(name.strip(), arguments(function.get("arguments")))


def arguments(value: Any) -> dict[str, Any]:
    """A call's arguments: an object, or a JSON object in a string (fenced or not); nothing is ``{}``."""
    if value is None:
        return {}
    if isinstance(value, str):
        text = unfenced(value)
        if not text:
            return {}
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UnusableReply(f"the arguments are not JSON ({exc.msg})") from exc
        if value is None:
            return {}
    if not isinstance(value, dict):
        raise UnusableReply("the arguments are not an object")
    return value


def unfenced(text: str) -> str:
    """``text`` without a surrounding markdown code fence (```json … ```)."""
    text = text.strip()
    fenced = _FENCE.match(text)
    return fenced.group(1).strip() if fenced else text


def _text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content.strip()
    if isinstance(content, list):  # content parts: [{"type": "text", "text": "…"}]
        parts = [p.get("text") for p in content if isinstance(p, dict)]
        return " ".join(p for p in parts if isinstance(p, str)).strip()
    raise UnusableReply("the content is neither text nor text parts")


def _calls_in_text(text: str) -> list[Call]:
    """A call written out as text by a server with no tool parser; ``[]`` when the text is prose."""
    if "<tool_call>" in text:
        return [_written_call(block) for block in _HERMES.findall(text)]
    body = unfenced(text)
    if not body.startswith(("{", "[")):
        return []
    try:
        parsed = json.loads(body)
    except json.JSONDecodeError as exc:
        raise UnusableReply(f"the content looks like a call but is not JSON ({exc.msg})") from exc
    items = parsed if isinstance(parsed, list) else [parsed]
    if not all(isinstance(i, dict) and isinstance(i.get("name"), str) for i in items):
        raise UnusableReply("the content is JSON but not a tool call")
    return [_written_call(item) for item in items]


def _written_call(block: Any) -> Call:
    if isinstance(block, str):
        try:
            block = json.loads(unfenced(block))
        except json.JSONDecodeError as exc:
            raise UnusableReply(f"a <tool_call> block is not JSON ({exc.msg})") from exc
    if not isinstance(block, dict) or not isinstance(block.get("name"), str):
        raise UnusableReply("a written call has no name")
    raw_args = block["arguments"] if "arguments" in block else block.get("parameters")
    return Call(block["name"].strip(), arguments(raw_args))


def _count(usage: dict[str, Any], key: str) -> int:
    value = usage.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
