"""Which language a message is read in: Spanish and English, long and short, phone style, and
messages that say no word of either (a bare name, "ok") keeping the conversation's language."""

from __future__ import annotations

import pytest

from copilot.detect import Languages
from copilot.language import every, load
from copilot.planner import Memory

LANGUAGES = Languages(every())

SPANISH = [
    "¿Quién no ha pagado este mes?",
    "quien no ha pagado",
    "q clases hay mñn",
    "que clases hay mañana",
    "asistencia de ana lopez",
    "marca salsa improvers todos presentes menos sara",
    "cancela jazz teens mañana xq el profe esta malo",
    "y el mes pasado",
    "cuánto ganó Martina en octubre",
    "morosos",
    "vale",
    "dale",
    "déjalo",
    "cierra studio norte la semana que viene",
    "Sofía Castro cubre Tango Adults el viernes",
]
ENGLISH = [
    "who hasn't paid this month?",
    "Who hasnt paid yet",
    "how is Ana López doing?",
    "receipt for Marco Núñez",
    "Sofía Castro covers Tango Adults on friday",
    "cancel jazz teens",
    "atendance for ana lopez",
    "churn risk",
    "shedule for tomorrow",
    "and last month?",
    "what about Tango Adults?",
    "yes",
    "zouk advanced list pls",
    "income in september",
]


@pytest.mark.parametrize("said", SPANISH)
def test_spanish_messages_are_read_in_spanish(said: str) -> None:
    assert LANGUAGES.pick(said).language == "es"


@pytest.mark.parametrize("said", ENGLISH)
def test_english_messages_are_read_in_english(said: str) -> None:
    assert LANGUAGES.pick(said).language == "en"


@pytest.mark.parametrize("said", SPANISH[:6] + ENGLISH[:6])
def test_a_language_s_own_words_outweigh_the_conversation_s_language(said: str) -> None:
    expected = LANGUAGES.pick(said).language
    other = "en" if expected == "es" else "es"
    assert LANGUAGES.pick(said, prior=other).language == expected


@pytest.mark.parametrize("said", ["ana garcia", "Marco Núñez", "ok", "no", "45", "Heels Teens"])
def test_a_message_with_no_word_of_either_keeps_the_conversation_s_language(said: str) -> None:
    assert LANGUAGES.pick(said, prior="es").language == "es"
    assert LANGUAGES.pick(said, prior="en").language == "en"


def test_the_conversation_s_language_is_the_pending_question_s_or_the_last_message_s() -> None:
    assert LANGUAGES.prior(Memory(awaiting={"tool": "add_note", "language": "es"})) == "es"
    assert LANGUAGES.prior(Memory(history=[{"role": "user", "content": "quien no ha pagado"}])) == "es"
    assert LANGUAGES.prior(Memory(history=[{"role": "user", "content": "who hasn't paid?"}])) == "en"
    assert LANGUAGES.prior(Memory()) is None


def test_one_language_is_always_that_language() -> None:
    assert Languages([load("en")]).pick("quien no ha pagado este mes").language == "en"


def test_an_english_refusal_full_of_spanish_names_is_read_as_english() -> None:
    """ "refund" is a word only English's file knows (in what it refuses): Spanish names around it do not
    make the message Spanish; the Spanish refusal is still Spanish (the control)."""
    languages = Languages(every())
    assert languages.pick("refund Samuel León 40 euros").language == "en"
    assert languages.pick("devuélvele 40 euros a Samuel León").language == "es"
