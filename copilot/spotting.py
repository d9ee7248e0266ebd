"""Where the organization's names are in what was said: runs of words that could be names, the names
found in them (also beside a misspelt command word), and words that read like a name but are nobody's."""

from __future__ import annotations

import re
import weakref

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from copilot import dates
from copilot.language import Language
from copilot.names import Directory, NameMatch
from domain.text import fold

KEYWORD_SIMILARITY = 85  # a word this close to a keyword counts (typos)
CACHED_MESSAGES = 256  # messages whose names are kept worked out (a turn asks several times)
CACHED_WORDS = 20_000  # words known to be, or not be, a misspelt command word


def close(word: str, keyword: str) -> bool:
    """A typo of the keyword: similar enough, or at most two edits away in a long word."""
    if fuzz.ratio(word, keyword) >= KEYWORD_SIMILARITY:
        return True
    return len(keyword) >= 6 and Levenshtein.distance(word, keyword) <= 2


Found = tuple[NameMatch, str, str]  # a name found, the words it was found in, and what it fills


def widest(found: list[Found], segments: list[str]) -> list[Found]:
    """Of (match, span, argument) found, per segment only those of its widest span that matched
    anything: a shorter run never competes with a name found whole."""
    kept = []
    for segment in segments:
        inside = [f for f in found if f[1] in segment]
        if inside:
            size = max(len(f[1].split()) for f in inside)
            kept += [f for f in inside if len(f[1].split()) == size]
    return kept


