"""The retrieval index in pgvector: the planner's exemplars and the tools' descriptions, embedded.

Synced from the language files and the catalogue (idempotent: only missing rows are added, stale
ones removed), then queried by cosine distance.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from copilot.language import Language
from domain.conversations.models import RetrievalEntry
from domain.embeddings import Embedder
from tools.catalog import CATALOG

EXEMPLAR, TOOL = "exemplar", "tool"


@dataclass(frozen=True)
class Nearest:
    tool: str
    text: str
    similarity: float


def _wanted(language: Language) -> set[tuple[str, str, str]]:
    rows = {(EXEMPLAR, e, i.tool) for i in language.intents for e in i.exemplars}
    rows |= {(TOOL, f"{t.name}: {t.description}", t.name) for t in CATALOG.values()}
    return rows


async def sync(session: AsyncSession, language: Language, embedder: Embedder) -> int:
    """Make the index match the language file and catalogue; returns how many rows were added."""
    wanted = _wanted(language)
    rows = await session.execute(
        select(RetrievalEntry.kind, RetrievalEntry.text, RetrievalEntry.tool).where(
            RetrievalEntry.language == language.language, RetrievalEntry.embedder == embedder.name
        )
    )
    have = {(kind, text, tool) for kind, text, tool in rows}
    stale = have - wanted
    if stale:
        await session.execute(
            delete(RetrievalEntry).where(
                RetrievalEntry.language == language.language,
                RetrievalEntry.embedder == embedder.name,
                tuple_(RetrievalEntry.kind, RetrievalEntry.text, RetrievalEntry.tool).in_(stale),
            )
        )
    missing = sorted(wanted - have)
    vectors = embedder.embed([text for _, text, _ in missing]) if missing else []
    if missing:  # two processes may sync at once: the unique key lets the second one add nothing
        await session.execute(
            insert(RetrievalEntry)
            .values(
                [
                    {
                        "kind": kind,
                        "language": language.language,
                        "text": text,
                        "tool": tool,
                        "embedder": embedder.name,
                        "embedding": vector,
                    }
                    for (kind, text, tool), vector in zip(missing, vectors, strict=True)
                ]
            )
            .on_conflict_do_nothing()
        )
    return len(missing)


async def nearest(
    session: AsyncSession, *, kind: str | None, language: str, embedder: Embedder, text: str, limit: int = 8
) -> list[Nearest]:
    """The entries nearest to ``text`` by cosine distance; ``kind`` None searches exemplars and tools."""
    vector = embedder.embed([text])[0]
    distance = RetrievalEntry.embedding.cosine_distance(vector)
    rows = await session.execute(
        select(RetrievalEntry.tool, RetrievalEntry.text, distance)
        .where(
            RetrievalEntry.kind.in_([kind] if kind else [EXEMPLAR, TOOL]),
            RetrievalEntry.language == language,
            RetrievalEntry.embedder == embedder.name,
        )
        .order_by(distance)
        .limit(limit)
    )
    return [Nearest(tool, said, 1.0 - float(d)) for tool, said, d in rows]
