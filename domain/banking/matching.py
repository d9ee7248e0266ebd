"""Who sent this transfer? A confidence score from names, references, amounts — proposals, never decisions.

Names are compared as whole names in any order, token by token (rapidfuzz, so typos and truncation
count): Spanish payers write "SURNAME1 SURNAME2 GIVEN-NAME", and a parent paying for a child is the
payer while the reference names the child. For the student and each guardian the best of the payer,
the reference and both together is taken:

* a given name and the surnames: strong (1.0; 0.9 with only some of the surnames);
* an initial or a truncated name ("A. Garc"): 0.6;
* surnames without a given name: weak (0.45 for two or more, 0.25 for one shared surname);
* a given name alone: 0.2.

The name contributes up to 0.75 to the score; the amount equal to what the student owes on a charge
due within 60 days of the transfer adds 0.2 (an amount that matches only an older or later charge
adds 0.1). A line is *proposed* only when the best candidate is confident (≥ 0.75) and clearly ahead
of the next (by 0.15); otherwise a human picks among the candidates shown (score ≥ 0.3, up to five).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from rapidfuzz import fuzz, process

from domain.banking.formats.lines import ParsedLine
from domain.banking.models import LineStatus
from domain.text import fold

CONFIDENT = 0.75
LEAD = 0.15
WORTH_SHOWING = 0.3
AMOUNT_WINDOW_DAYS = 60
NAME_WEIGHT = 0.75
SAME_TOKEN = 85  # rapidfuzz ratio at which two name tokens are the same word with a typo
# Joining words in Spanish names that say nothing about who it is ("María de la Fuente").
PARTICLES = frozenset({"de", "del", "la", "las", "los", "y", "i", "e", "van", "von", "da", "dos"})


@dataclass(frozen=True)
class Candidate:
    student_id: uuid.UUID
    name: str
    aliases: tuple[str, ...]  # folded names: the student's first, then their guardians'
    owed: tuple[tuple[Decimal, date], ...]  # (outstanding, due date) of open charges, oldest first


@dataclass(frozen=True)
class Scored:
    student_id: uuid.UUID
    name: str
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Proposal:
    status: LineStatus
    best: Scored | None
    candidates: tuple[Scored, ...]


@dataclass(frozen=True)
class PersonName:
    given: tuple[str, ...]
    surnames: tuple[str, ...]

    @classmethod
    def of(cls, folded: str) -> PersonName:
        """Spanish convention: the last two words are the surnames when there are three or more."""
        words = [w for w in _words(folded) if w not in PARTICLES]
        if len(words) <= 1:
            return cls(tuple(words), ())
        cut = len(words) - 2 if len(words) >= 3 else 1
        return cls(tuple(words[:cut]), tuple(words[cut:]))


def _words(text: str) -> list[str]:
    return "".join(c if c.isalnum() else " " for c in fold(text)).split()


@lru_cache(maxsize=16_384)
def _person(alias: str) -> PersonName:
    """A candidate's name taken apart once, not once per statement line (a 50,000-line import)."""
    return PersonName.of(alias)


def _token_match(word: str, text_words: Sequence[str]) -> float:
    """1.0 for the same word (typos allowed), 0.6 for an initial or a truncated form, else 0."""
    if not text_words:
        return 0.0
    if len(word) > 3:
        found = process.extractOne(word, text_words, scorer=fuzz.ratio, score_cutoff=SAME_TOKEN)
        if found is not None:
            return 1.0
    elif word in text_words:
        return 1.0
    for candidate in text_words:
        if len(candidate) == 1 and word.startswith(candidate):
            return 0.6
        if len(candidate) >= 4 and word.startswith(candidate):
            return 0.6
    return 0.0


class Words(list[str]):
    """A line's words, remembering how well each candidate word matched them: the same given names and
    surnames come back across a school's students, and a statement line is scored against all of them."""

    def __init__(self, words: Sequence[str]) -> None:
        super().__init__(words)
        self.seen: dict[str, float] = {}

    def match(self, word: str) -> float:
        if word not in self.seen:
            self.seen[word] = _token_match(word, self)
        return self.seen[word]


