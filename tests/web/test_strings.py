"""The pages' words: every key the pages use exists in English, and Spanish has exactly the English keys
(a page never shows a key or silently falls back to English in a Spanish school)."""

from __future__ import annotations

import re
from pathlib import Path

from channels.web.routes import STATIC

ENTRY = re.compile(r'"([a-z_]+(?:\.[a-z0-9_]+)+)":')
USED_IN_SCRIPTS = re.compile(r'\bt\("([a-z_]+(?:\.[a-z0-9_]+)+)"')
USED_IN_PAGES = re.compile(r'data-t(?:-placeholder|-label|-title)?="([a-z_]+(?:\.[a-z0-9_]+)+)"')


def dictionaries() -> dict[str, set[str]]:
    text = (STATIC / "i18n.js").read_text(encoding="utf-8")
    english, spanish = text.split("\n  es: {", 1)
    return {"en": set(ENTRY.findall(english)), "es": set(ENTRY.findall(spanish))}


def used(paths: list[Path], pattern: re.Pattern[str]) -> set[str]:
    return {key for path in paths for key in pattern.findall(path.read_text(encoding="utf-8"))}


def test_spanish_has_every_english_string_and_no_other() -> None:
    found = dictionaries()
    assert len(found["en"]) > 150
    assert sorted(found["en"] - found["es"]) == []
    assert sorted(found["es"] - found["en"]) == []


def test_every_key_a_page_uses_is_written() -> None:
    keys = dictionaries()["en"]
    scripts = sorted(STATIC.glob("*.js"))
    pages = sorted(STATIC.glob("*.html"))
    wanted = used(scripts, USED_IN_SCRIPTS) | used(pages, USED_IN_PAGES)
    assert len(wanted) > 100  # the patterns do find the keys
    assert sorted(wanted - keys) == []
