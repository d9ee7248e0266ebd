"""A language for the offline planner, loaded from ``copilot/languages/<code>.yaml`` (data, not code)."""

from __future__ import annotations

import re
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.text import fold
from domain.yaml_files import load_yaml

LANGUAGES = Path(__file__).resolve().parent / "languages"
Kind = Literal["student", "group", "teacher", "venue"]


class Capture(BaseModel):
    model_config = ConfigDict(ignored_types=(cached_property,))

    regex: str
    required: bool = False
    kind: Kind | None = None  # the captured words name a student, group or teacher
    map: dict[str, str] = Field(default_factory=dict)  # said → argument value
    keep_case: bool = False
    fallback: Literal["whole"] | None = None  # use the whole utterance when nothing matches
    # Words to take out, not to use: the teacher being replaced in "Liam is off, Iker will take it".
    # With a kind, only the name of that kind found in the captured words is taken out.
    ignore: bool = False

    @cached_property
    def compiled(self) -> re.Pattern[str]:
        return re.compile(self.regex, re.IGNORECASE)


class EntitySlot(BaseModel):
    kind: Kind
    arg: str
    required: bool = False


class DateSlot(BaseModel):
    form: Literal["day", "day_or_week", "month", "period", "since"]
    arg: str | None = None
    week_arg: str | None = None
    required: bool = False
    future: bool = False  # a bare weekday means the next one, not the last one


class ListSlot(BaseModel):
    arg: str
    after: Literal["except"]
    kind: Kind


class Slots(BaseModel):
    entities: list[EntitySlot] = Field(default_factory=list)
    one_entity: bool = False  # at most one of the entities (e.g. a student or a group)
    date: DateSlot | None = None
    captures: dict[str, Capture] = Field(default_factory=dict)
    names_list: ListSlot | None = Field(default=None, alias="list")
    group_from_weekday: bool = False  # "Tuesday's class" names the group by its day
    next_arg: str | None = None  # the tool's own "only the next class" argument ("my next class")


class Intent(BaseModel):
    model_config = ConfigDict(ignored_types=(cached_property,))

    tool: str
    patterns: list[str]
    keywords: dict[str, float] = Field(default_factory=dict)
    exemplars: list[str] = Field(default_factory=list)
    slots: Slots = Field(default_factory=Slots)

    @cached_property
    def compiled(self) -> list[re.Pattern[str]]:
        return [re.compile(p) for p in self.patterns]


class RoleInstead(BaseModel):
    tool: str
    when: str  # the words (regex, after folding) that make it that tool


class Refusal(BaseModel):
    pattern: str
    message: str


