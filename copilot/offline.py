"""The offline planner: English or Spanish (any language file) to a tool call, with no network and no model.

1. Refusals (every language's), then "yes"/"no" to a pending action.
2. The intent, from what the sentence is about: the first intent whose patterns match, unless the names
   said overrule it (a student in a list's question is that student's); else the words around a name
   ("paula's pay"); else a follow-up of the last call (copilot/following.py); else fuzzy keywords and the
   nearest exemplars from pgvector; else "I can't help with that". A role refused is told so at once.
3. The arguments (copilot/filling.py): captures (amounts, reasons, note text), dates and periods, lists
   ("everyone except …"), the organization's own names, and the conversation's subject.
4. A required argument missing, two names too close, or a name that is nobody's: a short question,
   remembered so the answer completes the call.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from typing import Any

from copilot import retrieval, spreadsheets
from copilot.detect import Languages
from copilot.filling import TOKEN, Draft
from copilot.following import Following
from copilot.language import Intent, Kind, Language, every, load
from copilot.names import Directory
from copilot.planner import Decision, DecisionKind, Memory
from copilot.spotting import Found, NameSpotter, close
from domain.errors import DomainError, Forbidden
from domain.orgs.permissions import is_office
from domain.teachers.service import teacher_for_user
from domain.text import fold
from tools import resolve
from tools.base import ToolContext, ToolKind
from tools.catalog import CATALOG

MY_NEXT_CLASS = "my_next_class"
EXEMPLAR_FLOOR = 0.35  # nearer exemplars than this vote for their intent
ENOUGH = 1.0  # the least evidence for an intent without a pattern


class OfflinePlanner(Following):
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
        asked = spreadsheets.file_asked(lang.words, folded)
        if asked is not None:
            return await self._as_file(ctx, asked, memory)
        for refusal in self._refusals:
            if re.search(refusal.pattern, folded):
                said = getattr(lang.messages, refusal.message, None) or lang.messages.out_of_scope
                return Decision(DecisionKind.REFUSE, text=said)
        directory = await Directory.load(ctx)
        intent = self._by_pattern(folded)
        # Never turns a write into a read, nor a report (its own rows of every aspect) into an overview
        if intent is None or (
            CATALOG[intent.tool].kind is ToolKind.READ
            and intent.tool not in self.language.words.whole_already
        ):
            intent = self._overview(directory, folded) or intent
        if intent is not None:
            intent, question = self._narrowed(intent, directory, folded)
            if question:
                return Decision(DecisionKind.CLARIFY, tool=intent.tool, text=question)
        followup = self._goes_on(folded)
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
        if self._money_of_a_student(ctx, intent, folded):  # a teacher sees her students, not their money
            return Decision(DecisionKind.REFUSE, text=self._not_for_role(intent, "money"))
        instead = self.language.for_role_instead.get(intent.tool)
        swap = (
            instead if instead and not offered(ctx, intent.tool) and re.search(instead.when, folded) else None
        )
        if not offered(ctx, swap.tool if swap else intent.tool):  # refused now, not at confirm
            return Decision(DecisionKind.REFUSE, text=self._not_for_role(intent))
        draft = await self._fill(ctx, directory, Draft(intent), utterance, memory)
        decision = self._decide(draft)
        if decision.kind is DecisionKind.CLARIFY and decision.awaiting and not is_office(ctx.tenant):
            refused = await self._not_theirs(ctx, decision.args)  # no "why is it cancelled?" first
            if refused is not None:
                return Decision(DecisionKind.REFUSE, text=refused)
        if await self._my_next_class(ctx, folded, decision):
            return Decision(DecisionKind.TOOL, tool=MY_NEXT_CLASS, args={})
        if swap is not None and decision.kind is DecisionKind.TOOL:
            taken = CATALOG[swap.tool].args.model_fields
            decision = Decision(
                DecisionKind.TOOL, tool=swap.tool, args={k: v for k, v in decision.args.items() if k in taken}
            )
        return decision

    def _overview(self, directory: Directory, folded: str) -> Intent | None:
        """ "How's Natalia doing, attendance and money?", "¿Cómo están los grupos? Tamaño, altas, bajas":
        two aspects or more of one student or of the groups are the overview, not the first aspect."""
        words = self.language.words
        if sum(1 for aspect in words.aspects if re.search(aspect, folded)) < 2:
            return None
        kinds = {m.kind for m, _, _ in self.spot.names_said(directory, folded)}
        if "student" in kinds and kinds <= {"student"}:
            return self.language.intent("student_overview")
        if not kinds - {"group"} and re.search(words.groups_word, folded):
            return self.language.intent("group_health")
        return None

    async def _my_next_class(self, ctx: ToolContext, folded: str, decision: Decision) -> bool:
        """A teacher's "(my) next class" (when, or who is in it) is her own next class, by the tool made
        for it; the office's "the next class" stays the schedule's, unless someone of the office who
        also teaches (an independent teacher) says "my"."""
        mine = self.language.words.my_next_class
        named = [fold(str(decision.args[k])) for k in ("group", "teacher", "venue") if k in decision.args]
        if not (
            decision.kind is DecisionKind.TOOL
            and decision.tool in ("schedule", "group_roster")
            and offered(ctx, MY_NEXT_CLASS)
            and mine is not None
            and re.search(mine, folded) is not None
            # "the next Zouk class" names its group: that group's next class, not hers
            and not any(all(w in folded.split() for w in name.split()) for name in named)
        ):
            return False
        if not is_office(ctx.tenant):
            return True
        said_mine = re.search(self.language.words.mine, folded) is not None
        user = ctx.tenant.user_id
        return (
            said_mine
            and user is not None
            and await teacher_for_user(ctx.session, ctx.tenant, user) is not None
        )

    async def _not_theirs(self, ctx: ToolContext, args: dict[str, Any]) -> str | None:
        """A teacher's group that is not hers (nor one she stands in for that day), said as a refusal."""
        said = args.get("group")
        if not isinstance(said, str):
            return None
        day = args.get("date")
        try:
            await resolve.group(ctx, said, on=date.fromisoformat(day) if isinstance(day, str) else None)
        except Forbidden:
            return self.language.messages.not_your_group.format(group=said)
        except DomainError:  # nobody's name, or several: the question that follows says so
            return None
        return None

    async def _as_file(self, ctx: ToolContext, asked: spreadsheets.FileAsked, memory: Memory) -> Decision:
        """A list as a file: the one said in the sentence, else the last answer's; else which list."""
        if asked.rest:
            fresh = dataclasses.replace(memory, awaiting=None)
            inner = await self.plan(ctx, asked.rest, fresh, pending=False)
            if inner.kind is not DecisionKind.TOOL or inner.tool is None:
                return inner  # a question back or a refusal about the list itself
            args = spreadsheets.of_call(inner.tool, inner.args, asked.format)
            if args is not None:
                return Decision(DecisionKind.TOOL, tool=spreadsheets.TOOL, args=args)
            return inner
        args = spreadsheets.of_last_answer(memory, asked.format)
        if args is None:
            which = self.language.messages.which_list_as_file
            return Decision(DecisionKind.CLARIFY, tool=spreadsheets.TOOL, text=which)
        return Decision(DecisionKind.TOOL, tool=spreadsheets.TOOL, args=args)

    def reply_to_pending(self, utterance: str, *, pending: bool) -> str | None:
        """ "confirm" or "cancel" when the words answer a pending action, else None."""
        if self.by_language:
            code = self.languages.pick(utterance).language
            return self.by_language[code].reply_to_pending(utterance, pending=pending)
        decision = self._reply_to_pending(fold(utterance), pending)
        if decision is None or decision.kind not in (DecisionKind.CONFIRM, DecisionKind.CANCEL):
            return None
        return "confirm" if decision.kind is DecisionKind.CONFIRM else "cancel"

    def _money_of_a_student(self, ctx: ToolContext, intent: Intent, folded: str) -> bool:
        money = self.language.words.money
        return (
            intent.tool == "student_overview"
            and not is_office(ctx.tenant)
            and money is not None
            and re.search(money, folded) is not None
        )

    def _not_for_role(self, intent: Intent, action: str | None = None) -> str:
        actions = self.language.messages.role_actions
        what = actions.get(action or intent.tool, intent.tool.replace("_", " "))
        return self.language.messages.not_for_role.format(what=what)

    def _reply_to_pending(self, folded: str, pending: bool) -> Decision | None:
        said = " ".join(TOKEN.findall(folded.replace("'", "")))
        words = self.language.words
        if said in {fold(w).replace("'", "") for w in words.yes}:
            if pending:
                return Decision(DecisionKind.CONFIRM)
            return Decision(DecisionKind.REFUSE, text=self.language.messages.nothing_pending)
        if pending and said in {fold(w).replace("'", "") for w in words.no}:
            return Decision(DecisionKind.CANCEL)
        return None

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
        for segment in self.spot.segments(folded, directory.words):
            if all(w in directory.words_of[kind] for w in segment.split()) and directory.match(kind, segment):
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

    @staticmethod
    def _best_kind(found: list[Found]) -> Kind:
        return max(found, key=lambda f: f[0].score)[0].kind

    def _route_words(self, found: list[Found], folded: str) -> list[str]:
        in_names = {w for _, span, _ in found for w in span.split()}  # "Sala Sur" is no "salary"
        return [t for t in TOKEN.findall(folded) if t not in in_names and len(t) >= 3]

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
        tokens = [t for t in TOKEN.findall(folded) if len(t) >= 4]
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


def offered(ctx: ToolContext, tool: str) -> bool:
    """Whether the asker's role is offered this tool (services still check every rule themselves)."""
    catalogued = CATALOG.get(tool)
    return catalogued is not None and (ctx.tenant.is_admin or ctx.tenant.role in catalogued.roles)
