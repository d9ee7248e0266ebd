"""Matching a whole statement fast: each line is scored only against the students it could score for.

``matching.propose`` scores a line against every active student, and on a 50,000-line statement that
was most of the import (5 ms a line for a school of 220). But a student's score is made of two parts
that are zero for almost everyone, and can be known to be zero without scoring:

* the name part is zero unless some word of the student's or a guardian's name matches a word of the
  line (``_token_match``: the same word, a typo of it, an initial or a truncation) — an index from
  every name word to its students, and a per-word cache of which name words a line word matches
  (rapidfuzz ``cdist`` over the whole vocabulary at once), give those students directly;
* the amount part is zero unless the line's amount is one open charge, the sum of all of them, or the
  sum of the charges due around the line's date — a run of consecutive charges when they are sorted
  by due date, as ``service._candidates`` returns them — so an index from every such sum gives them.

Everyone else scores exactly 0 with no reasons, is never shown, and as a runner-up counts as 0: the
proposal is the same as ``propose``'s (``tests/domain/money/test_bank_shortlist.py`` compares them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import islice

from rapidfuzz import fuzz, process

from domain.banking.formats.lines import ParsedLine
from domain.banking.matching import (
    SAME_TOKEN,
    Candidate,
    NamePart,
    Proposal,
    Scored,
    Texts,
    _amount_part,
    _name_part,
    _person,
    _scored,
    _texts,
    decide,
)
from domain.banking.models import LineStatus

# A student with more open charges than this is always scored (the runs of charges grow as n²).
MOST_CHARGES_INDEXED = 60
# Line words remembered (a payer's name comes back line after line; a reference number never does).
WORDS_REMEMBERED = 100_000
# Line shapes remembered (name matches; amount and day): each may hold dozens of scored students, so fewer.
SHAPES_REMEMBERED = 10_000
NO_NAME: NamePart = (0.0, "")
NO_AMOUNT = (0.0, "")


class Matcher:
    """``propose`` for many lines against the same candidates (one statement import)."""

    def __init__(self, candidates: Sequence[Candidate]) -> None:
        self.candidates = list(candidates)
        self.by_word: dict[str, set[int]] = defaultdict(set)
        self.by_amount: dict[Decimal, set[int]] = defaultdict(set)
        self.always: set[int] = set()
        for index, candidate in enumerate(self.candidates):
            for alias in candidate.aliases:
                person = _person(alias)
                for word in (*person.given, *person.surnames):
                    self.by_word[word].add(index)
            self._index_amounts(index, candidate)
        self.long_words = [word for word in self.by_word if len(word) > 3]
        # ``_token_match``: a line word of one letter, or of four or more, matches the name words it begins
        self.by_prefix: dict[str, set[str]] = defaultdict(set)
        for word in self.by_word:
            for size in (1, *range(4, len(word) + 1)):
                self.by_prefix[word[:size]].add(word)
        self.hits: dict[str, frozenset[str]] = {}
        self.named: dict[tuple[tuple[str, float, float, float], ...], Named] = {}
        self.owed: dict[tuple[Decimal, date], Owed] = {}

    def _index_amounts(self, index: int, candidate: Candidate) -> None:
        owed = candidate.owed
        dues = [due for _, due in owed]
        if len(owed) > MOST_CHARGES_INDEXED or dues != sorted(dues):
            self.always.add(index)  # charges out of date order: "around that date" is not one run
            return
        for start in range(len(owed)):
            total = Decimal(0)
            for amount, _ in owed[start:]:
                total += amount
                self.by_amount[amount].add(index)
                self.by_amount[total].add(index)

    def _remember(self, words: list[str]) -> None:
        """Which name words each new line word matches (``_token_match`` > 0), all at once."""
        new = list(dict.fromkeys(word for word in words if word not in self.hits))
        if not new:
            return
        if len(self.hits) > WORDS_REMEMBERED:
            self.hits.clear()
        similar = (
            process.cdist(new, self.long_words, scorer=fuzz.ratio, score_cutoff=SAME_TOKEN, workers=1)
            if self.long_words
            else None
        )
        for row, word in enumerate(new):
            found = set(self.by_prefix.get(word, ())) if len(word) == 1 or len(word) >= 4 else set()
            if word in self.by_word and len(word) <= 3:
                found.add(word)
            if similar is not None:
                found.update(self.long_words[column] for column in similar[row].nonzero()[0])
            self.hits[word] = frozenset(found)

    def _named(self, texts: Texts) -> Named:
        """The name part of every candidate the line names — the same for every line whose words match the
        students' name words alike (a payer who pays every month, a company's name), so it is worked out
        once per such set of matches, with those candidates ranked as if nothing else scored."""
        payer, reference, together = (text for text, _, _ in texts)
        self._remember(list(together))
        words = sorted({name_word for word in together for name_word in self.hits[word]})
        key = tuple((word, payer.match(word), reference.match(word), together.match(word)) for word in words)
        named = self.named.get(key)
        if named is None:
            if len(self.named) > SHAPES_REMEMBERED:
                self.named.clear()
            chosen = sorted({index for word in words for index in self.by_word[word]})
            parts = {index: _name_part(self.candidates[index], texts) for index in chosen}
            parts = {index: part for index, part in parts.items() if part[0]}
            alone = [
                (index, _scored(self.candidates[index], part, NO_AMOUNT)) for index, part in parts.items()
            ]
            named = self.named[key] = Named(parts, sorted(alone, key=_rank))
        return named

    def _owed(self, line: ParsedLine) -> Owed:
        """The amount part of every candidate the line's amount and date pay for — the same for every line
        of that amount booked that day, so worked out once per (amount, day)."""
        key = (line.amount, line.booked_on)
        owed = self.owed.get(key)
        if owed is None:
            if len(self.owed) > SHAPES_REMEMBERED:
                self.owed.clear()
            chosen = sorted(self.by_amount.get(line.amount, set()) | self.always)
            parts = {index: _amount_part(line, self.candidates[index]) for index in chosen}
            parts = {index: part for index, part in parts.items() if part[0]}
            alone = [(index, _scored(self.candidates[index], NO_NAME, part)) for index, part in parts.items()]
            owed = self.owed[key] = Owed(parts, sorted(alone, key=_rank))
        return owed

    def propose(self, line: ParsedLine, *, keep: int = 5) -> Proposal:
        if line.amount <= 0:
            return Proposal(LineStatus.IGNORED, None, ())
        named, owed = self._named(_texts(line)), self._owed(line)
        both = named.parts.keys() & owed.parts.keys()
        ranked = [
            (index, _scored(self.candidates[index], named.parts[index], owed.parts[index])) for index in both
        ]
        # everyone else scores on their name alone or on the amount alone: enough of each for ``decide``
        for alone in (named.ranked, owed.ranked):
            ranked.extend(islice((pair for pair in alone if pair[0] not in both), keep + 1))
        return decide([scored for _, scored in sorted(ranked, key=_rank)], keep=keep)


def _rank(pair: tuple[int, Scored]) -> tuple[float, str, int]:
    """``propose``'s order (best score, then name), ties in the candidates' order as its stable sort."""
    return (-pair[1].score, pair[1].name, pair[0])


@dataclass(frozen=True)
class Named:
    parts: dict[int, NamePart]  # candidate position → name part, for those the line names
    ranked: list[tuple[int, Scored]]  # those candidates scored on their name alone, best first


@dataclass(frozen=True)
class Owed:
    parts: dict[int, tuple[float, str]]  # candidate position → amount part, for those the amount pays
    ranked: list[tuple[int, Scored]]  # those candidates scored on the amount alone, best first