def name_level(name: PersonName, text_words: Sequence[str]) -> float:
    """How strongly ``text_words`` name this person (the levels in the module docstring)."""
    words = text_words if isinstance(text_words, Words) else Words(text_words)
    given = max((words.match(w) for w in name.given), default=0.0)
    surname_hits = [words.match(w) for w in name.surnames]
    surnames = [hit for hit in surname_hits if hit]
    if given and surnames:
        if given == 1.0 and min(surnames) == 1.0:
            return 1.0 if len(surnames) == len(name.surnames) else 0.9
        return 0.6
    if surnames and all(hit == 1.0 for hit in surnames):
        return 0.45 if len(surnames) >= 2 else 0.25
    if given == 1.0:
        return 0.2
    return 0.0


def score(line: ParsedLine, candidate: Candidate) -> Scored:
    return _score(line, candidate, _texts(line))


Texts = tuple[tuple[Words, str, float], ...]


def _texts(line: ParsedLine) -> Texts:
    """The line's words, read once per line rather than once per candidate."""
    payer, reference = _words(line.payer_name or ""), _words(line.reference or "")
    return (
        (Words(payer), "the payer", 1.0),
        (Words(reference), "the reference", 1.0),
        (Words(payer + reference), "payer and reference together", 0.9),
    )


NamePart = tuple[float, str]  # (the best name level, the reason it gives) — (0.0, "") when nobody is named


def _name_part(candidate: Candidate, texts: Texts) -> NamePart:
    best, where, who = 0.0, "", candidate.name
    together = texts[-1][0]  # payer and reference: whatever either names, this names too
    for index, alias in enumerate(candidate.aliases):
        person = _person(alias)
        if not any(together.match(word) for word in (*person.given, *person.surnames)):
            continue  # no word of this name anywhere in the line: every level is 0 (most candidates)
        for text, label, discount in texts:
            level = name_level(person, text) * discount
            if level > best:
                best, where, who = level, label, candidate.name if index == 0 else f"guardian {alias}"
    return (best, f"{who} named in {where} ({best:.0%})") if best else (0.0, "")


def _amount_part(line: ParsedLine, candidate: Candidate) -> tuple[float, str]:
    amounts = [amount for amount, _ in candidate.owed]
    near = [
        amount for amount, due in candidate.owed if abs((line.booked_on - due).days) <= AMOUNT_WINDOW_DAYS
    ]
    if line.amount in near or (near and line.amount == sum(near)):
        return 0.2, "amount equals what is owed around that date"
    if line.amount in amounts or (amounts and line.amount == sum(amounts)):
        return 0.1, "amount equals an older or later charge"
    return 0.0, ""


def _scored(candidate: Candidate, name: NamePart, amount: tuple[float, str]) -> Scored:
    total = NAME_WEIGHT * name[0] + amount[0]
    reasons = tuple(reason for reason in (name[1], amount[1]) if reason)
    return Scored(candidate.student_id, candidate.name, round(total, 3), reasons)


def _score(line: ParsedLine, candidate: Candidate, texts: Texts) -> Scored:
    return _scored(candidate, _name_part(candidate, texts), _amount_part(line, candidate))


def propose(line: ParsedLine, candidates: Sequence[Candidate], *, keep: int = 5) -> Proposal:
    if line.amount <= 0:
        return Proposal(LineStatus.IGNORED, None, ())
    texts = _texts(line)
    ranked = sorted((_score(line, c, texts) for c in candidates), key=lambda s: (-s.score, s.name))
    return decide(ranked, keep=keep)


def decide(ranked: Sequence[Scored], *, keep: int = 5) -> Proposal:
    """The status from the ranked scores: candidates left out of ``ranked`` must all score 0."""
    shown = tuple(s for s in ranked[:keep] if s.score >= WORTH_SHOWING)
    if not shown:
        return Proposal(LineStatus.UNMATCHED, None, ())
    best = shown[0]
    runner_up = ranked[1].score if len(ranked) > 1 else 0.0
    if best.score >= CONFIDENT and best.score - runner_up >= LEAD:
        return Proposal(LineStatus.PROPOSED, best, shown)
    return Proposal(LineStatus.AMBIGUOUS, None, shown)
