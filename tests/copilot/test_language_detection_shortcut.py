"""py3langid is consulted only when the words of a message leave the language open.

Its model takes about half a second to load, which a one-shot `cadence ask` pays on every question
(issue 16). It adds less than one word's weight, so when one language leads by more than that its
verdict cannot change the answer: the choice must be exactly the one the full scores give.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from copilot import detect
from copilot.detect import Languages
from copilot.language import every

LANGUAGES = Languages(every())
TESTS = Path(__file__).resolve().parent


def said_in_the_tests() -> list[str]:
    """What people type in the planner's tables and the blind sets, and every language's exemplars."""
    said: list[str] = []
    for table in ("phrasings.yaml", "phrasings_es.yaml"):
        rows = yaml.safe_load((TESTS / table).read_text(encoding="utf-8"))
        said += [row["say"] for row in rows] + [row["after"] for row in rows if "after" in row]
    for blind in sorted((TESTS / "blind").glob("*.yaml")):
        said += [case["say"] for case in yaml.safe_load(blind.read_text(encoding="utf-8"))["cases"]]
    said += [e for language in every() for intent in language.intents for e in intent.exemplars]
    return said


def full_scores_pick(utterance: str, prior: str | None) -> str:
    """The choice as pick() defines it: every signal scored, py3langid included."""
    scores = LANGUAGES.scores(utterance)
    if prior in LANGUAGES.languages and detect._no_words(scores):
        return prior
    return max(scores.items(), key=lambda item: (item[1], item[0] == LANGUAGES.default.language))[0]


def test_the_shortcut_picks_what_the_full_scores_pick() -> None:
    said = said_in_the_tests()
    assert len(said) > 500  # the tables, the blind sets and the exemplars were all read
    for prior in (None, "en", "es"):
        differs = [s for s in said if LANGUAGES.pick(s, prior=prior).language != full_scores_pick(s, prior)]
        assert differs == []


def test_a_message_whose_words_decide_does_not_load_py3langid(monkeypatch: pytest.MonkeyPatch) -> None:
    consulted: list[tuple[str, ...]] = []
    real = detect._identifier

    def watched(codes: tuple[str, ...]) -> object:
        consulted.append(codes)
        return real(codes)

    monkeypatch.setattr(detect, "_identifier", watched)
    assert LANGUAGES.pick("who hasn't paid this month?").language == "en"
    assert LANGUAGES.pick("¿quién no ha pagado este mes?").language == "es"
    assert consulted == []
    # The control: a message with no word of either language is py3langid's to call.
    LANGUAGES.pick("ana garcia")
    assert consulted


PICK_AND_REPORT = """
import sys
from copilot.detect import Languages
from copilot.language import every
Languages(every()).pick(sys.argv[1])
print("py3langid" in sys.modules, "numpy" in sys.modules)
"""


@pytest.mark.parametrize(
    ("said", "loaded"),
    [("who hasn't paid this month?", "False False"), ("ana garcia", "True True")],  # the control: no words
)
def test_py3langid_and_numpy_are_imported_only_to_be_asked(said: str, loaded: str) -> None:
    done = subprocess.run(  # noqa: S603 - our interpreter, our code
        [sys.executable, "-c", PICK_AND_REPORT, said],
        cwd=TESTS.parents[1],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.strip() == loaded
