"""The LLM planner: one tool-calling request to any OpenAI-compatible endpoint per question.

The model only chooses a tool and its arguments; the answer is rendered from the tool's result.
Tool schemas are compacted and, when the caller's catalogue is large, narrowed to the nearest
tools by pgvector. Whatever the endpoint does, the planner does not raise: if it fails (after at most
one short retry) or its reply cannot be used, the offline planner answers and the person is told so;
a tool the caller is not offered is refused, never run; a write is only ever proposed (the graph
turns it into a preview that a person confirms).
"""

from __future__ import annotations

import asyncio
import dataclasses
import email.utils
import json
import logging
import math
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

import openai
from pydantic import ValidationError

from copilot import llm_reply, retrieval
from copilot.language import Language
from copilot.llm_reply import Reply, UnusableReply
from copilot.offline import OfflinePlanner
from copilot.planner import Decision, DecisionKind, Memory, Usage
from domain.orgs.service import get_organization
from tools.access import tools_for
from tools.base import Tool, ToolContext
from tools.catalog import CATALOG

log = logging.getLogger(__name__)
PROMPTS = Path(__file__).resolve().parent.parent / "prompts"
_DROP = {"title", "default"}
RETRIED = frozenset({429, 500, 502, 503, 504})
DEFAULT_RETRY_WAIT = 0.5  # seconds, when a 429/5xx says nothing about when to come back
MAX_RETRY_WAIT = 2.0  # a person is waiting for the answer: past this the offline planner answers now
# Said before the answer, in the person's language.
NOTES: dict[str, dict[str, str]] = {
    "en": {
        "unreachable": "(The language model could not be reached, so the offline planner answered.)",
        "unusable": "(The language model's reply could not be used, so the offline planner answered.)",
        "one_at_a_time": "(I do one thing at a time: here is the first; ask me for the rest next.)",
    },
    "es": {
        "unreachable": "(No he podido contactar con el modelo de lenguaje; he respondido sin él.)",
        "unusable": "(La respuesta del modelo de lenguaje no se podía usar; he respondido sin él.)",
        "one_at_a_time": "(Hago una cosa cada vez: aquí va la primera; pídeme el resto después.)",
    },
}
FALLBACK_NOTE = NOTES["en"]["unreachable"]


def compact(schema: Any) -> Any:
    """A JSON schema without titles and defaults, and ``X | None`` as plain ``X``: fewer tokens."""
    if isinstance(schema, dict):
        any_of = schema.get("anyOf")
        if isinstance(any_of, list):
            kept = [s for s in any_of if s != {"type": "null"}]
            if len(kept) == 1:
                merged = {**{k: v for k, v in schema.items() if k != "anyOf"}, **kept[0]}
                return compact(merged)
        return {k: compact(v) for k, v in schema.items() if k not in _DROP}
    if isinstance(schema, list):
        return [compact(s) for s in schema]
    return schema


def function_spec(tool: Tool) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": tool.name,
            "description": tool.description,
            "parameters": compact(tool.args.model_json_schema()),
        },
    }


def quoted(text: str) -> str:
    return f"<data>\n{text.replace('</data>', '</ data>')}\n</data>"


