"""Fuzzy, accent-insensitive name matching over an organization's own names ("Jose" finds "José")."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from pydantic import BaseModel
from rapidfuzz import fuzz, process, utils
from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from domain.errors import Invalid
from domain.text import fold

DEFAULT_CUTOFF = 70.0


class NameMatch(BaseModel):
    """A search hit as the API shows it."""

    id: uuid.UUID
    name: str
    score: float


@dataclass(frozen=True)
class Match:
    id: uuid.UUID
    name: str
    score: float
    # The row itself when an exact name found it whole: held here because the session's identity map
    # keeps rows only while something refers to them, and the caller reads that row next.
    row: object | None = field(default=None, compare=False, repr=False)


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
    query_words = folded_query.split()
    for _, score, index in scored:
        row_id, name, folded = rows[index]
        if len(query_words) > 1 and not _every_word_found(query_words, folded.split()):
            continue  # "irene solo" is not "Irene Caballero": each word said must be in the name
        # Only the exact name scores 100: "contemporary" is as close to "Contemporary Kids" as to
        # "Contemporary Advanced", whatever WRatio's length scaling says.
        ceiling = 100.0 if folded == folded_query else 99.0
        matches.append(
            Match(id=row_id, name=name, score=min(ceiling, float(score) + _word_bonus(folded_query, folded)))
        )
    matches.sort(key=lambda m: (-m.score, m.name))
    return matches[:limit]


WORD_SIMILARITY = 75.0  # "beginers" ~ "beginners", "muller" ~ "müller" (folded), not "advanced" ~ "adults"


def _every_word_found(query_words: list[str], name_words: list[str]) -> bool:
    return all(
        any(word.startswith(q) or fuzz.ratio(q, word) >= WORD_SIMILARITY for word in name_words)
        for q in query_words
    )


def _word_bonus(query: str, folded: str) -> float:
    words = folded.split()
    query_words = query.split()
    if folded == query or all(w in words for w in query_words):
        return 8.0
    if any(word.startswith(query_words[0]) for word in words):
        return 4.0
    return 0.0


async def search_names(
    session: AsyncSession,
    *,
    query: str,
    id_column: InstrumentedAttribute[uuid.UUID],
    name_column: InstrumentedAttribute[str],
    folded_column: InstrumentedAttribute[str],
    where: Iterable[ColumnElement[bool]] = (),
    limit: int = 10,
    exact_wins: bool = False,
) -> list[Match]:
    """Fuzzy search over one table's names (RLS keeps it to the session's organization).

    ``exact_wins``: a name said exactly as one row has it (folded) is that row, alone — what the
    fuzzy ranking would put first with the only perfect score, without scoring every other name (a
    school's 1,800 students) to find it. For resolving a name, not for listing similar ones."""
    if not query.strip():
        raise Invalid("Say what to look for.", details={"field": "q"})
    where = list(where)
    if exact_wins and (folded_query := fold(query)):
        # The whole row, not only its id and name: whoever resolves a name goes on to read that row
        # (the group to show), which the session then has without asking the database again (while the
        # match, which holds it, lives).
        exact = (
            (
                await session.execute(
                    select(id_column.class_).where(*where, folded_column == folded_query).limit(2)
                )
            )
            .scalars()
            .all()
        )
        if len(exact) == 1:
            row = exact[0]
            name = getattr(row, name_column.key)
            return [Match(id=getattr(row, id_column.key), name=name, score=100.0, row=row)]
    rows = await session.execute(select(id_column, name_column, folded_column).where(*where))
    return best_matches(query, [(r[0], r[1], r[2]) for r in rows], limit=limit)
