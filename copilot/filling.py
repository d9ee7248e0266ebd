"""Filling a tool call's arguments from what was said: captures (amounts, reasons, note text), dates,
lists ("everyone except …"), the organization's names, the conversation's subject, and the question to
ask when something the call needs is missing. Used by the offline planner (copilot/offline.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rapidfuzz.distance import Levenshtein

from copilot import class_refs, dates
from copilot.group_meant import group_meant, meeting
from copilot.language import Capture, Intent, Language, Messages
from copilot.names import Directory, NameMatch
from copilot.planner import Decision, DecisionKind, Memory
from copilot.spotting import NameSpotter, widest
from domain.text import fold
from tools.base import ToolContext

TOKEN = re.compile(r"[a-z0-9]+")


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
    # In a follow-up of the same question, the kinds of name it was narrowed by: "and Andrés?" after a
    # teacher's attendance is the teacher Andrés, not a student of that name.
    prefer: set[str] = field(default_factory=set)

    def ask_which_group(self, names: list[str], day: date, messages: Messages) -> None:
        """Several groups have a class that fits ("Tuesday's class", "the 7pm class"): ask which."""
        self.question = messages.tuesday_class_many.format(
            count=len(names), day=f"{day:%A %Y-%m-%d}", options=", ".join(names)
        )
        self.options = names
        self.missing, self.missing_kind = "group", "group"


class Filling:
    """The offline planner's argument filling; the planner sets ``language`` and ``spot``."""

    language: Language
    spot: NameSpotter

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
        said_class, text = class_refs.find(text, self.language.words)  # "next", "7": not dates
        text, kept = self._names_kept_from_dates(directory, text)
        if slots.date:
            when, text = dates.find(text, self.language.words, ctx.today, future=slots.date.future)
            draft.args.update(dates.arguments(when, slots.date, ctx.today))
            if not when.said and memory is not None and re.search(self.language.words.that_period, text):
                draft.args.update(dates.arguments(_period_of(memory.last_args), slots.date, ctx.today))
        else:
            when = dates.When()
        for placeholder, name in kept.items():
            text = text.replace(placeholder, name)
        if memory is not None and memory.last_tool == draft.intent.tool and self._goes_on(text):
            draft.prefer = {e.kind for e in slots.entities if e.arg in memory.last_args}
        if slots.names_list:
            text = self._names_list(draft, text)
            draft.args.setdefault(slots.names_list.arg, [])  # nobody named: everyone was there
        segments = self.spot.segments(text, directory.words)
        self._entities(directory, draft, segments)
        if slots.group_from_weekday and "group" not in draft.args and when.from_weekday and when.day:
            await self._group_from_weekday(ctx, draft, when)
        if said_class is not None:
            await class_refs.fill(ctx, draft, said_class, self.language.messages)
        self._name_in_capture(directory, draft)
        self._name_after_capture(directory, draft)
        if memory is not None:
            self._from_memory(draft, text, memory)
        if any(e.kind == "group" for e in slots.entities) and slots.date:
            await self._group_on_the_day(ctx, directory, draft, memory)
        self._unknown_name(draft, directory, segments, utterance)
        self._require(draft)
        return draft

    def _names_kept_from_dates(self, directory: Directory, text: str) -> tuple[str, dict[str, str]]:
        """Full names with a month or weekday in them ("Abril Cruz") hidden from the date finder, so
        that "abril" is not read as April and "Cruz" matched to somebody else."""
        calendar = {*self.language.words.months, *self.language.words.weekdays}
        kept: dict[str, str] = {}
        for _, span, _ in self.spot.names_said(directory, text):
            if len(span.split()) > 1 and calendar & set(span.split()) and span in text:
                placeholder = f"zqname{len(kept)}qz"
                kept[placeholder] = span
                text = text.replace(span, placeholder)
        return text, kept

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

    async def _group_on_the_day(
        self, ctx: ToolContext, directory: Directory, draft: Draft, memory: Memory | None
    ) -> None:
        """ "Cancel the lindy one" on a day with one Lindy class, "who's in the lindy one" after that day's
        timetable, a teacher's "my tango class": the group said, of those meeting then, else of hers."""
        said, day = draft.args.get("group"), draft.args.get(_date_arg(draft.intent))
        if not isinstance(said, str) or said in directory.names["group"].values():
            return
        venue = None
        if not isinstance(day, str) and memory is not None and memory.last_tool == "schedule":
            day, venue = memory.last_args.get("date"), memory.last_args.get("venue")
        try:
            when = date.fromisoformat(day) if isinstance(day, str) else None
        except ValueError:
            when = None
        meant = await group_meant(ctx, said, day=when, venue=venue if isinstance(venue, str) else None)
        if meant is not None:
            draft.args["group"] = meant

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
        pointed = self._points(text)
        # "and which of them haven't paid?", "y cómo van de asistencia?": a follow-up that names
        # nobody goes on about the same subject.
        going_on = self._goes_on(text)
        slots = draft.intent.slots
        if slots.one_entity and not pointed and any(e.arg in draft.args for e in slots.entities):
            return  # a name was said and nobody pointed at: that is the subject
        newest_first = list(reversed(memory.subjects))  # kinds, the last one named first
        wanted = sorted(
            slots.entities,
            key=lambda e: newest_first.index(e.kind) if e.kind in newest_first else len(newest_first),
        )
        day = _date_arg(draft.intent)
        if slots.date and slots.date.required and day not in draft.args:
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

    def _points(self, folded: str) -> bool:
        """A pronoun was said ("her", "ese grupo"): it points at the conversation's subject."""
        said = f" {' '.join(TOKEN.findall(folded))} "
        return any(f" {p} " in said for p in self.language.words.pronouns)

    def _goes_on(self, folded: str) -> bool:
        """The message goes on from the last one ("and …", "¿y …?", after any opening mark)."""
        return bool(re.search(self.language.words.followup, " ".join(TOKEN.findall(folded))))

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
        if capture.kind and fold(value) in self.language.words.pronouns:
            return rest  # "put Emma in it as well": the group talked about, filled from the conversation
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

    def _listed(self, part: str) -> str:
        """One name of a list, without command words; "both Léas" keeps its "both" (every Léa)."""
        both = re.search(self.language.words.both, part.strip())
        if both is not None:
            part = part.strip()[both.end() :]
        name = " ".join(t for t in TOKEN.findall(part) if t not in self.language.command_words)
        return f"both {name}" if name and both is not None else name

    def _names_list(self, draft: Draft, text: str) -> str:
        slot = draft.intent.slots.names_list
        assert slot is not None
        found = re.search(self.language.words.except_, text)
        if found is None:
            return text
        after = text[found.end() :]
        items = [self._listed(part) for part in re.split(self.language.words.list_separators, after)]
        before = text[: found.start()]
        if not any(items):  # "…, ana absent", "… - Nerea and Olivia were off": the names come before
            tail = re.split(r"[,:;|–—]|\s-\s", before)[-1]
            said = [self._listed(part) for part in re.split(self.language.words.list_separators, tail)]
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
            if rival and draft.prefer & {best.kind, rival[0].kind} == {rival[0].kind}:
                best, span, arg = rival  # the kind the conversation is about
                rival = None
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
        names = await meeting(ctx, day)
        if names is None:
            return
        if len(names) == 1:
            draft.args["group"] = names[0]
            draft.args.setdefault(_date_arg(draft.intent), day.isoformat())
        elif names:
            draft.ask_which_group(names, day, self.language.messages)
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


def _said_group(found: re.Match[str]) -> int:
    """The group of a capture that matched (a pattern may say the same thing two ways)."""
    return next((i for i in range(1, (found.lastindex or 1) + 1) if found.group(i) is not None), 1)


def _overlap(one: str, other: str) -> bool:
    """Whether two spans of what was said share a word (then they are one name, read two ways)."""
    return bool(set(one.split()) & set(other.split()))


def _period_of(args: dict[str, Any]) -> dates.When:
    """The period a call's arguments cover, as if said again ("that month")."""
    month, start, end = args.get("month"), args.get("start"), args.get("end")
    try:
        if isinstance(month, str):
            return dates.When(month=date.fromisoformat(f"{month}-01"))
        if isinstance(start, str) and isinstance(end, str):
            return dates.When(start=date.fromisoformat(start), end=date.fromisoformat(end))
    except ValueError:
        pass
    return dates.When()


def _date_arg(intent: Intent) -> str:
    return (intent.slots.date.arg if intent.slots.date else None) or "date"