@dataclasses.dataclass
class LLMPlanner:
    base_url: str
    model: str
    api_key: str = "not-needed"
    timeout: float = 20.0
    max_retries: int = 2
    max_tools: int = 8
    fallback: OfflinePlanner = dataclasses.field(default_factory=OfflinePlanner)
    name: str = "llm"
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep  # tests record the wait instead

    def __post_init__(self) -> None:
        # Retries are ours (``_complete``), not the SDK's: it would wait up to two minutes on a Retry-After
        # and retry timeouts, while a person waits for the answer.
        self.client = openai.AsyncOpenAI(
            base_url=self.base_url, api_key=self.api_key, timeout=self.timeout, max_retries=0
        )
        self.system_template = (PROMPTS / "system.md").read_text(encoding="utf-8")

    async def _tools(self, ctx: ToolContext, utterance: str, memory: Memory | None = None) -> list[Tool]:
        """All the caller's tools, or the nearest ``max_tools``: ranked by the best similarity of the
        question to each tool's description and exemplars; the conversation's last tool always stays."""
        offered = tools_for(ctx.tenant)  # the role's tools, and for an API key only its scopes'
        if len(offered) <= self.max_tools:
            return offered
        # the exemplars of the question's own language (a Spanish question is near Spanish exemplars)
        language = self.fallback.languages.pick(utterance, prior=self.fallback.languages.prior(memory))
        await retrieval.sync(ctx.session, language, ctx.embedder)
        near = await retrieval.nearest(
            ctx.session,
            kind=None,
            language=language.language,
            embedder=ctx.embedder,
            text=utterance,
            limit=60,
        )
        allowed = {t.name: t for t in offered}
        keep = [
            n
            for n in (
                memory.last_tool if memory else None,
                (memory.awaiting or {}).get("tool") if memory else None,
            )
            if n
        ]
        ranked = list(dict.fromkeys([*keep, *(n.tool for n in near)]))
        chosen = [allowed[name] for name in ranked if name in allowed]
        chosen += [t for t in offered if t not in chosen]  # tools with nothing near still count, last
        return chosen[: self.max_tools]

    async def messages(self, ctx: ToolContext, utterance: str, memory: Memory) -> list[dict[str, str]]:
        org = await get_organization(ctx.session, ctx.tenant)
        system = self.system_template.format(
            organization=org.name,
            role=ctx.tenant.role.value,
            today=ctx.today.isoformat(),
            weekday=f"{ctx.today:%A}",
        )
        history = [
            {"role": m["role"], "content": m["content"] if m["role"] == "user" else quoted(m["content"])}
            for m in memory.history[-4:]
        ]
        return [{"role": "system", "content": system}, *history, {"role": "user", "content": utterance}]

    async def plan(self, ctx: ToolContext, utterance: str, memory: Memory, *, pending: bool) -> Decision:
        """Never raises for anything the endpoint does: a reply that names a tool the caller may use,
        with arguments that fit it, becomes that call; a short question is asked; everything else (the
        endpoint down, slow, overloaded, or a reply that cannot be used) is planned offline, and said."""
        if pending and self.fallback.reply_to_pending(utterance, pending=True):
            return await self.fallback.plan(ctx, utterance, memory, pending=pending)  # "yes" needs no model
        language = self.fallback.languages.pick(utterance, prior=self.fallback.languages.prior(memory))
        notes = NOTES[_code(language)]
        tools = await self._tools(ctx, utterance, memory)
        specs = [function_spec(t) for t in tools]
        messages = await self.messages(ctx, utterance, memory)
        size = len(json.dumps(messages).encode()) + len(json.dumps(specs).encode())
        started = time.perf_counter()
        try:
            body, calls = await self._complete(messages, specs)
        except Unreachable as exc:
            log.warning("LLM endpoint unusable after %d call(s): %r", exc.calls, exc.__cause__)
            usage = Usage(llm_calls=exc.calls, prompt_bytes=size, model_ms=_ms_since(started))
            return await self._offline(ctx, utterance, memory, notes["unreachable"], usage, pending)
        try:
            reply = llm_reply.read(body)
        except (UnusableReply, ValueError, TypeError, AttributeError) as exc:  # whatever the shape
            log.warning("LLM reply unusable: %s", exc)
            usage = Usage(llm_calls=calls, prompt_bytes=size, model_ms=_ms_since(started))
            return await self._offline(ctx, utterance, memory, notes["unusable"], usage, pending)
        usage = Usage(
            prompt_tokens=reply.prompt_tokens,
            completion_tokens=reply.completion_tokens,
            llm_calls=calls,
            prompt_bytes=size,
            model_ms=_ms_since(started),
        )
        decision = self._decide(ctx, reply, language, usage)
        if decision is None:
            return await self._offline(ctx, utterance, memory, notes["unusable"], usage, pending)
        return decision

    def _decide(self, ctx: ToolContext, reply: Reply, language: Language, usage: Usage) -> Decision | None:
        """The model's call as a decision, or ``None`` when the offline planner should plan instead."""

        def decided(kind: DecisionKind, **said: Any) -> Decision:
            return Decision(kind, planner=self.name, usage=usage, language=language.language, **said)

        if not reply.calls:
            question = _question(reply.text)
            if question is None:  # prose: its facts would come from the model, not the database
                log.info("LLM answered without a tool: %.80r", reply.text)
                return None
            return decided(DecisionKind.CLARIFY, text=question)
        call = reply.calls[0]
        tool = CATALOG.get(call.name)
        if tool is None:
            log.info("LLM called an unknown tool %r", call.name)
            return None
        if tool.name not in {t.name for t in tools_for(ctx.tenant)}:  # never run, whatever the model says
            what = language.messages.role_actions.get(tool.name, tool.name.replace("_", " "))
            text = language.messages.not_for_role.format(what=what)
            return decided(DecisionKind.REFUSE, text=text)
        args = fitting_args(tool, call.args)
        if args is None:
            return None
        several = len({json.dumps([c.name, c.args], sort_keys=True) for c in reply.calls}) > 1
        note = NOTES[_code(language)]["one_at_a_time"] if several else ""
        return decided(DecisionKind.TOOL, tool=tool.name, args=args, note=note)

    async def _complete(self, messages: list[dict[str, str]], specs: list[dict[str, Any]]) -> tuple[Any, int]:
        """The reply's JSON and how many requests it took: at most one retry, on 429 or 5xx, after the
        server's Retry-After when that is short; a long one, a timeout or a refused connection is final."""
        retries = min(self.max_retries, 1)
        for attempt in range(retries + 1):
            try:
                raw = await self.client.chat.completions.with_raw_response.create(  # type: ignore[call-overload]
                    model=self.model,
                    messages=messages,
                    tools=specs,
                    tool_choice="auto",
                    parallel_tool_calls=False,
                    temperature=0,
                )
                return json.loads(raw.text), attempt + 1
            except json.JSONDecodeError:
                return None, attempt + 1  # a 200 that is not JSON (a proxy's error page): unusable
            except openai.APIStatusError as exc:
                wait = retry_wait(exc.response.headers) if exc.status_code in RETRIED else None
                if attempt == retries or wait is None:
                    raise Unreachable(attempt + 1) from exc
                await self.sleep(wait)
            except openai.OpenAIError as exc:  # timeouts and connection errors: another try costs as much
                raise Unreachable(attempt + 1) from exc
        raise AssertionError("unreachable: the loop returns or raises")

    async def _offline(
        self, ctx: ToolContext, utterance: str, memory: Memory, note: str, usage: Usage, pending: bool
    ) -> Decision:
        decision = await self.fallback.plan(ctx, utterance, memory, pending=pending)
        return dataclasses.replace(decision, planner=f"{self.name}->offline", note=note, usage=usage)