class Words(BaseModel):
    months: dict[str, int]
    weekdays: dict[str, int]
    relative_days: dict[str, int]
    periods: dict[str, str]
    last_n_days: str
    past_marker: list[str]
    future_marker: list[str]
    yes: list[str]
    no: list[str]
    followup: str
    except_: str = Field(alias="except")
    list_separators: str
    stopwords: list[str]
    # Phone spelling read as the words it stands for before anything else ("whos" → "who is", "tmrw").
    shorthand: dict[str, str] = Field(default_factory=dict)
    # The words of the organization's names as people translate them ("zouk avanzado" is "Zouk
    # Advanced"): used to find names, never in the words a capture keeps (a note's text).
    name_synonyms: dict[str, str] = Field(default_factory=dict)
    # Contractions spelled out (regex → replacement): "who's in" is "who is in"; "Paula's" stays hers.
    contractions: dict[str, str] = Field(default_factory=dict)
    # In a follow-up, the period before or after the last one asked about ("and the week after?").
    shift_back: str = r"\b(the )?(month|week|day) before\b|\bprevious (month|week|day)\b"
    shift_ahead: str = r"\b(the )?(month|week|day) after\b|\bfollowing (month|week|day)\b"
    fix_calendar_typos: bool = True  # "octobr" is October (off where months look like names)
    also: str = r"\b(too|as well|also)\b"  # "and Rocío too": the same again for someone else
    whole_week: str = r"\b(the whole|all|that|the full|the entire|whole) week\b"  # of the last day asked
    # Words that point back at the person or group of the last answer ("send her a reminder").
    pronouns: list[str] = Field(default_factory=list)
    # How dates are said around the names of days and months (the defaults are English's).
    range_until: str = r"to|until|till|through|-|–"  # "December 24 to January 6"
    range_and: str = r"and|&"  # "the 7th and 8th of December": both days, a range for a closure
    article: str = r"the"  # "from the 14th to the 16th"
    day_word: str = r"on the"  # "the 3rd" is also said "on the 3rd" ("el dia 3" in Spanish)
    since: str = r"since|ever since"  # "since September": from its first day until today
    until_today: str = r"today|now|date"  # "from September to today"
    ordinals: str = "st|nd|rd|th"  # "the 8th"
    of: str = "of"  # "8th of December"
    month_prefix: str = "in"  # "in October"
    year_prefix: str = "in|for|during|throughout|of"  # "in 2025": the whole year
    weekday_prefix: str = "on"  # "on Tuesday"
    markers_follow: bool = False  # the marker may come after the day too: "el martes pasado"
    not_dates: list[str] = Field(default_factory=list)  # "por la mañana" (morning) is no "mañana" (tomorrow)
    # A class said by when it is (copilot/class_refs.py): "my next class"; "the 6pm class" — each
    # pattern names its groups ``hour`` and optionally ``minute``, ``half`` ("y media"), ``ampm``.
    next_class: str | None = None
    # Several students said by one first name ("both Léas", "las dos Saras"): kept for the tool, which
    # takes every one of them in the class (tools/resolve.py, ``all_among``).
    both: str = r"^(?:both|the two|the 2)\s+(?=\w)"
    # Aspects of a person or a group (attendance, money, size, joiners and leavers, trend): a question
    # about two or more of them is the overview (a student's, or the groups' health), not one aspect.
    aspects: list[str] = Field(default_factory=list)
    groups_word: str = r"\bgroups?\b"
    whole_already: list[str] = Field(default_factory=lambda: ["report"])  # tools that cover every aspect
    # A teacher's own next class ("my next class"): the tool made for it, with who is in it.
    my_next_class: str | None = None
    mine: str = r"\bmy\b"  # the asker's own ("my next class"), said outright
    money: str | None = None  # a student's money asked about: for the office (a teacher is refused)
    # The period of the last answer said again for another question ("how many classes did she teach
    # that month?"): the dates of the last call are used.
    that_period: str = r"\b(that|the same) (month|period|week)\b"
    class_at: list[str] = Field(default_factory=list)
    # A list asked for as a file (copilot/spreadsheets.py): the words that ask for the file, and the
    # request around them ("send me that") that is no question of its own.
    spreadsheet: str | None = None
    # Dance styles: one said where the question takes a group and no group here has it in its name
    # ("attendance in the ballet class") is a name that is nobody's, never the whole school's answer.
    styles: list[str] = Field(default_factory=list)
    spreadsheet_request: str | None = None


class Messages(BaseModel):
    out_of_scope: str
    delete: str
    cross_tenant: str
    ask: dict[str, str]
    which_kind: str
    nothing_pending: str
    tuesday_class_none: str
    tuesday_class_many: str
    # A class said by its time or as "the next one", and none fits (copilot/class_refs.py).
    no_class_then: str = "I can't find a class then. Which group or class?"
    # A teacher asks to do something for a class that is not hers: said before any question about it.
    not_your_group: str = (
        "{group} isn't one of your classes, so that is for the office. Ask an admin or office staff."
    )
    # A file asked for with no list said and none answered before it.
    which_list_as_file: str = (
        "Which list would you like as a spreadsheet? For example: who hasn't paid this month."
    )
    refund: str | None = None  # a language may refuse more things, each with its own message
    # A name was said that is nobody's here: said so, never dropped or swapped for someone else's.
    not_found: str = "I couldn't find “{said}” here. Who or which group did you mean?"
    # Asked of someone whose role may not do or see it: said before any preview or question about it.
    not_for_role: str = "That is for the office: your role can't {what}. Ask an admin or office staff."
    role_actions: dict[str, str] = Field(default_factory=dict)
    # "the teacher Sofía Castro or a student called Sofia?"
    this_one: str = "the {kind} {name}"
    one_called: str = "a {kind} called {name}"
    either: str = " or "
    kinds: dict[str, str] = Field(default_factory=dict)  # tool → what it does, for not_for_role