class NameSpotter:
    """The organization's names in a message, as one language's command words separate them."""

    def __init__(self, language: Language) -> None:
        self.language = language
        # A turn asks the same questions several times (the planner, the filling, the follow-up):
        # the names said in one message of one directory, and whether a word is a misspelt command
        # word, are worked out once. Bounded: cleared when full. A directory is held weakly: the spotter
        # is shared by every organization's turns, and an organization's directory is replaced at each
        # name change; a strong hold kept up to CACHED_MESSAGES old ones (MBs each) alive.
        self._said: dict[tuple[int, str], tuple[weakref.ref[Directory], list[Found]]] = {}
        self._misspelt: dict[str, bool] = {}

    def segments(self, text: str, name_words: frozenset[str]) -> list[str]:
        """Runs of words that could be names (everything else is a command word or a break). A
        command word that continues a name ("Contemporary Kids") stays part of it."""
        segments: list[str] = []
        current: list[str] = []
        tokens = re.findall(r"[a-z0-9]+|\|", text.replace("'s", " "))
        commands = self.language.command_words
        calendar = {*self.language.words.months, *self.language.words.weekdays}
        for at, token in enumerate(tokens):
            following = tokens[at + 1] if at + 1 < len(tokens) else ""
            # A command word that continues a name ("Contemporary Kids"), or a month or weekday that starts
            # one before another name word ("Abril Cruz": April, and a student's first name)
            continues_name = token in name_words and (
                bool(current) or (token in calendar and following in name_words and following not in commands)
            )
            if token == dates.GAP.strip() or token.isdigit() or (token in commands and not continues_name):
                if current:
                    segments.append(" ".join(current))
                current = []
            else:
                current.append(token)
        if current:
            segments.append(" ".join(current))
        return [s for s in segments if len(s) >= 2]

    def names_said(self, directory: Directory, folded: str) -> list[Found]:
        """The names clearly said, of every kind a name can lead to, each from the widest run it is in."""
        kept = self._said.get((id(directory), folded))
        if kept is not None and kept[0]() is directory:  # not another one since given the same id
            return list(kept[1])
        segments = self.segments(folded, directory.words)
        spans = self.spans(segments, directory)
        found: list[Found] = [
            (m, span, kind)
            for kind in self.language.by_entity
            for span in spans
            if (m := directory.match(kind, span)) is not None and m.clear
        ]
        said = widest(found, segments)
        if len(self._said) >= CACHED_MESSAGES:
            self._said.clear()
        self._said[(id(directory), folded)] = (weakref.ref(directory), said)
        return list(said)

    def spans(self, segments: list[str], directory: Directory | None = None) -> list[str]:
        """Where to look for names: each run of words that could be one, then shorter runs of it that
        leave out only misspelt command words ("attendence jazz beginers" → "jazz beginers"), or that
        are somebody's whole name ("ha tenido zouk advanced" → "zouk advanced", "sofia cabrera solo" →
        "sofia cabrera"). Nothing else is dropped: "reggaeton kids" is not "Contemporary Kids" and
        "flamenco kids" is not "Flamenco Adults"."""
        whole = directory.folded if directory else frozenset()
        name_words = directory.words if directory else frozenset()
        spans: list[str] = []
        for segment in segments:
            words = segment.split()
            spans.append(segment)
            for size in range(len(words) - 1, 0, -1):
                for start in range(len(words) - size + 1):
                    run = " ".join(words[start : start + size])
                    dropped = words[:start] + words[start + size :]
                    if run in whole or all(self.misspelt_command(w) and w not in name_words for w in dropped):
                        spans.append(run)
        return list(dict.fromkeys(spans))

    def misspelt_command(self, word: str) -> bool:
        known = self._misspelt.get(word)
        if known is None:
            known = len(word) >= 4 and any(
                close(word, c) for c in self.language.command_words if len(c) >= 4 and c[0] == word[0]
            )
            if len(self._misspelt) >= CACHED_WORDS:
                self._misspelt.clear()
            self._misspelt[word] = known
        return known

    def unknown_name(self, directory: Directory, segments: list[str], said: str) -> str | None:
        """Words that read like a name (two or more) and match nobody. A run reads like a name when one
        of its words is written with a capital or is part of somebody's name here ("Carlos Pérez",
        "lucia ruiz"); "hrs per teacher" does not. A run with somebody's name in it ("nudge samuel
        leon", "tenido zouk advanced") is a name beside an unknown word, not a new name. One word alone
        reads like a name only when written with a capital inside the sentence ("la profe Carla")."""
        written = re.findall(r"\b[^\W\d_][\w'-]*", said)
        capitals = set() if said.isupper() else {fold(w) for w in written if w[0].isupper()}
        # A capital that starts a sentence ("¿Cómo están los grupos? Tamaño, altas…") is no name's
        starts = {fold(w) for w in re.findall(r"(?:^|[.?!¿¡:;]\s*)([^\W\d_][\w'-]*)", said)}
        inside = capitals - starts
        styles = set(self.language.words.styles)
        for segment in segments:
            words = segment.split()
            style = next((w for w in words if w in styles and w not in directory.words), None)
            if style is not None and not any(directory.match(kind, segment) for kind in directory.names):
                return _as_written(words, written)  # "the ballet class" where no group dances ballet
            if len(words) == 1 and len(words[0]) >= 3 and words[0] in inside:
                if not any(directory.match(kind, words[0]) for kind in directory.names):
                    return _as_written(words, written)
                continue
            if len(words) < 2 or any(len(w) < 3 for w in words):
                continue
            if not any(w in capitals or w in directory.words for w in words):
                continue
            runs = [
                " ".join(words[start : start + size])
                for size in range(len(words), 1, -1)
                for start in range(len(words) - size + 1)
            ]
            if any(directory.match(kind, run) for kind in directory.names for run in runs):
                continue
            # "send Carlos Pérez a reminder": the name is the words written like one, as written
            named = [w for w in words if w in capitals or w in directory.words] if capitals else words
            start, end = words.index(named[0]), len(words) - words[::-1].index(named[-1])
            return _as_written(words[start:end] if end - start >= 1 else words, written)
        return None


def _as_written(words: list[str], written: list[str]) -> str:
    """The words (folded) as the person wrote them, accents and capitals kept ("Carlos Pérez")."""
    folded = [fold(w) for w in written]
    for start in range(len(folded) - len(words) + 1):
        if folded[start : start + len(words)] == words:
            return " ".join(written[start : start + len(words)])
    return " ".join(words).title()
