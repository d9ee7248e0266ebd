"""The LLM planner: one tool-calling request to any OpenAI-compatible endpoint per question.

The model only chooses a tool and its arguments; the answer is rendered from the tool's result.
Tool schemas are compacted and, when the caller's catalogue is large, narrowed to the nearest
tools by pgvector. If the endpoint fails (after the SDK's retries) the offline planner answers,
and the person is told so.
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import Any

import openai

from copilot import retrieval
from copilot.offline import OfflinePlanner
from copilot.planner import Decision, DecisionKind, Memory, Usage
from domain.orgs.service import get_organization
from tools.base import Tool, ToolContext
from tools.catalog import offered_to

PROMPTS = Path(__file__).resolve().parent.parent / "prompts"
FALLBACK_NOTE = "(The language model could not be reached, so the offline planner answered.)"
_DROP = {"title", "default"}


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

    def __post_init__(self) -> None:
        self.client = openai.AsyncOpenAI(
            base_url=self.base_url, api_key=self.api_key, timeout=self.timeout, max_retries=self.max_retries
        )
        self.system_template = (PROMPTS / "system.md").read_text(encoding="utf-8")

    async def _tools(self, ctx: ToolContext, utterance: str, memory: Memory | None = None) -> list[Tool]:
        """All the caller's tools, or the nearest ``max_tools``: ranked by the best similarity of the
        question to each tool's description and exemplars; the conversation's last tool always stays."""
        offered = offered_to(ctx.tenant)
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
        if pending and self.fallback.reply_to_pending(utterance, pending=True):
            return await self.fallback.plan(ctx, utterance, memory, pending=pending)  # "yes" needs no model
        tools = await self._tools(ctx, utterance, memory)
        specs = [function_spec(t) for t in tools]
        messages = await self.messages(ctx, utterance, memory)
        size = len(json.dumps(messages).encode()) + len(json.dumps(specs).encode())
        started = time.perf_counter()
        try:
            response = await self.client.chat.completions.create(  # type: ignore[call-overload]
                model=self.model,
                messages=messages,
                tools=specs,
                tool_choice="auto",
                parallel_tool_calls=False,
                temperature=0,
            )
            message = response.choices[0].message
            usage = Usage(
                prompt_tokens=response.usage.prompt_tokens if response.usage else 0,
                completion_tokens=response.usage.completion_tokens if response.usage else 0,
                llm_calls=1,
                prompt_bytes=size,
                model_ms=(time.perf_counter() - started) * 1000,
            )
            calls = message.tool_calls or []
            if not calls:
                text = (message.content or "").strip() or "Could you say that another way?"
                return Decision(DecisionKind.CLARIFY, text=text, planner=self.name, usage=usage)
            call = calls[0]
            name = call.function.name
            args = json.loads(call.function.arguments or "{}")
            if not isinstance(args, dict):
                raise ValueError("tool arguments are not an object")
        except (openai.APIError, ValueError, IndexError) as exc:
            decision = await self.fallback.plan(ctx, utterance, memory, pending=pending)
            note = f"{FALLBACK_NOTE[:-2]}: {type(exc).__name__}.)"
            return dataclasses.replace(decision, planner="llm->offline", note=note)
        if name not in {t.name for t in tools}:
            return Decision(
                DecisionKind.REFUSE,
                text="That is not something I can do for you.",
                planner=self.name,
                usage=usage,
            )
        return Decision(DecisionKind.TOOL, tool=name, args=args, planner=self.name, usage=usage)
