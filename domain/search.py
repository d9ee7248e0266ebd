"""Fuzzy, accent-insensitive name matching over an organization's own names ("Jose" finds "José")."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

from domain.text import fold

DEFAULT_CUTOFF = 70.0


@dataclass(frozen=True)
class Match:
    id: uuid.UUID
    name: str
    score: float


def best_matches(
    query: str,
    candidates: Iterable[tuple[uuid.UUID, str, str]],
    *,
    limit: int = 10,
    cutoff: float = DEFAULT_CUTOFF,
) -> list[Match]:
    """Rank ``(id, display name, folded name)`` candidates against ``query``.

    WRatio handles partial names ("ana" → "Ana García") and word order; folding both sides makes
    accents and case irrelevant. Whole-word matches rank above prefixes ("jose" → José, then Josefina).
    """
    folded_query = fold(query)
    if not folded_query:
        return []
    rows = list(candidates)
    choices = {i: folded for i, (_, _, folded) in enumerate(rows)}
    scored = process.extract(
        folded_query,
        choices,
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        limit=None,
        score_cutoff=cutoff,
    )
    matches = []
    for _, score, index in scored:
        row_id, name, folded = rows[index]
        matches.append(
            Match(id=row_id, name=name, score=min(100.0, float(score) + _word_bonus(folded_query, folded)))
        )
    matches.sort(key=lambda m: (-m.score, m.name))
    return matches[:limit]


def _word_bonus(query: str, folded: str) -> float:
    words = folded.split()
    query_words = query.split()
    if folded == query or all(w in words for w in query_words):
        return 8.0
    if any(word.startswith(query_words[0]) for word in words):
        return 4.0
    return 0.0