class Unreachable(Exception):
    """The endpoint gave no reply to use (down, slow, overloaded, refused) after ``calls`` requests."""

    def __init__(self, calls: int) -> None:
        super().__init__(f"no usable response after {calls} request(s)")
        self.calls = calls


def retry_wait(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait before the one retry: the server's Retry-After (ms, seconds or an HTTP date) when
    it is at most ``MAX_RETRY_WAIT``, a short pause when it sends none, ``None`` (don't retry) otherwise."""
    wait: float | None = None
    for header, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(header)
        if value is None:
            continue
        try:
            wait = float(value) / scale
        except ValueError:
            when = email.utils.parsedate_tz(value)
            wait = email.utils.mktime_tz(when) - time.time() if when else None
        break
    else:
        return DEFAULT_RETRY_WAIT
    if wait is None or not math.isfinite(wait) or wait > MAX_RETRY_WAIT:
        return None
    return max(wait, 0.0)


def fitting_args(tool: Tool, args: dict[str, Any]) -> dict[str, Any] | None:
    """The call's arguments if they fit the tool, else ``None``.

    An argument the tool does not have is never dropped when it says something: a model that wrote
    ``absent_students`` for ``absent`` asked for a different change than the preview without it would
    show, and a narrowing the tool cannot apply ("only Marco's") would answer a different question. Only
    empty unknown keys (``null``, ``""``, ``[]``) are dropped, since they say nothing. A missing required
    argument or a value of the wrong type does not fit either: the offline planner reads the person's
    own words instead (and asks its own question when something is missing)."""
    known = set(tool.args.model_fields)
    unknown = {k: v for k, v in args.items() if k not in known}
    if any(v not in (None, "", [], {}) for v in unknown.values()):
        log.info("LLM call to %s has arguments it does not take: %s", tool.name, sorted(unknown))
        return None
    kept = {k: v for k, v in args.items() if k in known}
    try:
        tool.args.model_validate(kept)
    except ValidationError as exc:
        log.info("LLM call to %s does not fit: %s", tool.name, exc.errors(include_url=False))
        return None
    return kept


def _question(text: str) -> str | None:
    """The model's text if it is a short question with no numbers in it (numbers come from tools)."""
    text = " ".join(text.split())
    if not text or len(text) > 300 or any(ch.isdigit() for ch in text):
        return None
    return text if text.endswith("?") else None


def _code(language: Language) -> str:
    return language.language if language.language in NOTES else "en"


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000
