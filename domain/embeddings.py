"""Text embeddings for pgvector: semantic note search and the copilot's tool/exemplar retrieval.

The default embedder is local and deterministic (no model, no network): hashed word and character
trigram features, signed and L2-normalised, so texts that share words or word pieces land close
together and typos still overlap. An OpenAI-compatible embedder can replace it; every vector column
has ``DIMENSIONS`` dimensions, so that embedder asks the API for exactly that many.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from typing import Protocol

from domain.text import fold

DIMENSIONS = 256
_WORD = re.compile(r"[a-z0-9]+")
_WORD_WEIGHT = 1.0
_TRIGRAM_WEIGHT = 0.4


class Embedder(Protocol):
    name: str

    def embed(self, texts: Sequence[str]) -> list[list[float]]: ...


def _bucket(feature: str) -> tuple[int, float]:
    digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
    value = int.from_bytes(digest, "big")
    return value % DIMENSIONS, (1.0 if (value >> 63) & 1 else -1.0)


def _features(text: str) -> list[tuple[str, float]]:
    features: list[tuple[str, float]] = []
    for word in _WORD.findall(fold(text)):
        stem = word[:-1] if len(word) > 3 and word.endswith("s") else word  # "classes" ~ "class"
        features.append((f"w:{stem}", _WORD_WEIGHT))
        padded = f"<{stem}>"
        features.extend((f"t:{padded[i : i + 3]}", _TRIGRAM_WEIGHT) for i in range(len(padded) - 2))
    return features


class HashingEmbedder:
    """Deterministic bag of hashed words and trigrams; the embedded default."""

    name = "local-hashing-256"

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return [self._one(text) for text in texts]

    @staticmethod
    def _one(text: str) -> list[float]:
        vector = [0.0] * DIMENSIONS
        for feature, weight in _features(text):
            index, sign = _bucket(feature)
            vector[index] += sign * weight
        norm = math.sqrt(sum(v * v for v in vector)) or 1.0
        return [v / norm for v in vector]


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def default_embedder() -> Embedder:
    return HashingEmbedder()
