"""Text normalization shared by search and duplicate detection."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lowercase, accents removed, whitespace collapsed: "  José  Núñez" → "jose nunez"."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())
