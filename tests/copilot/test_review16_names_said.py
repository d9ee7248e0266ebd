"""The names said in a message, worked out once per message and directory (review of issue 16).

``NameSpotter`` is one per language and shared by every organization's turns (and threads): what it keeps
for one organization's directory must never answer for another's, even for the very same words, and even
when the first directory is gone (its ``id`` could then be given to a new object).
"""

from __future__ import annotations

import gc
import weakref
from concurrent.futures import ThreadPoolExecutor

from copilot.language import load
from copilot.names import Directory
from copilot.spotting import NameSpotter
from domain.text import fold


def directory(student: str) -> Directory:
    d = Directory({"student": {fold(student): student}, "group": {}, "teacher": {}, "venue": {}})
    d.prepare()
    return d


def said(spotter: NameSpotter, d: Directory, words: str) -> list[str]:
    return [match.name for match, _span, _kind in spotter.names_said(d, fold(words))]


def test_the_same_words_find_each_organizations_own_names() -> None:
    spotter = NameSpotter(load("en"))
    ours, theirs = directory("Ana García"), directory("Ana Garcia Ruiz")
    assert said(spotter, ours, "did ana garcia pay?") == ["Ana García"]
    assert said(spotter, theirs, "did ana garcia pay?") == ["Ana Garcia Ruiz"]
    assert said(spotter, ours, "did ana garcia pay?") == ["Ana García"]  # asked again: kept, still ours


def test_a_directory_gone_never_answers_for_a_new_one() -> None:
    spotter = NameSpotter(load("en"))
    for i in range(50):  # new directories, each perhaps where the last one was
        d = directory(f"Ana García {chr(ord('a') + i % 26)}x")
        assert said(spotter, d, "did ana garcia pay?") == list(d.names["student"].values())
        del d
        gc.collect()


def test_what_a_caller_gets_is_its_own_copy() -> None:
    spotter = NameSpotter(load("en"))
    d = directory("Ana García")
    first = spotter.names_said(d, fold("did ana garcia pay?"))
    first.clear()
    assert said(spotter, d, "did ana garcia pay?") == ["Ana García"]


def test_threads_sharing_a_spotter_each_get_their_organizations_names() -> None:
    spotter = NameSpotter(load("en"))
    schools = [directory(f"Ana García {suffix}") for suffix in ("Ruiz", "Soto", "Vidal", "Pons")]

    def ask(i: int) -> bool:
        d = schools[i % len(schools)]
        return said(spotter, d, "did ana garcia pay?") == [next(iter(d.names["student"].values()))]

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert all(pool.map(ask, range(2000)))


def test_the_spotter_keeps_no_directory_alive() -> None:
    """An organization's directory is replaced at each name change (a school enrolling while someone
    chats): the old one (1.7 MB for 1,800 students) must go, not stay behind for the next 256 messages."""
    spotter = NameSpotter(load("en"))
    d = directory("Ana García")
    assert said(spotter, d, "did ana garcia pay?") == ["Ana García"]
    gone = weakref.ref(d)
    del d
    gc.collect()
    assert gone() is None
    # The control: while it lives, what was worked out for it is still used.
    d = directory("Ana García")
    first = spotter.names_said(d, fold("did ana garcia pay?"))
    assert spotter.names_said(d, fold("did ana garcia pay?"))[0][0] is first[0][0]