class EntityRoute(BaseModel):
    """When no pattern fits: a name of some kind was said, and these words (or none: the default) say
    what about it ("Zouk Advanced" → its roster; "Paula's pay" → her payout)."""

    tool: str
    words: list[str] = Field(default_factory=list)


class Language(BaseModel):
    model_config = ConfigDict(ignored_types=(cached_property,))

    language: str
    words: Words
    messages: Messages
    refusals: list[Refusal]
    intents: list[Intent]
    by_entity: dict[Kind, list[EntityRoute]] = Field(default_factory=dict)
    # A pattern's intent that becomes another when a name of some kind is said: "does Ana owe
    # anything" is Ana's balance, not the whole school's unpaid list.
    when_named: dict[str, dict[Kind, str]] = Field(default_factory=dict)
    # ...unless these words say the intent was meant after all ("Alba Campos's *students* who owe").
    when_named_unless: dict[str, str] = Field(default_factory=dict)
    # What a role that may not make a write makes instead, when these words are said: a teacher's "Ana
    # paid me 45 in cash" is cash reported for the office to verify (report_cash), not a payment.
    for_role_instead: dict[str, RoleInstead] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _refusals_have_messages(self) -> Language:
        for refusal in self.refusals:
            if not isinstance(getattr(self.messages, refusal.message, None), str):
                raise ValueError(f"refusal {refusal.pattern!r} names no message {refusal.message!r}")
        return self

    def intent(self, tool: str) -> Intent | None:
        return next((i for i in self.intents if i.tool == tool), None)

    @cached_property
    def command_words(self) -> frozenset[str]:
        """Words that are never part of a name: stopwords, keywords and the patterns' words."""
        words = set(self.words.stopwords)
        for intent in self.intents:
            words.update(w for k in intent.keywords for w in k.split())
            for pattern in intent.patterns:
                words.update(re.findall(r"[a-z]{3,}", re.sub(r"\\[a-zA-Z]", " ", pattern)))
        words.update(self.words.months, self.words.weekdays, self.words.past_marker, self.words.future_marker)
        return frozenset(words)

    @cached_property
    def vocabulary(self) -> frozenset[str]:
        """Every word this language's file knows (for telling languages apart): the command words,
        yes and no, and the words of relative days and periods."""
        said = [*self.words.yes, *self.words.no, *self.words.relative_days, *self.words.periods]
        said += self.words.not_dates
        # The words of what it refuses too: "refund Samuel León 40 euros" is English for its "refund",
        # however Spanish its names sound.
        refused = {
            w for r in self.refusals for w in re.findall(r"[a-z]{3,}", re.sub(r"\\[a-zA-Z]", " ", r.pattern))
        }
        return self.command_words | refused | {w for p in said for w in re.findall(r"[a-z0-9]+", fold(p))}


@lru_cache
def load(code: str = "en") -> Language:
    path = LANGUAGES / f"{code}.yaml"
    return Language.model_validate(load_yaml(path.read_text(encoding="utf-8")))


def every() -> tuple[Language, ...]:
    """All the language files, English (the default) first."""
    codes = sorted((p.stem for p in LANGUAGES.glob("*.yaml")), key=lambda code: (code != "en", code))
    return tuple(load(code) for code in codes)
