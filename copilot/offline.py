"""The offline planner: English (or any language file) to a tool call, with no network and no model.

1. Refusals, then "yes"/"no" to a pending action.
2. The intent: the first intent whose patterns match; otherwise fuzzy keywords plus the nearest
   exemplars from pgvector; otherwise a follow-up of the last call, or "I can't help with that".
3. The arguments: captures (amounts, reasons, note text), dates and periods, lists ("everyone
   except …"), then the organization's own names, matched fuzzily in what is left.
4. A required argument missing, or two names too close: a short question, remembered so the
   answer completes the call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from copilot import dates, retrieval
from copilot.detect import Languages
from copilot.language import Capture, Intent, Kind, Language, every, load
from copilot.names import Directory, NameMatch
from copilot.planner import Decision, DecisionKind, Memory
from copilot.spotting import Found, NameSpotter, close, widest
from domain.errors import DomainError
from domain.groups import service as groups
from domain.sessions import service as sessions
from domain.sessions.models import SessionStatus
from domain.text import fold
from tools.base import ToolContext, ToolKind
from tools.catalog import CATALOG

EXEMPLAR_FLOOR = 0.35  # nearer exemplars than this vote for their intent
ENOUGH = 1.0  # the least evidence for an intent without a pattern
_TOKEN = re.compile(r"[a-z0-9]+")


@dataclass
class Draft:
    """Arguments being filled for one tool call."""

    intent: Intent
    args: dict[str, Any] = field(default_factory=dict)
    question: str | None = None
    options: list[str] = field(default_factory=list)
    missing: str | None = None
    missing_kind: str | None = None
    choices: dict[str, list[str]] = field(default_factory=dict)  # option → [argument, kind]


class OfflinePlanner:
    name = "offline"

    def __init__(self, language: Language | None = None) -> None:
        self.language = language or load()
        self.spot = NameSpotter(self.language)
        # Every language's refusals, its own first: "refund Samuel León 40 euros" may read as Spanish
        # for its names and must still be refused (in the language it was read in).
        self._refusals = [*self.language.refusals] + [
            r for other in every() if other.language != self.language.language for r in other.refusals
        ]
        # Given no language, each message is planned by the planner of the language it is written in.
        self.languages = Languages([language] if language else every())
        self.by_language: dict[str, OfflinePlanner] = (
            {} if language else {code: OfflinePlanner(one) for code, one in self.languages.languages.items()}
        )

    async def plan(self, ctx: ToolContext, utterance: str, memory: Memory, *, pending: bool) -> Decision:
        if self.by_language:
            code = self.languages.pick(utterance, prior=self.languages.prior(memory)).language
            planned = await self.by_language[code].plan(ctx, utterance, memory, pending=pending)
            if planned.awaiting is not None:  # the answer to the question is read in its language
                planned.awaiting["language"] = code
            return planned
        lang = self.language
        folded = self._plain(fold(utterance))
        reply = self._reply_to_pending(folded, pending)
        if reply is not None:
            return reply
        for refusal in self._refusals:
            if re.search(refusal.pattern, folded):
                said = getattr(lang.messages, refusal.message, None) or lang.messages.out_of_scope
                return Decision(DecisionKind.REFUSE, text=said)
        directory = await Directory.load(ctx)
        intent = self._by_pattern(folded)
        if intent is not None:
            intent, question = self._narrowed(intent, directory, folded)
            if question:
                return Decision(DecisionKind.CLARIFY, tool=intent.tool, text=question)
        followup = bool(re.search(lang.words.followup, " ".join(_TOKEN.findall(folded))))
        if intent is not None and (followup or self._points(folded)):
            intent = self._about_subject(intent, directory, folded, memory)
        if memory.awaiting and intent is None:
            return await self._complete(ctx, directory, utterance, memory.awaiting)
        found = self.spot.names_said(directory, folded) if intent is None else []
        if found and not self._by_default(found, folded):  # "is paula teaching fri": the words say what
            intent = self._routed(found, folded)
        # "and last month?" repeats the last call; "and Ana paid 45 yesterday" asks something new.
        if memory.last_tool and (intent is None or (followup and intent.tool == memory.last_tool)):
            decision = await self._follow_up(ctx, directory, utterance, memory)
            if decision is not None:
                return decision
        if intent is None:
            intent = self._routed(found, folded)
            if intent is not None and self._by_default(found, folded):
                others = set(self.language.by_entity) - {self._best_kind(found)}
                question = self._two_kinds(directory, found, others)
                if question:
                    return Decision(DecisionKind.CLARIFY, tool=intent.tool, text=question)
        if intent is None:
            intent = await self._by_evidence(ctx, folded)
        if intent is None:
            return Decision(DecisionKind.REFUSE, text=lang.messages.out_of_scope)
        if not offered(ctx, intent.tool):  # refused before any question or preview, not at confirm
            return Decision(DecisionKind.REFUSE, text=self._not_for_role(intent))
        draft = await self._fill(ctx, directory, Draft(intent), utterance, memory)
        return self._decide(draft)

    def reply_to_pending(self, utterance: str, *, pending: bool) -> str | None:
        """ "confirm" or "cancel" when the words answer a pending action, else None."""
        if self.by_language:
            code = self.languages.pick(utterance).language
            return self.by_language[code].reply_to_pending(utterance, pending=pending)
        decision = self._reply_to_pending(fold(utterance), pending)
        if decision is None or decision.kind not in (DecisionKind.CONFIRM, DecisionKind.CANCEL):
            return None
        return "confirm" if decision.kind is DecisionKind.CONFIRM else "cancel"

    def _not_for_role(self, intent: Intent) -> str:
        what = self.language.messages.role_actions.get(intent.tool, intent.tool.replace("_", " "))
        return self.language.messages.not_for_role.format(what=what)

    # -- intent ---------------------------------------------------------------------------------

    def _reply_to_pending(self, folded: str, pending: bool) -> Decision | None:
        said = " ".join(_TOKEN.findall(folded.replace("'", "")))
        words = self.language.words
        if said in {fold(w).replace("'", "") for w in words.yes}:
            if pending:
                return Decision(DecisionKind.CONFIRM)
            return Decision(DecisionKind.REFUSE, text=self.language.messages.nothing_pending)
        if pending and said in {fold(w).replace("'", "") for w in words.no}:
            return Decision(DecisionKind.CANCEL)
        return None

    def _plain(self, folded: str) -> str:
        """Phone spelling read as what it stands for ("whos in zouk tmrw" → "who is in zouk tomorrow")."""
        words = self.language.words
        plain = folded
        for contracted, spelled in words.contractions.items():
            plain = re.sub(contracted, spelled, plain)
        plain = re.sub(r"[a-z0-9]+", lambda m: words.shorthand.get(m.group(0), m.group(0)), plain)
        for said, written in words.name_synonyms.items():
            plain = re.sub(rf"\b{re.escape(said)}\b", written, plain)
        return plain

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

    def _calendar_word(self, word: str) -> str:
        """A month or weekday misspelt by one letter ("octobr", "wensday" is two: left alone)."""
        words = self.language.words
        if word in words.months or word in words.weekdays or word in self.language.vocabulary:
            return word
        near = [w for w in (*words.months, *words.weekdays) if len(w) >= 5 and w[:2] == word[:2]]
        return next((w for w in near if Levenshtein.distance(word, w) <= 1), word)

    def _spelled_out(self, said: str) -> str:
        """Phone spelling spelled out in the words as written (case kept), for what captures take:
        "note abt knee probs" → "note about knee problems", "apunta q Emma…" → "apunta que Emma…"."""
        shorthand = self.language.words.shorthand
        return re.sub(r"\b\w+\b", lambda m: shorthand.get(m.group(0).lower(), m.group(0)), said)

    def _narrowed(self, intent: Intent, directory: Directory, folded: str) -> tuple[Intent, str | None]:
        """The names said overrule a read's pattern when it cannot take them: a person named in a list's
        question is about that person ("does Ana owe" → her balance), and a read that takes no name of
        the kind said goes where that kind of name leads ("how is Bachata Teens doing" → the group)."""
        instead = self.language.when_named.get(intent.tool, {})
        unless = self.language.when_named_unless.get(intent.tool)
        if unless and re.search(unless, folded):
            instead = {}
        takes = {e.kind for e in intent.slots.entities}
        catalogued = CATALOG.get(intent.tool)
        reads = catalogued is not None and catalogued.kind is ToolKind.READ
        if not instead and not (takes and reads):
            return intent, None  # no name could change this intent: don't look for any
        found = self.spot.names_said(directory, folded)
        named = {m.kind for m, _, _ in found}
        for kind, tool in instead.items():
            if kind in named or self._first_name_said(directory, folded, kind):
                return self.language.intent(tool) or intent, None
        if named and takes and not named & takes and reads:
            return self._routed(found, folded) or intent, self._two_kinds(directory, found, takes)
        return intent, None

    def _first_name_said(self, directory: Directory, folded: str, kind: Kind) -> bool:
        """A name of this kind said that fits several ("what does Lola owe?"): never dropped for the
        whole school's list — the question goes to that kind, which asks which one."""
        words_of_kind = {w for name in directory.names[kind] for w in name.split()}
        for segment in self.spot.segments(folded, directory.words):
            if all(w in words_of_kind for w in segment.split()) and directory.match(kind, segment):
                return True
        return False

    def _two_kinds(self, directory: Directory, found: list[Found], takes: set[Kind]) -> str | None:
        """ "How's Sofía doing?": one teacher is called Sofía, and so are several students the question
        could be about. A first name alone that fits the kind asked about too is asked about, not
        taken as the only one of another kind."""
        match, span, _ = max(found, key=lambda f: f[0].score)
        if len(span.split()) > 1:
            return None
        for kind in sorted(takes):
            if directory.match(kind, span) is not None:
                said = self.language.messages
                options = [
                    said.this_one.format(kind=said.kinds.get(match.kind, match.kind), name=match.name),
                    said.one_called.format(kind=said.kinds.get(kind, kind), name=span.title()),
                ]
                return said.which_kind.format(options=said.either.join(options))
        return None

    def _points(self, folded: str) -> bool:
        said = f" {' '.join(_TOKEN.findall(folded))} "
        return any(f" {p} " in said for p in self.language.words.pronouns)

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

    @staticmethod
    def _best_kind(found: list[Found]) -> Kind:
        return max(found, key=lambda f: f[0].score)[0].kind

    def _route_words(self, found: list[Found], folded: str) -> list[str]:
        in_names = {w for _, span, _ in found for w in span.split()}  # "Sala Sur" is no "salary"
        return [t for t in _TOKEN.findall(folded) if t not in in_names and len(t) >= 3]

    def _routed(self, found: list[Found], folded: str) -> Intent | None:
        """No pattern fitted (or it cannot take the name said): where the best name said leads, the
        first route of its kind whose words were said ("zouk advanced list pls" → the roster;
        "paula's pay" → her payout)."""
        if not found:
            return None
        tokens = self._route_words(found, folded)
        for route in self.language.by_entity[self._best_kind(found)]:
            if not route.words or any(close(t, w) for t in tokens for w in route.words):
                return self.language.intent(route.tool)
        return None

    def _by_default(self, found: list[Found], folded: str) -> bool:
        """Whether the name led where it did for want of any word saying what about it."""
        tokens = self._route_words(found, folded)
        routes = self.language.by_entity[self._best_kind(found)]
        return not any(close(t, w) for route in routes for t in tokens for w in route.words)

    def _by_pattern(self, folded: str) -> Intent | None:
        return next((i for i in self.language.intents if any(p.search(folded) for p in i.compiled)), None)

    async def _by_evidence(self, ctx: ToolContext, folded: str) -> Intent | None:
        """No pattern matched (a typo, an unusual phrasing): keywords and nearest exemplars vote."""
        lang = self.language
        await self._ensure_index(ctx)
        scores: dict[str, float] = {}
        tokens = [t for t in _TOKEN.findall(folded) if len(t) >= 4]
        for intent in lang.intents:
            for keyword, weight in intent.keywords.items():
                if any(close(token, keyword) for token in tokens):
                    scores[intent.tool] = scores.get(intent.tool, 0.0) + weight
        near = await retrieval.nearest(
            ctx.session, kind=retrieval.EXEMPLAR, language=lang.language, embedder=ctx.embedder, text=folded
        )
        best_by_tool: dict[str, float] = {}
        for n in near:
            best_by_tool[n.tool] = max(best_by_tool.get(n.tool, 0.0), n.similarity)
        for tool, similarity in best_by_tool.items():
            if similarity >= EXEMPLAR_FLOOR:
                scores[tool] = scores.get(tool, 0.0) + 2 * similarity
        if not scores:
            return None
        tool, score = max(scores.items(), key=lambda item: item[1])
        return lang.intent(tool) if score >= ENOUGH else None

    async def _ensure_index(self, ctx: ToolContext) -> None:
        # Checked every time (one small SELECT when nothing is missing): a flag kept in the process
        # would outlive a rolled-back transaction that first filled the index.
        await retrieval.sync(ctx.session, self.language, ctx.embedder)

    # -- arguments ------------------------------------------------------------------------------

    async def _fill(
        self,
        ctx: ToolContext,
        directory: Directory,
        draft: Draft,
        utterance: str,
        memory: Memory | None = None,
    ) -> Draft:
        slots = draft.intent.slots
        rest = self._spelled_out(" ".join(utterance.split()))
        for arg, capture in slots.captures.items():
            rest = self._capture(directory, draft, arg, capture, rest, utterance)
        text = self._plain(fold(rest))
        if self.language.words.fix_calendar_typos:  # "octobr"; never a name ("Marco" is no "March")
            text = re.sub(
                r"[a-z]{5,}",
                lambda m: m.group(0) if m.group(0) in directory.words else self._calendar_word(m.group(0)),
                text,
            )
        if slots.date:
            when, text = dates.find(text, self.language.words, ctx.today, future=slots.date.future)
            draft.args.update(dates.arguments(when, slots.date, ctx.today))
        else:
            when = dates.When()
        if slots.names_list:
            text = self._names_list(draft, text)
            draft.args.setdefault(slots.names_list.arg, [])  # nobody named: everyone was there
        segments = self.spot.segments(text, directory.words)
        self._entities(directory, draft, segments)
        if slots.group_from_weekday and "group" not in draft.args and when.from_weekday and when.day:
            await self._group_from_weekday(ctx, draft, when)
        self._name_in_capture(directory, draft)
        self._name_after_capture(directory, draft)
        if memory is not None:
            self._from_memory(draft, text, memory)
        if any(e.kind == "group" for e in slots.entities) and slots.date:
            await self._group_on_the_day(ctx, directory, draft)
        self._unknown_name(draft, directory, segments, utterance)
        self._require(draft)
        return draft

    def _name_after_capture(self, directory: Directory, draft: Draft) -> None:
        """A name said at the end of captured words ("notes about knee problems in Heels Teens"): it
        narrows, it is not part of what to look for."""
        slots = draft.intent.slots
        for entity in slots.entities:
            if entity.arg in draft.args:
                continue
            for arg in slots.captures:
                value = draft.args.get(arg)
                found = re.search(r"^(.+?)\s+(?:in|at|of|for|en|de|del)\s+(.+)$", value or "")
                if found is None:
                    continue
                match = directory.match(entity.kind, fold(found.group(2)).strip(" ?!."))
                if match and match.clear:
                    draft.args[entity.arg], draft.args[arg] = match.name, found.group(1)
                    return

    async def _group_on_the_day(self, ctx: ToolContext, directory: Directory, draft: Draft) -> None:
        """ "Cancel the lindy one" on a day with one Lindy class: the group said, of those meeting then."""
        said, day = draft.args.get("group"), draft.args.get(_date_arg(draft.intent))
        if not isinstance(said, str) or not isinstance(day, str) or said in directory.names["group"].values():
            return
        try:
            held = await sessions.list_sessions(
                ctx.session, ctx.tenant, start=date.fromisoformat(day), end=date.fromisoformat(day)
            )
        except (DomainError, ValueError):
            return
        names = {
            (await groups.get_group(ctx.session, ctx.tenant, s.group_id)).name
            for s in held
            if s.group_id is not None and s.status is not SessionStatus.CANCELLED
        }
        fitting = [n for n in names if all(w in fold(n).split() for w in fold(said).split())]
        if len(fitting) == 1:
            draft.args["group"] = fitting[0]

    def _name_in_capture(self, directory: Directory, draft: Draft) -> None:
        """A required name nobody said outside the captured words, said at their start ("apunta que
        Emma Pascual se ha torcido el tobillo"): the name is the entity, the rest is the text."""
        slots = draft.intent.slots
        for entity in slots.entities:
            if not entity.required or entity.arg in draft.args:
                continue
            for arg, capture in slots.captures.items():
                value = draft.args.get(arg)
                if not capture.keep_case or not isinstance(value, str):
                    continue
                words = value.split()
                for size in (3, 2):
                    match = directory.match(entity.kind, fold(" ".join(words[:size])))
                    if match and match.clear and len(words) > size:
                        draft.args[entity.arg] = match.name
                        draft.args[arg] = " ".join(words[size:])
                        return

    def _unknown_name(self, draft: Draft, directory: Directory, segments: list[str], utterance: str) -> None:
        """The intent takes a name and none was matched, yet words that read like one were said: ask,
        rather than answer for the whole school as if nothing was said."""
        slots = draft.intent.slots
        if draft.question or not slots.entities or any(e.arg in draft.args for e in slots.entities):
            return
        unknown = self.spot.unknown_name(directory, segments, utterance)
        if unknown:
            draft.question = self.language.messages.not_found.format(said=unknown)

    def _from_memory(self, draft: Draft, text: str, memory: Memory) -> None:
        """The conversation's subject for a name nobody said this time: a pronoun ("send her a
        reminder", "his attendance", "ese grupo") points at the last one of its kind, and a name the
        call cannot do without ("who's enrolled?", "she just paid 45") is the one being talked about."""
        said = f" {' '.join(_TOKEN.findall(text))} "
        pointed = any(f" {p} " in said for p in self.language.words.pronouns)
        # "and which of them haven't paid?", "y cómo van de asistencia?": a follow-up that names
        # nobody goes on about the same subject.
        going_on = bool(re.search(self.language.words.followup, said.strip()))
        slots = draft.intent.slots
        if slots.one_entity and not pointed and any(e.arg in draft.args for e in slots.entities):
            return  # a name was said and nobody pointed at: that is the subject
        newest_first = list(reversed(memory.subjects))  # kinds, the last one named first
        wanted = sorted(
            slots.entities,
            key=lambda e: newest_first.index(e.kind) if e.kind in newest_first else len(newest_first),
        )
        day = slots.date.arg or "date" if slots.date else None
        if day and slots.date and slots.date.required and day not in draft.args:
            known_day = memory.last_args.get("date") or memory.last_args.get("on")
            if known_day:  # "cancel the lindy one" after tomorrow's classes: that day
                draft.args[day] = known_day
        for arg, capture in slots.captures.items():  # "mete también a Lucía García": in the same group
            if capture.kind and capture.required and arg not in draft.args:
                known = memory.subjects.get(capture.kind)
                if known and (pointed or going_on or self._also(text)):
                    draft.args[arg] = known
        for entity in wanted:
            if entity.arg in draft.args or not (pointed or going_on or entity.required):
                continue
            known = memory.subjects.get(entity.kind) or memory.last_args.get(entity.kind)
            if known:
                draft.args[entity.arg] = known
                if slots.one_entity or not (pointed or entity.required):
                    return

    def _also(self, text: str) -> bool:
        return bool(re.search(self.language.words.also, text))

    def _capture(
        self, directory: Directory, draft: Draft, arg: str, capture: Capture, rest: str, utterance: str
    ) -> str:
        if arg in draft.args:  # already known (an answer to a question completes, never overwrites)
            return rest
        found = capture.compiled.search(rest)
        if found is None:
            if capture.fallback == "whole":
                draft.args[arg] = " ".join(utterance.split())
            return rest
        group = _said_group(found)
        if capture.ignore:
            return self._without(directory, capture, rest, found, group)
        value = found.group(group).strip(" .,;:!?\"'“”")
        if capture.map:
            value = capture.map.get(fold(value), value)
        elif capture.kind:
            match = directory.match(capture.kind, fold(value))
            value = match.name if match and match.clear else fold(value)
        elif not capture.keep_case:
            value = fold(value)
        if arg in ("amount", "min_amount"):
            value = value.replace(",", ".")
        if arg.endswith("_time") and value.isdigit():  # "a las 11" is 11:00
            value = f"{int(value):02d}:00"
        draft.args[arg] = value
        return rest[: found.start(group)] + dates.GAP + rest[found.end(group) :]

    def _without(
        self, directory: Directory, capture: Capture, rest: str, found: re.Match[str], group: int
    ) -> str:
        """The message without the words an ignored capture names (only its name, given a kind)."""
        start, end = found.span(group)
        if capture.kind:
            words = found.group(group).split()
            runs = [
                " ".join(words[i : i + size])
                for size in range(len(words), 0, -1)
                for i in range(len(words) - size + 1)
            ]
            run = next((r for r in runs if (m := directory.match(capture.kind, fold(r))) and m.clear), None)
            if run is None:
                return rest
            start += found.group(group).index(run)
            end = start + len(run)
        return rest[:start] + dates.GAP + rest[end:]

    def _names_list(self, draft: Draft, text: str) -> str:
        slot = draft.intent.slots.names_list
        assert slot is not None
        found = re.search(self.language.words.except_, text)
        if found is None:
            return text
        after = text[found.end() :]
        items = [
            " ".join(t for t in _TOKEN.findall(part) if t not in self.language.command_words)
            for part in re.split(self.language.words.list_separators, after)
        ]
        before = text[: found.start()]
        if not any(items):  # "…, ana absent", "… - Nerea and Olivia were off": the names come before
            tail = re.split(r"[,:;|–—]|\s-\s", before)[-1]
            said = [
                " ".join(t for t in _TOKEN.findall(part) if t not in self.language.command_words)
                for part in re.split(self.language.words.list_separators, tail)
            ]
            if any(said) and len(tail) < len(before):
                before, items = before[: len(before) - len(tail)], said
        names = [i.strip() for i in items if i.strip()]
        if names:
            draft.args[slot.arg] = names
        return before

    def _entities(self, directory: Directory, draft: Draft, segments: list[str]) -> None:
        slots = draft.intent.slots
        wanted = [e for e in slots.entities if e.arg not in draft.args]
        if not wanted or not segments:
            return
        if slots.one_entity:
            found = [
                (m, s, e.arg)
                for e in wanted
                for s in self.spot.spans(segments, directory)
                if (m := directory.match(e.kind, s)) is not None
            ]
            candidates = widest(found, segments)
            if not candidates:
                return
            candidates.sort(key=lambda c: -c[0].score)
            best, span, arg = candidates[0]
            rival = next((c for c in candidates[1:] if c[0].kind != best.kind and _overlap(c[1], span)), None)
            if rival and best.score - rival[0].score < 3 and best.name != rival[0].name:
                said = self.language.messages
                options = [
                    said.this_one.format(kind=said.kinds.get(c.kind, c.kind), name=c.name)
                    for c in (best, rival[0])
                ]
                draft.question = said.which_kind.format(options=said.either.join(options))
                draft.options = [best.name, rival[0].name]
                draft.choices = {best.name: [arg, best.kind], rival[0].name: [rival[2], rival[0].kind]}
                return
            draft.args[arg] = self._said_or_name(best, segments)
            # Another name said elsewhere narrows further ("Emma Pascual in Lindy Hop Advanced",
            # "Martina's classes at Sala Sur"): taken only when it is clearly a name of another kind.
            taken = {arg}
            for match, other, other_arg in candidates[1:]:
                if other_arg not in taken and match.clear and not _overlap(other, span):
                    draft.args[other_arg] = match.name
                    taken.add(other_arg)
            return
        used: set[str] = set()
        for entity in wanted:
            free = [s for s in segments if s not in used]
            found = [
                (m, s, entity.arg)
                for s in self.spot.spans(free, directory)
                if (m := directory.match(entity.kind, s)) is not None
            ]
            scored = [(m, s) for m, s, _ in widest(found, free)]
            if not scored:
                continue
            match, span = max(scored, key=lambda pair: pair[0].score)
            used.update(s for s in segments if span in s)
            draft.args[entity.arg] = match.name if match.clear else span

    @staticmethod
    def _said_or_name(match: NameMatch, segments: list[str]) -> str:
        return match.name if match.clear else next((s for s in segments if s), match.name)

    async def _group_from_weekday(self, ctx: ToolContext, draft: Draft, when: dates.When) -> None:
        assert when.day is not None
        day = when.day
        try:
            found = [
                s
                for s in await sessions.list_sessions(ctx.session, ctx.tenant, start=day, end=day)
                if s.status is not SessionStatus.CANCELLED and s.group_id is not None
            ]
        except DomainError:
            return
        names = sorted(
            {(await groups.get_group(ctx.session, ctx.tenant, s.group_id)).name for s in found if s.group_id}
        )
        if len(names) == 1:
            draft.args["group"] = names[0]
            draft.args.setdefault(_date_arg(draft.intent), day.isoformat())
        elif names:
            draft.question = self.language.messages.tuesday_class_many.format(
                count=len(names), day=f"{day:%A %Y-%m-%d}", options=", ".join(names)
            )
            draft.options = names
            draft.missing, draft.missing_kind = "group", "group"
            draft.args.setdefault(_date_arg(draft.intent), day.isoformat())
        else:
            draft.question = self.language.messages.tuesday_class_none.format(day=f"{day:%A %Y-%m-%d}")

    def _require(self, draft: Draft) -> None:
        if draft.question:
            return
        slots = draft.intent.slots
        needed: list[tuple[str, str]] = [(e.arg, e.kind) for e in slots.entities if e.required]
        needed += [(arg, c.kind or arg) for arg, c in slots.captures.items() if c.required]
        if slots.date and slots.date.required:
            needed.append((slots.date.arg or "date", "date"))
        for arg, kind in needed:
            if arg not in draft.args:
                draft.question = self.language.messages.ask.get(
                    kind, self.language.messages.ask.get(arg, "?")
                )
                draft.missing, draft.missing_kind = arg, kind
                return

    def _decide(self, draft: Draft) -> Decision:
        if draft.question:
            awaiting = (
                {
                    "tool": draft.intent.tool,
                    "args": draft.args,
                    "missing": draft.missing,
                    "kind": draft.missing_kind,
                    "choices": draft.choices,
                }
                if draft.missing or draft.choices
                else None
            )
            return Decision(
                DecisionKind.CLARIFY,
                tool=draft.intent.tool,
                args=draft.args,
                text=draft.question,
                options=draft.options,
                awaiting=awaiting,
            )
        return Decision(DecisionKind.TOOL, tool=draft.intent.tool, args=draft.args)

    # -- conversation ---------------------------------------------------------------------------

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


def _said_group(found: re.Match[str]) -> int:
    """The group of a capture that matched (a pattern may say the same thing two ways)."""
    return next((i for i in range(1, (found.lastindex or 1) + 1) if found.group(i) is not None), 1)


def _overlap(one: str, other: str) -> bool:
    """Whether two spans of what was said share a word (then they are one name, read two ways)."""
    return bool(set(one.split()) & set(other.split()))


def offered(ctx: ToolContext, tool: str) -> bool:
    """Whether the asker's role is offered this tool (services still check every rule themselves)."""
    catalogued = CATALOG.get(tool)
    return catalogued is not None and (ctx.tenant.is_admin or ctx.tenant.role in catalogued.roles)


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


def _date_arg(intent: Intent) -> str:
    return (intent.slots.date.arg if intent.slots.date else None) or "date"


def _slot_args(intent: Intent) -> set[str]:
    slots = intent.slots
    args = {e.arg for e in slots.entities} | set(slots.captures)
    if slots.date:
        args |= {slots.date.arg or "date", slots.date.week_arg or "week", "start", "end"}
    return args
