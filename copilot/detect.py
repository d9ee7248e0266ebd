"""Which language a message is written in, so the offline planner reads it with the right file.

Two signals, because staff write short phone messages ("q clases hay mñn", "quien no ha pagado"):

- a vote of each language's own words: every word of the message that only one language file knows
  (its stopwords, command words, dates, yes/no, phone spelling) is one vote for that language;
- py3langid (langid.py's model, shipped inside the wheel: offline, deterministic), restricted to the
  languages we have files for, as the tie-breaker worth less than one word.

A message with no word of any language ("ana garcia", "ok") keeps the conversation's language when
there is one (the answer to a question, a follow-up), and otherwise goes by py3langid alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from copilot.language import Language
from copilot.planner import Memory
from domain.text import fold

_WORD = re.compile(r"[a-z0-9]+")
LANGID_WEIGHT = 0.9  # py3langid's probability is worth less than one of the language's own words


@lru_cache
def _identifier(codes: tuple[str, ...]) -> Any:
    # Imported when first asked: py3langid brings numpy, and most messages are decided by their words.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # type: ignore[import-untyped]

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(codes))
    return identifier


class Languages:
    """The languages the planner can read, and which one each message is in."""

    def __init__(self, languages: Sequence[Language]) -> None:
        if not languages:
            raise ValueError("at least one language")
        self.languages = {language.language: language for language in languages}
        self.default = languages[0]
        self._own = {
            code: language.vocabulary.difference(
                *(other.vocabulary for other in languages if other is not language)
            )
            for code, language in self.languages.items()
        }

    def scores(self, utterance: str) -> dict[str, float]:
        """Each language's own words in the message, plus py3langid's probability (below one word)."""
        tokens = _WORD.findall(fold(utterance))
        scores = self._votes(tokens)
        if len(scores) > 1 and tokens:
            codes = tuple(sorted(scores))
            for code, probability in _identifier(codes).rank(" ".join(tokens)):
                if code in scores:
                    scores[code] += LANGID_WEIGHT * float(probability)
        return scores

    def _votes(self, tokens: list[str]) -> dict[str, float]:
        return {code: float(sum(token in own for token in tokens)) for code, own in self._own.items()}

    def pick(self, utterance: str, *, prior: str | None = None) -> Language:
        """The message's language; ``prior`` (the conversation's) wins when no word tells them apart."""
        if len(self.languages) == 1:
            return self.default
        votes = sorted(self._votes(_WORD.findall(fold(utterance))).items(), key=lambda vote: -vote[1])
        if votes[0][1] - votes[1][1] > LANGID_WEIGHT:
            # py3langid adds at most LANGID_WEIGHT, so it cannot overturn this lead: not asking it spares
            # a one-shot `cadence ask` loading its model, half a second (issue 16).
            return self.languages[votes[0][0]]
        scores = self.scores(utterance)
        if prior in self.languages and _no_words(scores):
            return self.languages[prior]
        best = max(scores.items(), key=lambda item: (item[1], item[0] == self.default.language))
        return self.languages[best[0]]

    def prior(self, memory: Memory | None) -> str | None:
        """The conversation's language: the one a pending question was asked in, else the last message's."""
        if memory is None:
            return None
        asked = (memory.awaiting or {}).get("language")
        if isinstance(asked, str) and asked in self.languages:
            return asked
        said = [m.get("content", "") for m in memory.history if m.get("role") == "user"]
        if said:
            return self.pick(said[-1]).language
        return None


def _no_words(scores: dict[str, float]) -> bool:
    """No language's own word was said: only py3langid's fractions are left."""
    return all(score < 1 for score in scores.values())
