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
from domain.errors import DomainError
from domain.groups import service as groups
from domain.text import fold
from tools import resolve
from tools.base import NeedsClarification, ToolContext


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
        if missing and kind == "student" and awaiting.get("options"):
            # "Which Sofía?" — "the one in zouk": the one of those offered who is in that group
            member = await self._member_of_group_said(ctx, directory, said, awaiting["options"])
            if member is not None:
                draft.args[missing] = member
                draft.question = draft.missing = draft.missing_kind = None
                self._require(draft)
        if missing and missing not in draft.args:
            if kind in ("student", "group", "teacher", "venue"):
                match = directory.match(kind, fold(said))
                draft.args[missing] = match.name if match and match.clear else said
            elif kind != "date":
                draft.args[missing] = said.replace(",", ".") if missing == "amount" else said
            draft.question = draft.missing = draft.missing_kind = None
            self._require(draft)
        return self._decide(draft)

    async def _member_of_group_said(
        self, ctx: ToolContext, directory: Directory, said: str, options: list[str]
    ) -> str | None:
        """The one student among ``options`` who is in the group the answer names, if exactly one is."""
        named = [m.name for m, _, _ in self.spot.names_said(directory, fold(said)) if m.kind == "group"]
        if len(named) != 1:
            return None
        try:
            group = await resolve.group(ctx, named[0], on=ctx.today)
            roster = await groups.roster(ctx.session, ctx.tenant, group.id, on=ctx.today)
        except (DomainError, NeedsClarification):
            return None
        inside = [o for o in options if o in {e.full_name for e in roster}]
        return inside[0] if len(inside) == 1 else None

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
        # "and Andrés?" after a teacher's figures: the teacher Andrés, not a student of that name
        narrowed_by: set[str] = {e.kind for e in intent.slots.entities if e.arg in memory.last_args}
        fresh = await self._fill(ctx, directory, Draft(intent, prefer=narrowed_by), utterance)
        changed = {k: v for k, v in fresh.args.items() if k in _slot_args(intent)}
        if not changed:
            return None
        args = dict(memory.last_args)
        named = {e.arg for e in intent.slots.entities if e.arg in changed}
        # A name of a new kind starts over ("and Salsa?" after a teacher's); one that replaces a name of
        # the last call keeps the others ("and in Tango Beginners?" after Emma's in Lindy Hop: still Emma).
        if intent.slots.one_entity and named and not named <= set(memory.last_args):
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
