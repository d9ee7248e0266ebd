"""The conversation: a follow-up repeats the last call with what changed, an answer completes the call
waiting for it, and a question naming nobody is about the conversation's subject."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from rapidfuzz import fuzz

from copilot.filling import Draft, Filling
from copilot.language import Intent
from copilot.names import Directory
from copilot.planner import Decision, DecisionKind, Memory
from domain.text import fold
from tools.base import ToolContext


class Following(Filling):
    """The offline planner's follow-ups, on top of its argument filling."""

    def _moved(self, folded: str, intent: Intent, last: dict[str, Any]) -> dict[str, Any] | None:
        """ "and the week after?", "y el mes anterior": the last call's period, moved; "the whole week
        there": the week of the last day asked about."""
        words = self.language.words
        slot = intent.slots.date
        if slot is None:
            return None
        if slot.week_arg and re.search(words.whole_week, folded) and last.get(slot.arg or "date"):
            return {**last, slot.week_arg: True}
        for pattern, step in ((words.shift_back, -1), (words.shift_ahead, 1)):
            if re.search(pattern, folded):
                return _shift(last, step)
        return None

    def _about_subject(self, intent: Intent, directory: Directory, folded: str, memory: Memory) -> Intent:
        """A follow-up that names nobody is about the conversation's last subject, so a list's question
        about it is that subject's ("y cuánto me debe en total?" after a student: her balance)."""
        instead = self.language.when_named.get(intent.tool, {})
        if not instead or not memory.subjects or self.spot.names_said(directory, folded):
            return intent
        unless = self.language.when_named_unless.get(intent.tool)
        if unless and re.search(unless, folded):
            return intent
        latest = list(memory.subjects)[-1]
        tool = instead.get(latest)  # type: ignore[call-overload]
        return (self.language.intent(tool) or intent) if tool else intent

    async def _complete(
        self, ctx: ToolContext, directory: Directory, utterance: str, awaiting: dict[str, Any]
    ) -> Decision:
        """The answer to our question: read it for any argument still missing, then go on."""
        intent = self.language.intent(awaiting["tool"])
        if intent is None:
            return Decision(DecisionKind.REFUSE, text=self.language.messages.out_of_scope)
        said = " ".join(utterance.split()).strip(" .!?")
        choices: dict[str, list[str]] = awaiting.get("choices") or {}
        if choices:  # "the student Alba Ríos or the teacher Alba Campos?" — "the teacher" / "Alba Müller"
            draft = Draft(intent, dict(awaiting.get("args") or {}))
            named = [
                (m, arg)
                for arg, kind in {tuple(v) for v in choices.values()}
                if (m := directory.match(kind, fold(said))) is not None and m.clear  # type: ignore[arg-type]
            ]
            if named:
                chosen, arg = max(named, key=lambda pair: pair[0].score)
                draft.args[arg] = chosen.name
            else:
                picked = max(
                    choices,
                    key=lambda option: fuzz.WRatio(
                        fold(said), fold(" ".join(choices[option][1:]) + " " + option)
                    ),
                )
                draft.args[choices[picked][0]] = picked
            self._require(draft)
            return self._decide(draft)
        draft = await self._fill(ctx, directory, Draft(intent, dict(awaiting.get("args") or {})), utterance)
        missing, kind = awaiting.get("missing"), awaiting.get("kind")
        if missing and missing not in draft.args:
            if kind in ("student", "group", "teacher", "venue"):
                match = directory.match(kind, fold(said))
                draft.args[missing] = match.name if match and match.clear else said
            elif kind != "date":
                draft.args[missing] = said.replace(",", ".") if missing == "amount" else said
            draft.question = draft.missing = draft.missing_kind = None
            self._require(draft)
        return self._decide(draft)

    async def _follow_up(
        self, ctx: ToolContext, directory: Directory, utterance: str, memory: Memory
    ) -> Decision | None:
        """ "and last month?", "what about Ana?": the last call again, with what changed."""
        intent = self.language.intent(memory.last_tool or "")
        if intent is None:
            return None
        moved = self._moved(fold(utterance), intent, memory.last_args)
        if moved is not None:
            return Decision(DecisionKind.TOOL, tool=intent.tool, args=moved)
        fresh = await self._fill(ctx, directory, Draft(intent), utterance)
        changed = {k: v for k, v in fresh.args.items() if k in _slot_args(intent)}
        if not changed:
            return None
        args = dict(memory.last_args)
        if intent.slots.one_entity and any(e.arg in changed for e in intent.slots.entities):
            for e in intent.slots.entities:
                args.pop(e.arg, None)
        if any(k in changed for k in ("start", "end")):
            args.pop("start", None)
            args.pop("end", None)
        args.update(changed)
        return Decision(DecisionKind.TOOL, tool=intent.tool, args=args)


def _shift(args: dict[str, Any], step: int) -> dict[str, Any] | None:
    """The last call's period moved one period back (-1) or ahead (+1): a month, a week or a day."""
    moved = dict(args)
    if isinstance(args.get("month"), str):
        first = date.fromisoformat(f"{args['month']}-01") + relativedelta(months=step)
        moved["month"] = f"{first:%Y-%m}"
    elif isinstance(args.get("start"), str) and isinstance(args.get("end"), str):
        start, end = date.fromisoformat(args["start"]), date.fromisoformat(args["end"])
        if start.day == 1 and (end + timedelta(days=1)).day == 1:  # whole months
            months = (end.year - start.year) * 12 + end.month - start.month + 1
            start = start + relativedelta(months=step * months)
            end = start + relativedelta(months=months, days=-1)
        else:
            length = (end - start).days + 1
            start, end = start + timedelta(days=step * length), end + timedelta(days=step * length)
        moved["start"], moved["end"] = start.isoformat(), end.isoformat()
    elif isinstance(args.get("date"), str):
        days = 7 if args.get("week") else 1
        moved["date"] = (date.fromisoformat(args["date"]) + timedelta(days=step * days)).isoformat()
    else:
        return None
    return moved


def _slot_args(intent: Intent) -> set[str]:
    slots = intent.slots
    args = {e.arg for e in slots.entities} | set(slots.captures)
    if slots.date:
        args |= {slots.date.arg or "date", slots.date.week_arg or "week", "start", "end"}
    return args
